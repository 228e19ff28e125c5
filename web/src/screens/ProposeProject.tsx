import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { request, userError } from "../api";
import { Field, FormStatus, requireFields, today, useForm, valuesOf } from "../flow/forms";
import { useFlowText } from "../flow/text";
import { graphql } from "../gql";
import type { SensitiveField } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { ErrorBox, Loading, useLoad } from "../util";

const UnitPeopleDoc = graphql(`
  query UnitPeople {
    viewer {
      orgUnit {
        id
        departments {
          id
          name
        }
        users(first: 100) {
          nodes {
            id
            displayName
          }
        }
      }
    }
  }
`);

const CreateProjectDoc = graphql(`
  mutation CreateProject($unit: ID!, $input: ProjectInput!) {
    createProject(orgUnitId: $unit, input: $input) {
      __typename
      ... on ProjectSaved {
        project {
          id
        }
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const SENSITIVE: SensitiveField[] = [
  "ARTIFICIAL_INTELLIGENCE",
  "GENE_EDITING",
  "MEDICAL_DIAGNOSIS",
  "AUTONOMOUS_DRIVING",
  "DRONES",
  "SERVICE_ROBOTS",
];
const FIELDS = [
  "title",
  "departmentId",
  "principalInvestigatorId",
  "startDate",
  "endDate",
  "summary",
  "fundingSource",
  "researchFields",
] as const;

export function ProposeProject() {
  const i18n = useI18n();
  const { t } = i18n;
  const { ft } = useFlowText();
  const { viewer } = useSession();
  const navigate = useNavigate();
  const people = useLoad(() => request(UnitPeopleDoc), []);
  const form = useForm("np", FIELDS);
  const [members, setMembers] = useState<string[]>([]);

  const unit = people.data?.viewer?.orgUnit;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!unit) return;
    const data = new FormData(event.currentTarget);
    const v = valuesOf(event.currentTarget, FIELDS);
    const check = requireFields(
      v,
      ["title", "departmentId", "principalInvestigatorId", "startDate", "endDate"],
      ft("required"),
    );
    if (!check.endDate && v.startDate && v.endDate < v.startDate) check.endDate = ft("endBeforeStart");
    let id: string | null = null;
    const ok = await form.submit(check, async () => {
      const result = await request(CreateProjectDoc, {
        unit: unit.id,
        input: {
          title: v.title,
          departmentId: v.departmentId,
          principalInvestigatorId: v.principalInvestigatorId,
          startDate: v.startDate,
          endDate: v.endDate,
          summary: v.summary,
          fundingSource: v.fundingSource,
          researchFields: v.researchFields.split(/[,，、]/).map((s) => s.trim()).filter(Boolean),
          sensitiveFields: data.getAll("sensitiveFields").map(String) as SensitiveField[],
          memberIds: members,
        },
      });
      const error = userError(result.createProject);
      if (!error && result.createProject.__typename === "ProjectSaved")
        id = result.createProject.project.id;
      return error;
    });
    if (ok && id) navigate(`/projects/${id}/assessment`);
  };

  if (people.loading && !people.data) return <Loading />;
  if (people.error) return <ErrorBox error={people.error} retry={people.reload} />;
  const users = unit?.users.nodes ?? [];

  return (
    <>
      <p>
        <Link to="/projects">← {t("backToProjects")}</Link>
      </p>
      <h1 tabIndex={-1}>{ft("proposeProject")}</h1>
      <p className="hint">{ft("proposeIntro")}</p>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <Field prefix="np" name="title" label={t("title")} errors={form.errors}>
          {(p) => <input {...p} type="text" onInput={() => form.touched("title")} />}
        </Field>
        <div className="row">
          <Field prefix="np" name="departmentId" label={ft("department")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue="">
                <option value="">{ft("choose")}</option>
                {unit?.departments.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field prefix="np" name="principalInvestigatorId" label={t("pi")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue={viewer?.user?.id ?? ""}>
                <option value="">{ft("choose")}</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.displayName}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field prefix="np" name="startDate" label={ft("startDate")} errors={form.errors}>
            {(p) => <input {...p} type="date" defaultValue={today()} />}
          </Field>
          <Field prefix="np" name="endDate" label={ft("endDate")} errors={form.errors}>
            {(p) => <input {...p} type="date" onInput={() => form.touched("endDate")} />}
          </Field>
        </div>
        <Field prefix="np" name="summary" label={t("summary")} errors={form.errors}>
          {(p) => <textarea {...p} rows={3} />}
        </Field>
        <div className="row">
          <Field prefix="np" name="fundingSource" label={ft("fundingSource")} errors={form.errors}>
            {(p) => <input {...p} type="text" />}
          </Field>
          <Field prefix="np" name="researchFields" label={ft("researchFields")} errors={form.errors}>
            {(p) => <input {...p} type="text" />}
          </Field>
        </div>
        <fieldset>
          <legend>{ft("projectMembers")}</legend>
          <div className="checks">
            {users.map((u) => (
              <label className="inline" key={u.id}>
                <input
                  type="checkbox"
                  checked={members.includes(u.id)}
                  onChange={(e) =>
                    setMembers((m) => (e.target.checked ? [...m, u.id] : m.filter((x) => x !== u.id)))
                  }
                />
                {u.displayName}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("sensitiveFields")}</legend>
          <div className="checks">
            {SENSITIVE.map((s) => (
              <label className="inline" key={s}>
                <input type="checkbox" name="sensitiveFields" value={s} />
                {i18n.sensitiveField(s)}
              </label>
            ))}
          </div>
        </fieldset>
        <FormStatus error={form.formError} notice={form.notice} testId="propose" />
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? ft("working") : ft("create")}
        </button>
      </form>
    </>
  );
}
