// The fields of a project that its undertakers fill in, shared by proposing a project and editing
// its details before review: the form controls, the local checks and the input sent to the server.
import type { SensitiveField } from "../gql/graphql";
import { useI18n } from "../i18n";
import { Field, requireFields, type useForm } from "./forms";

export const SENSITIVE: SensitiveField[] = [
  "ARTIFICIAL_INTELLIGENCE",
  "GENE_EDITING",
  "MEDICAL_DIAGNOSIS",
  "AUTONOMOUS_DRIVING",
  "DRONES",
  "SERVICE_ROBOTS",
];

export const PROJECT_FIELDS = [
  "title",
  "departmentId",
  "principalInvestigatorId",
  "startDate",
  "endDate",
  "summary",
  "fundingSource",
  "researchFields",
] as const;
type Values = Record<(typeof PROJECT_FIELDS)[number], string>;

export type ProjectFieldLabel =
  | "title"
  | "department"
  | "pi"
  | "startDate"
  | "endDate"
  | "summary"
  | "fundingSource"
  | "researchFields"
  | "members"
  | "sensitiveFields"
  | "choose";

/** Required fields and a start before the end, as errors (`required` names more to fill in). */
export function checkProject(
  v: Values & Record<string, string>,
  words: { required: string; endBeforeStart: string },
  required: string[] = [],
) {
  const check = requireFields(
    v,
    ["title", "departmentId", "principalInvestigatorId", "startDate", "endDate", ...required],
    words.required,
  );
  if (!check.endDate && v.startDate && v.endDate < v.startDate) check.endDate = words.endBeforeStart;
  return check;
}

/** The part of ProjectInput these fields give. */
export function projectInput(v: Values, data: FormData, memberIds: string[]) {
  return {
    title: v.title,
    departmentId: v.departmentId,
    principalInvestigatorId: v.principalInvestigatorId,
    startDate: v.startDate,
    endDate: v.endDate,
    summary: v.summary,
    fundingSource: v.fundingSource,
    researchFields: v.researchFields
      .split(/[,，、]/)
      .map((s) => s.trim())
      .filter(Boolean),
    sensitiveFields: data.getAll("sensitiveFields").map(String) as SensitiveField[],
    memberIds,
  };
}

/** The project's fields; `defaults` fills them in when editing. */
export function ProjectFields({
  prefix,
  form,
  label,
  departments,
  users,
  members,
  setMembers,
  defaults = {},
  autoFocus = false,
}: {
  prefix: string;
  form: ReturnType<typeof useForm>;
  label: (key: ProjectFieldLabel) => string;
  departments: { id: string; name: string }[];
  users: { id: string; displayName: string }[];
  members: string[];
  setMembers: (ids: string[]) => void;
  defaults?: Partial<Values & { sensitiveFields: string[] }>;
  autoFocus?: boolean;
}) {
  const i18n = useI18n();
  return (
    <>
      <Field prefix={prefix} name="title" label={label("title")} errors={form.errors}>
        {(c) => (
          <input {...c} type="text" defaultValue={defaults.title} autoFocus={autoFocus} onInput={() => form.touched("title")} />
        )}
      </Field>
      <div className="row">
        <Field prefix={prefix} name="departmentId" label={label("department")} errors={form.errors}>
          {(c) => (
            <select {...c} defaultValue={defaults.departmentId ?? ""}>
              <option value="">{label("choose")}</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field prefix={prefix} name="principalInvestigatorId" label={label("pi")} errors={form.errors}>
          {(c) => (
            <select {...c} defaultValue={defaults.principalInvestigatorId ?? ""}>
              <option value="">{label("choose")}</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field prefix={prefix} name="startDate" label={label("startDate")} errors={form.errors}>
          {(c) => <input {...c} type="date" defaultValue={defaults.startDate} />}
        </Field>
        <Field prefix={prefix} name="endDate" label={label("endDate")} errors={form.errors}>
          {(c) => <input {...c} type="date" defaultValue={defaults.endDate} onInput={() => form.touched("endDate")} />}
        </Field>
      </div>
      <Field prefix={prefix} name="summary" label={label("summary")} errors={form.errors}>
        {(c) => <textarea {...c} rows={3} defaultValue={defaults.summary} />}
      </Field>
      <div className="row">
        <Field prefix={prefix} name="fundingSource" label={label("fundingSource")} errors={form.errors}>
          {(c) => <input {...c} type="text" defaultValue={defaults.fundingSource} />}
        </Field>
        <Field prefix={prefix} name="researchFields" label={label("researchFields")} errors={form.errors}>
          {(c) => <input {...c} type="text" defaultValue={defaults.researchFields} />}
        </Field>
      </div>
      <fieldset aria-describedby={form.errors.members ? `${prefix}-members-error` : undefined}>
        <legend>{label("members")}</legend>
        <div className="checks">
          {users.map((u) => (
            <label className="inline" key={u.id}>
              <input
                type="checkbox"
                checked={members.includes(u.id)}
                onChange={(e) => {
                  setMembers(e.target.checked ? [...members, u.id] : members.filter((x) => x !== u.id));
                  form.touched("members");
                }}
              />
              {u.displayName}
            </label>
          ))}
        </div>
        {form.errors.members && (
          <p id={`${prefix}-members-error`} className="field-error">
            {form.errors.members}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>{label("sensitiveFields")}</legend>
        <div className="checks">
          {SENSITIVE.map((s) => (
            <label className="inline" key={s}>
              <input
                type="checkbox"
                name="sensitiveFields"
                value={s}
                defaultChecked={defaults.sensitiveFields?.includes(s)}
              />
              {i18n.sensitiveField(s)}
            </label>
          ))}
        </div>
      </fieldset>
    </>
  );
}
