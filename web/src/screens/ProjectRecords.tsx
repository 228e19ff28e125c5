// The project's records on its page: documents (upload with progress, versions, download through a
// short-lived link, withdraw), filing and HQ's decision, permits, and outcome release reviews.
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { request, userError } from "../api";
import { FileField, attachToProject } from "../flow/upload";
import { graphql } from "../gql";
import type { ProjectRecordsQuery, ReviewAspect, Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { ErrorBox, Loading, useLoad } from "../util";
import { useSession } from "../session";
import { useFlowText } from "../flow/text";
import { useAttachText } from "../flow/attach-text";
import { DocumentLink, DocumentList, UploadDocumentForm } from "../flow/documents";
import { ChoiceSelect, Field, FormStatus, requireFields, today, useForm, valuesOf } from "../flow/forms";
import {
  ASPECTS,
  DOC_KINDS,
  FILING_DECISIONS,
  OUTCOME_KINDS,
  RELEASE_DECISIONS,
  VERDICTS,
  useRecordsText,
} from "../flow/records-text";


const RecordsDoc = graphql(`
  query ProjectRecords($id: ID!) {
    project(id: $id) {
      id
      state
      permitLapsed
      closureSummary
      documents {
        ...DocumentListItem
      }
      filings {
        id
        state
        signedBy
        statement
        hqDecidedBy
        hqDecidedAt
        hqComment
        createdAt
      }
      permits {
        authority
        permitNumber
        scope
        validFrom
        validUntil
        validToday
        documentId
      }
    }
    hazards(filter: { projectId: $id, states: [OPEN, RECTIFYING, AWAITING_VERIFICATION] }, first: 100) {
      nodes {
        id
        title
        state
        version
        handedOverReason
        handedOverBy
      }
    }
    outcomes(projectId: $id) {
      nodes {
        id
        kind
        title
        channel
        submittedBy
        decision
        decidedBy
        decisionNote
        controlled
        materialDocumentId
        createdAt
        reviews {
          aspect
          verdict
          opinion
          reviewer
        }
      }
    }
  }
`);
type Records = ProjectRecordsQuery;
type Doc = NonNullable<Records["project"]>["documents"][number];
type Outcome = Records["outcomes"]["nodes"][number];
type OpenHazard = Records["hazards"]["nodes"][number];

const WithdrawDoc = graphql(`
  mutation WithdrawVersion($id: ID!, $reason: String!) {
    withdrawDocumentVersion(versionId: $id, reason: $reason) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const DecideFilingDoc = graphql(`
  mutation DecideFiling($id: ID!, $decision: FilingDecision!, $comment: String!) {
    decideFiling(filingId: $id, decision: $decision, comment: $comment) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const PermitDoc = graphql(`
  mutation RecordPermit($input: PermitInput!) {
    recordPermit(input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const SubmitOutcomeDoc = graphql(`
  mutation SubmitOutcome(
    $projectId: ID!
    $kind: OutcomeKind!
    $title: String!
    $channel: String!
    $materialDocumentId: ID
  ) {
    submitOutcome(
      projectId: $projectId
      kind: $kind
      title: $title
      channel: $channel
      materialDocumentId: $materialDocumentId
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
const ReviewOutcomeDoc = graphql(`
  mutation ReviewOutcome($id: ID!, $aspect: ReviewAspect!, $verdict: AspectVerdict!, $opinion: String!) {
    reviewOutcome(outcomeId: $id, aspect: $aspect, verdict: $verdict, opinion: $opinion) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const HandOverDoc = graphql(`
  mutation HandOverHazard($id: ID!, $v: Int!, $reason: String!) {
    handOverHazard(hazardId: $id, expectedVersion: $v, reason: $reason) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const DecideReleaseDoc = graphql(`
  mutation DecideRelease($id: ID!, $decision: ReleaseDecision!, $note: String!) {
    decideOutcomeRelease(outcomeId: $id, decision: $decision, note: $note) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

/** Who reviews which aspect (policies/policy.csv, R-OUTCOME); the server decides. */
const ASPECT_ROLES: Record<ReviewAspect, Role[]> = {
  SECRECY: ["SECRECY_OFFICER"],
  DATA_SECURITY: ["RESEARCH_MANAGEMENT"],
  PATENT: ["RESEARCH_MANAGEMENT"],
  PUBLIC_OPINION: ["PUBLIC_OPINION_OFFICER"],
  ETHICS: ["COORDINATION_MEMBER", "COORDINATION_LEADER"],
};

function useRoles() {
  const { viewer } = useSession();
  const roles = new Set(viewer?.roles.map((r) => r.role));
  return (...wanted: Role[]) => wanted.some((r) => roles.has(r));
}

export function ProjectRecords({ projectId }: { projectId: string }) {
  const { rt } = useRecordsText();
  const records = useLoad(() => request(RecordsDoc, { id: projectId }), [projectId]);
  if (records.loading && !records.data)
    return (
      <section aria-labelledby="documents-h">
        <h2 id="documents-h">{rt("documents")}</h2>
        <Loading />
      </section>
    );
  if (records.error) return <ErrorBox error={records.error} retry={records.reload} />;
  const p = records.data?.project;
  if (!p) return null;
  return (
    <>
      <Documents projectId={projectId} documents={p.documents} reload={records.reload} />
      <Filings project={p} reload={records.reload} />
      <Outcomes
        projectId={projectId}
        outcomes={records.data?.outcomes.nodes ?? []}
        documents={p.documents}
        reload={records.reload}
      />
      {(p.state === "CLOSING" || p.state === "CLOSED") && (
        <Closure
          state={p.state}
          summary={p.closureSummary ?? null}
          hazards={records.data?.hazards.nodes ?? []}
          reload={records.reload}
        />
      )}
    </>
  );
}

function Documents({ projectId, documents, reload }: { projectId: string; documents: Doc[]; reload: () => void }) {
  const { rt } = useRecordsText();
  return (
    <section aria-labelledby="documents-h">
      <h2 id="documents-h">{rt("documents")}</h2>
      <DocumentList
        documents={documents}
        text={rt}
        testIds={{ list: "documents", item: "document", version: "document-version" }}
        actions={(d, v) => <WithdrawVersion versionId={v.id} number={v.number} title={d.title} done={reload} />}
      />
      <UploadDocumentForm
        type="PROJECT"
        id={projectId}
        kinds={DOC_KINDS}
        prefix="doc"
        documents={documents}
        uploaded={reload}
        text={rt}
        statusTestId="document-upload"
      />
    </section>
  );
}

function WithdrawVersion({ versionId, number, title, done }: { versionId: string; number: number; title: string; done: () => void }) {
  const { rt } = useRecordsText();
  const [open, setOpen] = useState(false);
  const prefix = `wd-${versionId.replace(/[^A-Za-z0-9]/g, "")}`;
  const form = useForm(prefix, ["reason"]);
  if (!open)
    return (
      <button type="button" aria-label={`${rt("withdraw")} ${title} v${number}`} onClick={() => setOpen(true)}>
        {rt("withdraw")}
      </button>
    );
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { reason } = valuesOf(event.currentTarget, ["reason"] as const);
    const check = requireFields({ reason }, ["reason"], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmWithdraw", { n: number }))) return;
    const ok = await form.submit(check, async () =>
      userError((await request(WithdrawDoc, { id: versionId, reason })).withdrawDocumentVersion),
    );
    if (ok) done();
  };
  return (
    <form className="flow-form inline-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <Field prefix={prefix} name="reason" label={rt("withdrawReason")} errors={form.errors}>
        {(p) => <input {...p} autoFocus />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="withdraw" />
      <button type="submit" disabled={form.busy}>
        {rt("withdraw")}
      </button>
    </form>
  );
}

function Filings({ project, reload }: { project: NonNullable<Records["project"]>; reload: () => void }) {
  const { rt, filingState } = useRecordsText();
  const i18n = useI18n();
  const has = useRoles();
  const { at } = useAttachText();
  const open = project.filings.find((f) => f.state !== "RECORDED");
  return (
    <section aria-labelledby="filing-h">
      <h2 id="filing-h">
        {rt("filing")} · {rt("permits")}
      </h2>
      <h3>{rt("filing")}</h3>
      {project.filings.length === 0 ? (
        <p className="empty">{rt("filingsEmpty")}</p>
      ) : (
        <ul data-testid="filings">
          {project.filings.map((f) => (
            <li key={f.id}>
              {i18n.dateTime(f.createdAt)} · {filingState(f.state)} · {rt("filingSignedBy")} {f.signedBy}
              {f.statement ? ` — ${f.statement}` : ""}
              {f.hqDecidedBy && (
                <>
                  {" "}
                  · {f.hqDecidedBy}
                  {f.hqComment ? `: ${f.hqComment}` : ""}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && has("BUSINESS_DEPARTMENT") && <DecideFiling filingId={open.id} done={reload} />}
      <h3>{rt("permits")}</h3>
      {project.permitLapsed && (
        <p className="form-error" role="alert">
          {rt("permitLapsed")}
        </p>
      )}
      {project.permits.length === 0 ? (
        <p className="empty">{rt("permitsEmpty")}</p>
      ) : (
        <ul data-testid="permits">
          {project.permits.map((p) => (
            <li key={p.permitNumber}>
              {p.authority} · {p.permitNumber} · {p.scope} · {i18n.date(p.validFrom)} – {i18n.date(p.validUntil)} ·{" "}
              {p.validToday ? rt("validToday") : rt("notValid")} ·{" "}
              {p.documentId ? (
                <DocumentLink
                  documentId={p.documentId}
                  documents={project.documents}
                  label={at("permitDocument")}
                  testId="permit-document"
                />
              ) : (
                at("permitNoDocument")
              )}
            </li>
          ))}
        </ul>
      )}
      {has("RESEARCH_MANAGEMENT", "RESEARCHER") && <RecordPermit projectId={project.id} done={reload} />}
    </section>
  );
}

function DecideFiling({ filingId, done }: { filingId: string; done: () => void }) {
  const { rt, filingDecision } = useRecordsText();
  const form = useForm("fd", ["decision", "comment"]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, ["decision", "comment"] as const);
    const check = requireFields(v, ["decision"], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmDecideFiling"))) return;
    const ok = await form.submit(check, async () =>
      userError(
        (
          await request(DecideFilingDoc, {
            id: filingId,
            decision: v.decision as (typeof FILING_DECISIONS)[number],
            comment: v.comment,
          })
        ).decideFiling,
      ),
    );
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h4>{rt("decideFiling")}</h4>
      <Field prefix="fd" name="decision" label={rt("decision")} errors={form.errors}>
        {(p) => <ChoiceSelect control={p} values={FILING_DECISIONS} label={filingDecision} />}
      </Field>
      <Field prefix="fd" name="comment" label={rt("comment")} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="decide-filing" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("decideFiling")}
      </button>
    </form>
  );
}

function RecordPermit({ projectId, done }: { projectId: string; done: () => void }) {
  const { rt } = useRecordsText();
  const { at } = useAttachText();
  const names = ["authority", "permitNumber", "scope", "validFrom", "validUntil"] as const;
  const form = useForm("pm", [...names, "file", "documentId"]);
  const [file, setFile] = useState<File | null>(null);
  // A file already uploaded is not uploaded again when the form is corrected and sent again.
  const sent = useRef<{ file: File; id: string } | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const v = valuesOf(el, names);
    const check = requireFields(v, [...names], rt("required"));
    if (!check.validFrom && !check.validUntil && v.validUntil < v.validFrom) check.validUntil = rt("untilBeforeFrom");
    const chosen = file;
    const ok = await form.submit(check, async () => {
      // R-PERMIT: the permit's own document goes to the project first, as a permit.
      let documentId: string | null = null;
      if (chosen) {
        const uploaded = await attachToProject(
          projectId,
          "PERMIT",
          `${v.authority} ${v.permitNumber}`,
          chosen,
          sent.current,
          (u) => (sent.current = u),
          setPercent,
        );
        setPercent(null);
        if (uploaded.error) return uploaded.error;
        documentId = uploaded.documentId;
      }
      const error = userError((await request(PermitDoc, { input: { projectId, ...v, documentId } })).recordPermit);
      return error?.field === "documentId" ? { ...error, field: "file" } : error;
    });
    if (ok) {
      setFile(null);
      el.reset();
      done();
    }
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h4>{rt("recordPermit")}</h4>
      <Field prefix="pm" name="authority" label={rt("authority")} errors={form.errors}>
        {(p) => <input {...p} />}
      </Field>
      <Field prefix="pm" name="permitNumber" label={rt("permitNumber")} errors={form.errors}>
        {(p) => <input {...p} />}
      </Field>
      <Field prefix="pm" name="scope" label={rt("scope")} errors={form.errors}>
        {(p) => <input {...p} />}
      </Field>
      <Field prefix="pm" name="validFrom" label={rt("validFrom")} errors={form.errors}>
        {(p) => <input {...p} type="date" defaultValue={today()} />}
      </Field>
      <Field prefix="pm" name="validUntil" label={rt("validUntil")} errors={form.errors}>
        {(p) => <input {...p} type="date" />}
      </Field>
      <FileField
        prefix="pm"
        label={at("permitFile")}
        errors={form.errors}
        percent={percent}
        progressLabel={(pct) => at("uploading", { pct })}
        onFile={(chosen) => {
          setFile(chosen);
          form.touched("file");
        }}
      />
      <FormStatus error={form.formError} notice={form.notice} testId="permit" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("recordPermit")}
      </button>
    </form>
  );
}

function Outcomes({
  projectId,
  outcomes,
  documents,
  reload,
}: {
  projectId: string;
  outcomes: Outcome[];
  documents: Doc[];
  reload: () => void;
}) {
  const { rt, outcomeKind, aspect, verdict, releaseDecision } = useRecordsText();
  const { at } = useAttachText();
  const has = useRoles();
  return (
    <section aria-labelledby="outcomes-h">
      <h2 id="outcomes-h">{rt("outcomes")}</h2>
      {outcomes.length === 0 ? (
        <p className="empty">{rt("outcomesEmpty")}</p>
      ) : (
        <ul data-testid="outcomes">
          {outcomes.map((o) => {
            const reviewed = new Set(o.reviews.map((r) => r.aspect));
            const pending = ASPECTS.filter((a) => !reviewed.has(a));
            const mine = pending.filter((a) => has(...ASPECT_ROLES[a]));
            return (
              <li key={o.id} data-testid="outcome">
                <strong>{o.title}</strong> · {outcomeKind(o.kind)} · {o.channel} · {o.submittedBy}
                <p>
                  {o.materialDocumentId ? (
                    <DocumentLink
                      documentId={o.materialDocumentId}
                      documents={documents}
                      label={at("material")}
                      testId="outcome-material"
                    />
                  ) : (
                    <span className="note">{at("materialNone")}</span>
                  )}
                </p>
                <p data-testid="outcome-decision">
                  {rt("decideRelease")}:{" "}
                  {o.decision ? `${releaseDecision(o.decision)} (${o.decidedBy}) ${o.decisionNote ?? ""}` : rt("notDecided")}
                  {o.controlled && ` · ${rt("controlled")}`}
                </p>
                {o.reviews.length > 0 && (
                  <table>
                    <caption>{rt("reviews")}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{rt("aspect")}</th>
                        <th scope="col">{rt("verdict")}</th>
                        <th scope="col">{rt("opinion")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.reviews.map((r) => (
                        <tr key={r.aspect}>
                          <td>{aspect(r.aspect)}</td>
                          <td>{verdict(r.verdict)}</td>
                          <td>
                            {r.opinion} — {r.reviewer}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {!o.decision && pending.length > 0 && (
                  <p className="note">{rt("pendingAspects", { list: pending.map(aspect).join("、") })}</p>
                )}
                {!o.decision && mine.length > 0 && <ReviewOutcome outcomeId={o.id} aspects={mine} done={reload} />}
                {!o.decision && pending.length === 0 && has("RESEARCH_MANAGEMENT") && (
                  <DecideRelease outcomeId={o.id} done={reload} />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {has("RESEARCHER", "RESEARCH_MANAGEMENT") && <SubmitOutcome projectId={projectId} done={reload} />}
    </section>
  );
}

function SubmitOutcome({ projectId, done }: { projectId: string; done: () => void }) {
  const { rt, outcomeKind } = useRecordsText();
  const { at } = useAttachText();
  const names = ["kind", "title", "channel"] as const;
  const form = useForm("oc", [...names, "file", "materialDocumentId"]);
  const [file, setFile] = useState<File | null>(null);
  // A file already uploaded is not uploaded again when the form is corrected and sent again.
  const sent = useRef<{ file: File; id: string } | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const v = valuesOf(el, names);
    const check = requireFields(v, [...names], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmSubmitOutcome"))) return;
    const chosen = file;
    const ok = await form.submit(check, async () => {
      // R-OUTCOME: the material under review goes to the project first, as outcome material.
      let materialDocumentId: string | null = null;
      if (chosen) {
        const uploaded = await attachToProject(
          projectId,
          "OUTCOME_MATERIAL",
          v.title,
          chosen,
          sent.current,
          (u) => (sent.current = u),
          setPercent,
        );
        setPercent(null);
        if (uploaded.error) return uploaded.error;
        materialDocumentId = uploaded.documentId;
      }
      const error = userError(
        (
          await request(SubmitOutcomeDoc, {
            projectId,
            kind: v.kind as (typeof OUTCOME_KINDS)[number],
            title: v.title,
            channel: v.channel,
            materialDocumentId,
          })
        ).submitOutcome,
      );
      return error?.field === "materialDocumentId" ? { ...error, field: "file" } : error;
    });
    if (ok) {
      setFile(null);
      el.reset();
      done();
    }
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h3>{rt("submitOutcome")}</h3>
      <Field prefix="oc" name="kind" label={rt("outcomeKind")} errors={form.errors}>
        {(p) => <ChoiceSelect control={p} values={OUTCOME_KINDS} label={outcomeKind} />}
      </Field>
      <Field prefix="oc" name="title" label={rt("outcomeTitle")} errors={form.errors}>
        {(p) => <input {...p} />}
      </Field>
      <Field prefix="oc" name="channel" label={rt("channel")} errors={form.errors}>
        {(p) => <input {...p} />}
      </Field>
      <FileField
        prefix="oc"
        label={at("materialFile")}
        errors={form.errors}
        percent={percent}
        progressLabel={(pct) => at("uploading", { pct })}
        onFile={(chosen) => {
          setFile(chosen);
          form.touched("file");
        }}
      />
      <FormStatus error={form.formError} notice={form.notice} testId="outcome" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("submitOutcome")}
      </button>
    </form>
  );
}

function ReviewOutcome({ outcomeId, aspects, done }: { outcomeId: string; aspects: ReviewAspect[]; done: () => void }) {
  const { rt, aspect, verdict } = useRecordsText();
  const names = ["aspect", "verdict", "opinion"] as const;
  const form = useForm("or", names);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, names);
    const check = requireFields(v, [...names], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmReview"))) return;
    const ok = await form.submit(check, async () =>
      userError(
        (
          await request(ReviewOutcomeDoc, {
            id: outcomeId,
            aspect: v.aspect as ReviewAspect,
            verdict: v.verdict as (typeof VERDICTS)[number],
            opinion: v.opinion,
          })
        ).reviewOutcome,
      ),
    );
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h4>{rt("reviewOutcome")}</h4>
      <Field prefix="or" name="aspect" label={rt("aspect")} errors={form.errors}>
        {(p) => (
          <select {...p} defaultValue={aspects[0]}>
            {aspects.map((a) => (
              <option key={a} value={a}>
                {aspect(a)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field prefix="or" name="verdict" label={rt("verdict")} errors={form.errors}>
        {(p) => <ChoiceSelect control={p} values={VERDICTS} label={verdict} />}
      </Field>
      <Field prefix="or" name="opinion" label={rt("opinion")} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="outcome-review" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("reviewOutcome")}
      </button>
    </form>
  );
}

function DecideRelease({ outcomeId, done }: { outcomeId: string; done: () => void }) {
  const { rt, releaseDecision } = useRecordsText();
  const names = ["decision", "note"] as const;
  const form = useForm("rd", names);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, names);
    const check = requireFields(v, [...names], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmDecide"))) return;
    const ok = await form.submit(check, async () =>
      userError(
        (
          await request(DecideReleaseDoc, {
            id: outcomeId,
            decision: v.decision as (typeof RELEASE_DECISIONS)[number],
            note: v.note,
          })
        ).decideOutcomeRelease,
      ),
    );
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h4>{rt("decideRelease")}</h4>
      <Field prefix="rd" name="decision" label={rt("decision")} errors={form.errors}>
        {(p) => <ChoiceSelect control={p} values={RELEASE_DECISIONS} label={releaseDecision} />}
      </Field>
      <Field prefix="rd" name="note" label={rt("note")} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="release" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("decideRelease")}
      </button>
    </form>
  );
}

function Closure({
  state,
  summary,
  hazards,
  reload,
}: {
  state: string;
  summary: string | null;
  hazards: OpenHazard[];
  reload: () => void;
}) {
  const { rt } = useRecordsText();
  const { hazardState } = useFlowText();
  const has = useRoles();
  const mayHandOver = state === "CLOSING" && has("RESEARCH_MANAGEMENT", "SAFETY_MANAGEMENT");
  return (
    <section aria-labelledby="closure-h">
      <h2 id="closure-h">{rt("closure")}</h2>
      {summary && (
        <dl className="facts">
          <dt>{rt("closureSummary")}</dt>
          <dd data-testid="closure-summary">{summary}</dd>
        </dl>
      )}
      <h3>{rt("openHazards")}</h3>
      {hazards.length === 0 ? (
        <p className="empty">{rt("openHazardsEmpty")}</p>
      ) : (
        <ul data-testid="handover">
          {hazards.map((h) => (
            <li key={h.id}>
              <Link to={`/hazards/${h.id}`}>{h.title}</Link> · {hazardState(h.state)}
              {h.handedOverReason ? (
                <span>
                  {" "}
                  — {rt("handedOver")} ({h.handedOverBy}): {h.handedOverReason}
                </span>
              ) : (
                mayHandOver && <HandOver hazard={h} done={reload} />
              )}
            </li>
          ))}
        </ul>
      )}
      {state === "CLOSING" && <p className="note">{rt("closureNote")}</p>}
    </section>
  );
}

function HandOver({ hazard, done }: { hazard: OpenHazard; done: () => void }) {
  const { rt } = useRecordsText();
  const prefix = `ho-${hazard.id.replace(/[^A-Za-z0-9]/g, "")}`;
  const form = useForm(prefix, ["reason"]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { reason } = valuesOf(event.currentTarget, ["reason"] as const);
    const check = requireFields({ reason }, ["reason"], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmHandOver", { title: hazard.title }))) return;
    const ok = await form.submit(check, async () =>
      userError((await request(HandOverDoc, { id: hazard.id, v: hazard.version, reason })).handOverHazard),
    );
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <Field prefix={prefix} name="reason" label={`${rt("handOverReason")}：${hazard.title}`} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="handover" />
      <button type="submit" disabled={form.busy}>
        {rt("handOver")}
      </button>
    </form>
  );
}
