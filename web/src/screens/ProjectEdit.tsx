// Editing on the project page: the project's details before review (updateProject), a major
// change during implementation (declareMajorChange, R-CHANGE), and the progress of a measure of
// the passed assessment (setMeasureStatus). The server decides; these mirror its rules only to
// show the controls where they can succeed.
import { useRef, useState, type FormEvent } from "react";
import { request, userError, type FieldError } from "../api";
import { Field, FormStatus, requireFields, useForm, valuesOf } from "../flow/forms";
import { PROJECT_FIELDS, ProjectFields, checkProject, projectInput } from "../flow/project-fields";
import { MEASURE_STATUSES, useEditText } from "../flow/edit-text";
import { graphql } from "../gql";
import type { MeasureStatus, Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import type { Viewer } from "../session";
import { ErrorBox, Loading, useLoad } from "../util";

/** R-OWN: the principal investigator and the members undertake the project. */
export function isUndertaker(
  viewer: Viewer | null,
  project: { principalInvestigator?: { id: string } | null; members: { id: string }[] },
): boolean {
  const me = viewer?.user?.id;
  return !!me && (project.principalInvestigator?.id === me || project.members.some((m) => m.id === me));
}

const hasRole = (viewer: Viewer | null, roles: Role[]) => !!viewer?.roles.some((r) => roles.includes(r.role));

/** Who uploads a project's documents (policies/policy.csv, project_document upload): the
 * undertakers, research management, the coordination group leader, the legal representative,
 * HQ business departments, and the inspectors who attach their reports (safety management, the
 * supervising branch academy, HQ's Safety Committee Office). */
export function canUploadProjectDocuments(
  viewer: Viewer | null,
  project: { principalInvestigator?: { id: string } | null; members: { id: string }[] },
): boolean {
  return (
    isUndertaker(viewer, project) ||
    hasRole(viewer, [
      "RESEARCH_MANAGEMENT",
      "COORDINATION_LEADER",
      "LEGAL_REPRESENTATIVE",
      "BUSINESS_DEPARTMENT",
      "SAFETY_MANAGEMENT",
      "BRANCH_SUPERVISOR",
      "SAFETY_COMMITTEE_OFFICE",
    ])
  );
}

/** Which field of the form a server error's `field` belongs to. */
function onField(error: FieldError | null, names: Record<string, string>): FieldError | null {
  if (!error?.field) return error;
  return { ...error, field: names[error.field] ?? error.field };
}

// ---------------------------------------------------------------------------------------------
// Project details

const ProjectForEditDoc = graphql(`
  query ProjectForEdit($id: ID!) {
    project(id: $id) {
      id
      version
      title
      summary
      startDate
      endDate
      fundingSource
      researchFields
      sensitiveFields
      deployedByHq
      hqDepartment
      internationalCooperation
      nationalFilingRequired
      nationalApprovalRequired
      majorImpact
      department {
        id
      }
      principalInvestigator {
        id
      }
      members {
        id
      }
      orgUnit {
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

const UpdateProjectDoc = graphql(`
  mutation UpdateProject($id: ID!, $v: Int!, $input: ProjectInput!) {
    updateProject(id: $id, expectedVersion: $v, input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const TEXT_FIELDS = [...PROJECT_FIELDS, "hqDepartment"] as const;
const FLAGS = [
  "deployedByHq",
  "internationalCooperation",
  "nationalFilingRequired",
  "nationalApprovalRequired",
  "majorImpact",
] as const;
const EDIT_FIELDS = [...TEXT_FIELDS, "members", "sensitiveFields"];

/** The project's details can change only before review (draft or returned), by its undertakers. */
export function EditProject({
  project,
  viewer,
  saved,
}: {
  project: {
    id: string;
    state: string;
    principalInvestigator?: { id: string } | null;
    members: { id: string }[];
  };
  viewer: Viewer | null;
  saved: () => void;
}) {
  const { et } = useEditText();
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Keyboard users land back on the button that opened the form.
  const opener = useRef<HTMLButtonElement>(null);
  if (!["DRAFT", "RETURNED"].includes(project.state) || !isUndertaker(viewer, project)) return null;
  return (
    <section aria-labelledby="edit-project-h" data-testid="edit-project">
      <h2 id="edit-project-h">{et("editProject")}</h2>
      <p className="hint">{et("editIntro")}</p>
      <FormStatus error={null} notice={open ? null : notice} testId="edit-project" />
      {!open && (
        <button
          ref={opener}
          type="button"
          aria-expanded={false}
          onClick={() => {
            setNotice(null);
            setOpen(true);
          }}
        >
          {et("editProject")}
        </button>
      )}
      {open && (
        <EditProjectForm
          projectId={project.id}
          close={(done) => {
            setOpen(false);
            requestAnimationFrame(() => opener.current?.focus());
            if (done) {
              setNotice(et("editSaved"));
              saved();
            }
          }}
        />
      )}
    </section>
  );
}

function EditProjectForm({ projectId, close }: { projectId: string; close: (saved: boolean) => void }) {
  const { et } = useEditText();
  const loaded = useLoad(() => request(ProjectForEditDoc, { id: projectId }), [projectId]);
  const form = useForm("ep", EDIT_FIELDS);
  const p = loaded.data?.project;
  const [members, setMembers] = useState<string[] | null>(null);
  const [deployed, setDeployed] = useState<boolean | null>(null);

  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  if (!p) return null;
  const chosen = members ?? p.members.map((m) => m.id);
  const byHq = deployed ?? p.deployedByHq;
  const users = p.orgUnit.users.nodes;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const data = new FormData(el);
    const v = valuesOf(el, TEXT_FIELDS);
    const check = checkProject(
      v,
      { required: et("required"), endBeforeStart: et("endBeforeStart") },
      byHq ? ["hqDepartment"] : [],
    );
    const ok = await form.submit(
      check,
      async () =>
        onField(
          userError(
            (
              await request(UpdateProjectDoc, {
                id: p.id,
                v: p.version,
                input: {
                  ...projectInput(v, data, chosen),
                  deployedByHq: byHq,
                  hqDepartment: byHq ? v.hqDepartment : null,
                  internationalCooperation: data.has("internationalCooperation"),
                  nationalFilingRequired: data.has("nationalFilingRequired"),
                  nationalApprovalRequired: data.has("nationalApprovalRequired"),
                  majorImpact: data.has("majorImpact"),
                },
              })
            ).updateProject,
          ),
          { piUserId: "principalInvestigatorId", memberIds: "members" },
        ),
      et("editSaved"),
    );
    if (ok) close(true);
  };

  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate aria-label={et("editProject")}>
      <ProjectFields
        prefix="ep"
        form={form}
        label={et}
        departments={p.orgUnit.departments}
        users={users}
        members={chosen}
        setMembers={setMembers}
        defaults={{
          title: p.title,
          departmentId: p.department?.id,
          principalInvestigatorId: p.principalInvestigator?.id,
          startDate: p.startDate,
          endDate: p.endDate,
          summary: p.summary,
          fundingSource: p.fundingSource,
          researchFields: p.researchFields.join("，"),
          sensitiveFields: p.sensitiveFields,
        }}
        autoFocus
      />
      <fieldset>
        <legend>{et("flags")}</legend>
        <div className="checks">
          {FLAGS.map((f) => (
            <label className="inline" key={f}>
              {f === "deployedByHq" ? (
                <input type="checkbox" name={f} checked={byHq} onChange={(e) => setDeployed(e.target.checked)} />
              ) : (
                <input type="checkbox" name={f} defaultChecked={p[f]} />
              )}
              {et(f)}
            </label>
          ))}
        </div>
        {byHq && (
          <Field prefix="ep" name="hqDepartment" label={et("hqDepartment")} errors={form.errors}>
            {(c) => <input {...c} type="text" defaultValue={p.hqDepartment ?? ""} />}
          </Field>
        )}
      </fieldset>
      <FormStatus error={form.formError} notice={null} testId="edit-project" />
      <div className="actions">
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? et("working") : et("editSave")}
        </button>
        <button type="button" onClick={() => close(false)} disabled={form.busy}>
          {et("cancel")}
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Major change (R-CHANGE)

const DeclareChangeDoc = graphql(`
  mutation DeclareMajorChange($id: ID!, $v: Int!, $description: String!, $suspend: Boolean!) {
    declareMajorChange(id: $id, expectedVersion: $v, description: $description, suspend: $suspend) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

interface ChangeRecord {
  description: string;
  declaredBy: string;
  suspended: boolean;
  resolvedAt?: string | null;
  createdAt: string;
}

/** R-CHANGE: the record of major changes and, during implementation, declaring one. */
export function MajorChanges({
  project,
  viewer,
  declared,
}: {
  project: {
    id: string;
    version: number;
    state: string;
    principalInvestigator?: { id: string } | null;
    members: { id: string }[];
    currentAssessment?: { state: string } | null;
    majorChanges: ChangeRecord[];
  };
  viewer: Viewer | null;
  declared: () => void;
}) {
  const i18n = useI18n();
  const { et } = useEditText();
  const live = ["IMPLEMENTING", "SUSPENDED"].includes(project.state);
  if (!live && project.majorChanges.length === 0) return null;
  // The undertakers and the institute's research management declare (policies/policy.csv).
  const may = isUndertaker(viewer, project) || hasRole(viewer, ["RESEARCH_MANAGEMENT"]);
  const pending = project.majorChanges.some((c) => !c.resolvedAt);
  return (
    <section aria-labelledby="changes-h" data-testid="major-changes">
      <h2 id="changes-h">{et("majorChanges")}</h2>
      <p className="hint">{et("majorChangesIntro")}</p>
      {project.majorChanges.length === 0 ? (
        <p className="empty">{et("majorChangesEmpty")}</p>
      ) : (
        <ul data-testid="major-change-list">
          {project.majorChanges.map((c, n) => (
            <li key={n}>
              <time dateTime={c.createdAt}>{i18n.dateTime(c.createdAt)}</time> — {c.description} ·{" "}
              {et("changeBy", { who: c.declaredBy })} · {c.resolvedAt ? et("changeResolved") : et("changeOpen")}
              {c.suspended ? ` · ${et("changeSuspended")}` : ""}
            </li>
          ))}
        </ul>
      )}
      {live && may && pending && <p className="note">{et("changePending")}</p>}
      {live && may && !pending && project.currentAssessment?.state === "PASSED" && (
        <DeclareChange
          projectId={project.id}
          version={project.version}
          canSuspend={project.state === "IMPLEMENTING"}
          declared={declared}
        />
      )}
    </section>
  );
}

function DeclareChange({
  projectId,
  version,
  canSuspend,
  declared,
}: {
  projectId: string;
  version: number;
  canSuspend: boolean;
  declared: () => void;
}) {
  const { et } = useEditText();
  const form = useForm("mc", ["description", "suspend"]);
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState("");
  const [suspend, setSuspend] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const check = requireFields({ description }, ["description"], et("required"));
    const doSuspend = canSuspend && suspend;
    if (!Object.keys(check).length && !window.confirm(et(doSuspend ? "confirmChangeSuspend" : "confirmChange")))
      return;
    const ok = await form.submit(
      check,
      async () =>
        onField(
          userError(
            (
              await request(DeclareChangeDoc, {
                id: projectId,
                v: version,
                description: description.trim(),
                suspend: doSuspend,
              })
            ).declareMajorChange,
          ),
          { id: "description" },
        ),
      et("changeDeclared"),
    );
    if (ok) {
      setOpen(false);
      setDescription("");
      setSuspend(false);
      declared();
    }
  };

  return (
    <div>
      <FormStatus error={null} notice={open ? null : form.notice} testId="major-change" />
      <button
        type="button"
        className="danger"
        aria-expanded={open}
        onClick={() => {
          form.setNotice(null);
          setOpen(!open);
        }}
      >
        {et("declareMajorChange")}
      </button>
      {open && (
        <form className="flow-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label={et("declareMajorChange")}>
          <Field prefix="mc" name="description" label={et("changeDescription")} errors={form.errors}>
            {(c) => (
              <textarea
                {...c}
                rows={3}
                autoFocus
                value={description}
                onChange={(e) => {
                  setDescription(e.target.value);
                  form.touched("description");
                }}
              />
            )}
          </Field>
          {canSuspend && (
            <div className="field">
              <label className="inline">
                <input type="checkbox" checked={suspend} onChange={(e) => setSuspend(e.target.checked)} />
                {et("changeSuspend")}
              </label>
            </div>
          )}
          <FormStatus error={form.formError} notice={null} testId="major-change" />
          <button type="submit" className="danger" disabled={form.busy}>
            {form.busy ? et("working") : et("declareMajorChange")}
          </button>
        </form>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// A measure's progress

const SetMeasureStatusDoc = graphql(`
  mutation SetMeasureStatus($measureId: ID!, $status: MeasureStatus!) {
    setMeasureStatus(measureId: $measureId, status: $status) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

/** One measure's owner and progress; its undertakers update the progress once the assessment passed. */
export function MeasureProgress({
  measure,
  editable,
  saved,
}: {
  measure: { id: string; description: string; status: MeasureStatus; owner?: { displayName: string } | null };
  editable: boolean;
  saved: () => void;
}) {
  const { et, measureStatus } = useEditText();
  const prefix = `ms-${measure.id.replace(/[^\w-]/g, "")}`;
  const form = useForm(prefix, ["status"]);
  const [status, setStatus] = useState<MeasureStatus>(measure.status);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const ok = await form.submit(
      {},
      async () =>
        onField(userError((await request(SetMeasureStatusDoc, { measureId: measure.id, status })).setMeasureStatus), {
          measureId: "status",
        }),
      et("statusSaved", { measure: measure.description }),
    );
    if (ok) saved();
  };

  return (
    <div className="measure-progress" data-testid={`measure-${measure.id}`}>
      <span>{et("ownerText", { who: measure.owner?.displayName ?? et("noOwner") })}</span>
      {editable ? (
        <form className="row" onSubmit={(e) => void onSubmit(e)} noValidate>
          <Field prefix={prefix} name="status" label={et("statusOf", { measure: measure.description })} errors={form.errors}>
            {(c) => (
              <select
                {...c}
                value={status}
                onChange={(e) => {
                  setStatus(e.target.value as MeasureStatus);
                  form.setNotice(null);
                  form.touched("status");
                }}
              >
                {MEASURE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {measureStatus(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={form.busy || status === measure.status}>
            {et("setStatus")}
            <span className="sr-only"> {measure.description}</span>
          </button>
          <FormStatus error={form.formError} notice={form.notice} testId="measure-status" />
        </form>
      ) : (
        <span>
          {" · "}
          {et("statusText", { status: measureStatus(measure.status) })}
        </span>
      )}
    </div>
  );
}
