// Hazards and their rectification: the list (per project or all, with an overdue filter), the
// report form on the project page, and the hazard page (plan, evidence, submit, verify).
import { useEffect, useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { request, userError } from "../api";
import { FileField, uploadFile } from "../flow/upload";
import { Field, FormStatus, requireFields, useForm, valuesOf } from "../flow/forms";
import { HAZARD_SEVERITIES, useFlowText } from "../flow/text";
import { graphql } from "../gql";
import type { DocumentKind, HazardSeverity, RiskCategory, Role } from "../gql/graphql";
import { RISK_CATEGORIES, useI18n } from "../i18n";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { HazardSupervision } from "./HazardSupervision";
import { useAttachText } from "../flow/attach-text";
import { AttachedDocuments } from "../flow/documents";
import { useSession } from "../session";
import { useTaskText } from "./taskText";

const HazardsDoc = graphql(`
  query Hazards($filter: HazardFilter) {
    hazards(filter: $filter, first: 100) {
      nodes {
        id
        title
        severity
        state
        deadline
        overdue
        reportedBy
        createdAt
        projectId
        projectTitle
        orgUnit {
          name
        }
        owner {
          displayName
        }
      }
    }
  }
`);

export function HazardList({ projectId }: { projectId?: string }) {
  const i18n = useI18n();
  const { ft, hazardState, hazardSeverity } = useFlowText();
  const { tt } = useTaskText();
  const [overdue, setOverdue] = useState(false);
  const list = useLoad(
    () => request(HazardsDoc, { filter: { projectId: projectId ?? null, overdue: overdue || null } }),
    [projectId, overdue],
  );
  const rows = list.data?.hazards.nodes ?? [];
  const boxId = `overdue-${projectId ?? "all"}`;
  return (
    <div data-testid="hazards">
      <p>
        <label className="inline" htmlFor={boxId}>
          <input id={boxId} type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />
          {ft("overdueOnly")}
        </label>
      </p>
      {list.loading && <Loading />}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && rows.length === 0 && <Empty>{ft("hazardsEmpty")}</Empty>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="hazards">
            <thead>
              <tr>
                <th scope="col">{ft("hazardTitle")}</th>
                <th scope="col">{ft("severity")}</th>
                <th scope="col">{i18n.t("state")}</th>
                <th scope="col">{ft("owner")}</th>
                <th scope="col">{ft("deadline")}</th>
                <th scope="col">{ft("reportedBy")}</th>
                {!projectId && <th scope="col">{tt("project")}</th>}
                {!projectId && <th scope="col">{tt("unit")}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((h) => (
                <tr key={h.id}>
                  <td>
                    <Link to={`/hazards/${h.id}`}>{h.title}</Link>
                  </td>
                  <td>{hazardSeverity(h.severity)}</td>
                  <td>
                    {hazardState(h.state)}
                    {h.overdue && <span className="tag-overdue"> {ft("overdue")}</span>}
                  </td>
                  <td>{h.owner?.displayName ?? "—"}</td>
                  <td>{h.deadline ? i18n.date(h.deadline) : "—"}</td>
                  <td>{h.reportedBy}</td>
                  {!projectId && <td>{h.projectTitle ?? "—"}</td>}
                  {!projectId && <td>{h.orgUnit?.name ?? "—"}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const ReportHazardDoc = graphql(`
  mutation ReportHazard(
    $projectId: ID!
    $title: String!
    $description: String!
    $severity: HazardSeverity!
    $category: RiskCategory
  ) {
    reportHazard(
      projectId: $projectId
      title: $title
      description: $description
      severity: $severity
      category: $category
    ) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

export function ReportHazard({ projectId, reported }: { projectId: string; reported: () => void }) {
  const i18n = useI18n();
  const { ft, hazardSeverity } = useFlowText();
  const form = useForm("hz", ["title", "description", "severity", "category"]);
  const [open, setOpen] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, ["title", "description", "severity", "category"]);
    const ok = await form.submit(
      requireFields(v, ["title", "description"], ft("required")),
      async () =>
        userError(
          (
            await request(ReportHazardDoc, {
              projectId,
              title: v.title,
              description: v.description,
              severity: v.severity as HazardSeverity,
              category: (v.category || null) as RiskCategory | null,
            })
          ).reportHazard,
        ),
      ft("hazardReported"),
    );
    if (ok) {
      setOpen(false);
      reported();
    }
  };

  return (
    <div>
      <FormStatus error={null} notice={open ? null : form.notice} testId="hazard-reported" />
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {ft("reportHazard")}
      </button>
      {open && (
        <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
          <Field prefix="hz" name="title" label={ft("hazardTitle")} errors={form.errors}>
            {(p) => <input {...p} type="text" onInput={() => form.touched("title")} />}
          </Field>
          <Field prefix="hz" name="description" label={ft("hazardDescription")} errors={form.errors}>
            {(p) => <textarea {...p} rows={2} onInput={() => form.touched("description")} />}
          </Field>
          <div className="row">
            <Field prefix="hz" name="severity" label={ft("severity")} errors={form.errors}>
              {(p) => (
                <select {...p} defaultValue="GENERAL">
                  {HAZARD_SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      {hazardSeverity(s)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field prefix="hz" name="category" label={ft("riskCategory")} errors={form.errors}>
              {(p) => (
                <select {...p} defaultValue="">
                  <option value="">—</option>
                  {RISK_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {i18n.category(c)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <FormStatus error={form.formError} notice={null} testId="hazard" />
          <button type="submit" className="primary" disabled={form.busy}>
            {ft("reportHazard")}
          </button>
        </form>
      )}
    </div>
  );
}

/** All the hazards the viewer may see, with the overdue filter (`/hazards`). */
export function HazardsScreen() {
  const { ft } = useFlowText();
  const [params] = useSearchParams();
  return (
    <>
      <h1 tabIndex={-1}>{ft("hazards")}</h1>
      <HazardList projectId={params.get("project") ?? undefined} />
    </>
  );
}

const HazardDoc = graphql(`
  query Hazard($id: ID!) {
    hazard(id: $id) {
      id
      title
      description
      source
      severity
      category
      state
      reportedBy
      deadline
      plan
      rectificationNote
      rectifiedAt
      verifiedBy
      verifiedAt
      verificationNote
      inadequateRectifications
      reopened
      createdAt
      version
      projectId
      overdue
      owner {
        id
        displayName
      }
    }
  }
`);

const HazardPeopleDoc = graphql(`
  query HazardPeople($id: ID!) {
    project(id: $id) {
      title
      orgUnit {
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

const PlanDoc = graphql(`
  mutation PlanRectification($id: ID!, $v: Int!, $ownerId: ID!, $deadline: Date!, $plan: String!) {
    planRectification(hazardId: $id, expectedVersion: $v, ownerId: $ownerId, deadline: $deadline, plan: $plan) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const SubmitDoc = graphql(`
  mutation SubmitRectification($id: ID!, $v: Int!, $note: String!) {
    submitRectification(hazardId: $id, expectedVersion: $v, note: $note) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const VerifyDoc = graphql(`
  mutation VerifyRectification($id: ID!, $v: Int!, $adequate: Boolean!, $note: String!) {
    verifyRectification(hazardId: $id, expectedVersion: $v, adequate: $adequate, note: $note) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const ReopenDoc = graphql(`
  mutation ReopenHazard($id: ID!, $v: Int!, $reason: String!) {
    reopenHazard(hazardId: $id, expectedVersion: $v, reason: $reason) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const EvidenceDoc = graphql(`
  query HazardEvidence($id: ID!) {
    documents(attachedTo: { type: HAZARD, id: $id }) {
      id
      title
      kind
    }
  }
`);

export function HazardPage() {
  const { id = "" } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const { ft, hazardState, hazardSeverity } = useFlowText();
  const hazard = useLoad(() => request(HazardDoc, { id }), [id]);
  const h = hazard.data?.hazard;
  const people = useLoad(
    () => (h ? request(HazardPeopleDoc, { id: h.projectId }) : Promise.resolve(null)),
    [h?.projectId],
  );
  const evidence = useLoad(() => request(EvidenceDoc, { id }), [id]);
  const { at } = useAttachText();
  const { viewer } = useSession();
  const roles = new Set(viewer?.roles.map((r) => r.role));
  const hasRole = (...wanted: Role[]) => wanted.some((r) => roles.has(r));

  if (hazard.loading && !hazard.data) return <Loading />;
  if (hazard.error) return <ErrorBox error={hazard.error} retry={hazard.reload} />;
  if (!h)
    return (
      <>
        <h1 tabIndex={-1}>{ft("hazard")}</h1>
        <p className="empty">{ft("hazardNotFound")}</p>
      </>
    );
  const project = people.data?.project;
  // The hazard's other documents are listed apart, below; here only its rectification evidence.
  const docs = (evidence.data?.documents ?? []).filter((d) => d.kind === "RECTIFICATION_EVIDENCE");
  // policies/policy.csv: who may upload a hazard's documents, and who verifies (and so reopens).
  const mayUpload =
    hasRole("SAFETY_MANAGEMENT", "RESEARCH_MANAGEMENT") || (!!h.owner && h.owner.id === viewer?.user?.id);
  const mayReopen = hasRole(
    "SAFETY_MANAGEMENT",
    "RESEARCH_MANAGEMENT",
    "BRANCH_SUPERVISOR",
    "SAFETY_COMMITTEE_OFFICE",
    "BUSINESS_DEPARTMENT",
  );

  return (
    <>
      <p>
        <Link to={`/projects/${h.projectId}`}>← {project?.title ?? ft("backToProject")}</Link>
      </p>
      <h1 tabIndex={-1}>{h.title}</h1>
      <dl className="facts">
        <dt>{t("state")}</dt>
        <dd data-testid="hazard-state">
          {hazardState(h.state)}
          {h.overdue && <span className="tag-overdue"> {ft("overdue")}</span>}
        </dd>
        <dt>{ft("severity")}</dt>
        <dd>{hazardSeverity(h.severity)}</dd>
        {h.category && (
          <>
            <dt>{t("category")}</dt>
            <dd>{i18n.category(h.category)}</dd>
          </>
        )}
        <dt>{ft("hazardDescription")}</dt>
        <dd>{h.description}</dd>
        <dt>{ft("reportedBy")}</dt>
        <dd>
          {h.reportedBy} · {i18n.dateTime(h.createdAt)}
        </dd>
        {h.plan && (
          <>
            <dt>{ft("plan")}</dt>
            <dd>{h.plan}</dd>
            <dt>{ft("owner")}</dt>
            <dd data-testid="hazard-owner">{h.owner?.displayName ?? "—"}</dd>
            <dt>{ft("deadline")}</dt>
            <dd>{h.deadline ? i18n.date(h.deadline) : "—"}</dd>
          </>
        )}
        {h.rectificationNote && (
          <>
            <dt>{ft("rectificationNote")}</dt>
            <dd>{h.rectificationNote}</dd>
          </>
        )}
        {h.reopened > 0 && (
          <>
            <dt>{at("reopenedTimes")}</dt>
            <dd data-testid="hazard-reopened">{h.reopened}</dd>
          </>
        )}
        {h.verifiedBy && (
          <>
            <dt>{ft("verifiedBy")}</dt>
            <dd>
              {h.verifiedBy}
              {h.verificationNote ? ` · ${h.verificationNote}` : ""}
            </dd>
          </>
        )}
      </dl>

      {(h.state === "OPEN" || h.state === "RECTIFYING") && project && (
        <PlanForm
          hazard={h}
          users={project.orgUnit.users.nodes}
          key={`plan-${h.version}`}
          replan={h.state === "RECTIFYING"}
          done={hazard.reload}
        />
      )}
      {h.state === "RECTIFYING" && (
        <section aria-labelledby="evidence-h">
          <h2 id="evidence-h">{ft("evidence")}</h2>
          {docs.length > 0 && (
            <ul data-testid="evidence">
              {docs.map((d) => (
                <li key={d.id}>{d.title}</li>
              ))}
            </ul>
          )}
          <EvidenceUpload hazardId={h.id} uploaded={evidence.reload} />
          <SubmitForm hazard={h} hasEvidence={docs.length > 0} done={hazard.reload} />
        </section>
      )}
      {h.state === "AWAITING_VERIFICATION" && <VerifyForm hazard={h} done={hazard.reload} />}
      {h.state === "CLOSED" && mayReopen && <ReopenForm hazard={h} title={h.title} done={hazard.reload} />}
      <section aria-labelledby="hazard-docs-h">
        <h2 id="hazard-docs-h">{at("hazardDocuments")}</h2>
        <p className="note">{at("hazardDocumentsIntro")}</p>
        <AttachedDocuments type="HAZARD" id={h.id} kinds={HAZARD_DOC_KINDS} canUpload={mayUpload} prefix="hd" />
      </section>
      <HazardSupervision hazardId={h.id} />
    </>
  );
}

/** What a hazard carries besides its rectification evidence (uploaded in its own section). */
const HAZARD_DOC_KINDS: DocumentKind[] = ["INSPECTION_REPORT", "MEETING_MINUTES", "OTHER"];

function ReopenForm({ hazard, title, done }: { hazard: HazardRef; title: string; done: () => void }) {
  const { at } = useAttachText();
  const form = useForm("ro", ["reason"]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { reason } = valuesOf(event.currentTarget, ["reason"] as const);
    const check = requireFields({ reason }, ["reason"], at("required"));
    if (!Object.keys(check).length && !window.confirm(at("confirmReopen", { title }))) return;
    const ok = await form.submit(
      check,
      async () => userError((await request(ReopenDoc, { id: hazard.id, v: hazard.version, reason })).reopenHazard),
      at("reopened"),
    );
    if (ok) done();
  };
  return (
    <section aria-labelledby="reopen-h">
      <h2 id="reopen-h">{at("reopen")}</h2>
      <p className="note">{at("reopenIntro")}</p>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <Field prefix="ro" name="reason" label={at("reopenReason")} errors={form.errors}>
          {(p) => <textarea {...p} rows={2} onInput={() => form.touched("reason")} />}
        </Field>
        <FormStatus error={form.formError} notice={form.notice} testId="reopen" />
        <button type="submit" disabled={form.busy}>
          {at("reopen")}
        </button>
      </form>
    </section>
  );
}

type HazardRef = { id: string; version: number; owner?: { id: string } | null; deadline?: string | null; plan?: string | null };

function PlanForm({
  hazard,
  users,
  replan,
  done,
}: {
  hazard: HazardRef;
  users: { id: string; displayName: string }[];
  replan: boolean;
  done: () => void;
}) {
  const { ft } = useFlowText();
  const form = useForm("pl", ["ownerId", "deadline", "plan"]);
  const [open, setOpen] = useState(!replan);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, ["ownerId", "deadline", "plan"]);
    const ok = await form.submit(requireFields(v, ["ownerId", "deadline", "plan"], ft("required")), async () =>
      userError(
        (
          await request(PlanDoc, {
            id: hazard.id,
            v: hazard.version,
            ownerId: v.ownerId,
            deadline: v.deadline,
            plan: v.plan,
          })
        ).planRectification,
      ),
    );
    if (ok) done();
  };
  return (
    <section aria-labelledby="plan-h">
      <h2 id="plan-h">{ft("planRectification")}</h2>
      {replan && (
        <button type="button" aria-expanded={open} aria-controls="plan-form" onClick={() => setOpen(!open)}>
          {ft("changePlan")}
        </button>
      )}
      {open && (
        <form id="plan-form" className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
          <div className="row">
            <Field prefix="pl" name="ownerId" label={ft("owner")} errors={form.errors}>
              {(p) => (
                <select {...p} defaultValue={hazard.owner?.id ?? ""} onChange={() => form.touched("ownerId")}>
                  <option value="">{ft("choose")}</option>
                  {users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.displayName}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field prefix="pl" name="deadline" label={ft("deadline")} errors={form.errors}>
              {(p) => <input {...p} type="date" defaultValue={hazard.deadline ?? ""} onInput={() => form.touched("deadline")} />}
            </Field>
          </div>
          <Field prefix="pl" name="plan" label={ft("plan")} errors={form.errors}>
            {(p) => <textarea {...p} rows={2} defaultValue={hazard.plan ?? ""} onInput={() => form.touched("plan")} />}
          </Field>
          <FormStatus error={form.formError} notice={form.notice} testId="plan" />
          <button type="submit" className="primary" disabled={form.busy}>
            {ft("planRectification")}
          </button>
        </form>
      )}
    </section>
  );
}

function EvidenceUpload({ hazardId, uploaded }: { hazardId: string; uploaded: () => void }) {
  const { ft } = useFlowText();
  const form = useForm("ev", ["file"]);
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = file;
    const ok = await form.submit(
      chosen ? {} : { file: ft("required") },
      async () => {
        if (!chosen) return null;
        const error = await uploadFile(
          {
            fileName: chosen.name,
            size: chosen.size,
            newDocument: {
              attachedTo: { type: "HAZARD", id: hazardId },
              kind: "RECTIFICATION_EVIDENCE",
              sensitivity: "INTERNAL",
              title: chosen.name,
            },
          },
          chosen,
          setPercent,
        );
        return error ? { ...error, field: "file" } : null;
      },
      ft("uploaded", { name: chosen?.name ?? "" }),
    );
    if (ok) {
      setFile(null);
      (event.target as HTMLFormElement).reset();
      uploaded();
    }
    setPercent(null);
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <FileField
        prefix="ev"
        label={ft("evidenceFile")}
        errors={form.errors}
        percent={percent}
        progressLabel={(pct) => ft("uploading", { pct })}
        onFile={(chosen) => {
          setFile(chosen);
          form.touched("file");
        }}
      />
      <FormStatus error={form.formError} notice={form.notice} testId="upload" />
      <button type="submit" disabled={form.busy}>
        {ft("upload")}
      </button>
    </form>
  );
}

function SubmitForm({ hazard, hasEvidence, done }: { hazard: HazardRef; hasEvidence: boolean; done: () => void }) {
  const { ft } = useFlowText();
  const form = useForm("rs", ["note", "evidence"]);
  const { touched } = form;
  useEffect(() => {
    if (hasEvidence) touched("evidence");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hasEvidence]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get("note") ?? "").trim();
    const check = requireFields({ note }, ["note"], ft("required"));
    if (!hasEvidence) check.evidence = ft("evidenceFirst");
    if (!Object.keys(check).length && !window.confirm(ft("confirmSubmitRectification"))) return;
    const ok = await form.submit(check, async () => {
      const error = userError((await request(SubmitDoc, { id: hazard.id, v: hazard.version, note })).submitRectification);
      return error?.field === "evidence" ? { ...error, message: ft("evidenceFirst") } : error;
    });
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      {form.errors.evidence && (
        <p className="field-error" id="rs-evidence" tabIndex={-1}>
          {form.errors.evidence}
        </p>
      )}
      <Field prefix="rs" name="note" label={ft("rectificationNote")} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} onInput={() => form.touched("note")} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="rectification" />
      <button type="submit" className="primary" disabled={form.busy}>
        {ft("submitRectification")}
      </button>
    </form>
  );
}

function VerifyForm({ hazard, done }: { hazard: HazardRef; done: () => void }) {
  const { ft } = useFlowText();
  const form = useForm("vf", ["adequate", "note"]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const note = String(data.get("note") ?? "").trim();
    const adequate = String(data.get("adequate") ?? "");
    const check = requireFields({ note, adequate }, ["adequate", "note"], ft("required"));
    if (!Object.keys(check).length && !window.confirm(ft("confirmVerify"))) return;
    const ok = await form.submit(check, async () =>
      userError(
        (await request(VerifyDoc, { id: hazard.id, v: hazard.version, adequate: adequate === "yes", note }))
          .verifyRectification,
      ),
    );
    if (ok) done();
  };
  return (
    <section aria-labelledby="verify-h">
      <h2 id="verify-h">{ft("verify")}</h2>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <fieldset aria-describedby={form.errors.adequate ? "vf-adequate-error" : undefined}>
          <legend>{ft("decision")}</legend>
          <label className="inline">
            <input type="radio" name="adequate" value="yes" id="vf-adequate" onChange={() => form.touched("adequate")} />
            {ft("adequate")}
          </label>{" "}
          <label className="inline">
            <input type="radio" name="adequate" value="no" onChange={() => form.touched("adequate")} />
            {ft("inadequate")}
          </label>
          {form.errors.adequate && (
            <p id="vf-adequate-error" className="field-error">
              {form.errors.adequate}
            </p>
          )}
        </fieldset>
        <Field prefix="vf" name="note" label={ft("verificationNote")} errors={form.errors}>
          {(p) => <textarea {...p} rows={2} onInput={() => form.touched("note")} />}
        </Field>
        <FormStatus error={form.formError} notice={form.notice} testId="verify" />
        <button type="submit" className="primary" disabled={form.busy}>
          {ft("verify")}
        </button>
      </form>
    </section>
  );
}
