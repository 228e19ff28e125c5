// The project page's actions: lifecycle transitions, review and sign-off, inspections.
import { useState, type FormEvent } from "react";
import { request, userError, type FieldError } from "../api";
import { Field, FormStatus, requireFields, today, useForm, valuesOf } from "../flow/forms";
import { CHECK_RESULTS, HAZARD_SEVERITIES, REVIEW_METHODS, useFlowText } from "../flow/text";
import { graphql } from "../gql";
import type { CheckResult, HazardSeverity, ReviewDecision, ReviewMethod, ReviewStage } from "../gql/graphql";
import { useI18n } from "../i18n";
import { reviewStages } from "../flow/roles";
import { useSession } from "../session";
import { useEditText } from "../flow/edit-text";
import { FileField, attachToProject } from "../flow/upload";

const ApproveDoc = graphql(`
  mutation ApproveProject($id: ID!, $v: Int!) {
    approveProject(id: $id, expectedVersion: $v) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const StartDoc = graphql(`
  mutation StartProject($id: ID!, $v: Int!) {
    startProject(id: $id, expectedVersion: $v) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const ResumeDoc = graphql(`
  mutation ResumeProject($id: ID!, $v: Int!) {
    resumeProject(id: $id, expectedVersion: $v) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const OutcomeDoc = graphql(`
  mutation EnterOutcomeStage($id: ID!, $v: Int!) {
    enterOutcomeStage(id: $id, expectedVersion: $v) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const StartClosingDoc = graphql(`
  mutation StartClosing($id: ID!, $v: Int!) {
    startClosing(id: $id, expectedVersion: $v) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const SuspendDoc = graphql(`
  mutation SuspendProject($id: ID!, $v: Int!, $text: String!) {
    suspendProject(id: $id, expectedVersion: $v, reason: $text) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const TerminateDoc = graphql(`
  mutation TerminateProject($id: ID!, $v: Int!, $text: String!) {
    terminateProject(id: $id, expectedVersion: $v, reason: $text) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const CloseDoc = graphql(`
  mutation CloseProject($id: ID!, $v: Int!, $text: String!) {
    closeProject(id: $id, expectedVersion: $v, summary: $text) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);
const FileDoc = graphql(`
  mutation FileProject($id: ID!, $v: Int!, $text: String!) {
    fileProject(id: $id, expectedVersion: $v, statement: $text) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

type Fire = (id: string, v: number, text: string) => Promise<FieldError | null>;

/** Each transition the page can fire, with the text its guard needs (if any). */
const ACTIONS: Record<string, { fire: Fire; text?: "reason" | "closeSummary" | "fileStatement"; optional?: boolean }> = {
  approve: { fire: async (id, v) => userError((await request(ApproveDoc, { id, v })).approveProject) },
  start: { fire: async (id, v) => userError((await request(StartDoc, { id, v })).startProject) },
  resume: { fire: async (id, v) => userError((await request(ResumeDoc, { id, v })).resumeProject) },
  enter_outcome: {
    fire: async (id, v) => userError((await request(OutcomeDoc, { id, v })).enterOutcomeStage),
  },
  start_closing: {
    fire: async (id, v) => userError((await request(StartClosingDoc, { id, v })).startClosing),
  },
  suspend: {
    text: "reason",
    fire: async (id, v, text) => userError((await request(SuspendDoc, { id, v, text })).suspendProject),
  },
  terminate: {
    text: "reason",
    fire: async (id, v, text) =>
      userError((await request(TerminateDoc, { id, v, text })).terminateProject),
  },
  close: {
    text: "closeSummary",
    fire: async (id, v, text) => userError((await request(CloseDoc, { id, v, text })).closeProject),
  },
  file: {
    text: "fileStatement",
    optional: true,
    fire: async (id, v, text) => userError((await request(FileDoc, { id, v, text })).fileProject),
  },
};

export function LifecycleActions({
  project,
  reload,
}: {
  project: { id: string; version: number; allowedTransitions: string[]; permittedTransitions: string[] };
  reload: () => void;
}) {
  const i18n = useI18n();
  const { ft } = useFlowText();
  const [open, setOpen] = useState<string | null>(null);
  const form = useForm("tr", ["text"]);
  const [text, setText] = useState("");

  const fire = async (name: string) => {
    const action = ACTIONS[name];
    if (!action) return;
    const check: Record<string, string> =
      action.text && !action.optional && !text.trim() ? { text: ft("required") } : {};
    if (!Object.keys(check).length && !window.confirm(ft("confirmAction", { action: i18n.transition(name) })))
      return;
    const ok = await form.submit(check, () => action.fire(project.id, project.version, text.trim()));
    if (ok) {
      setOpen(null);
      setText("");
      reload();
    }
  };

  // The transitions this viewer may fire (the server's permittedTransitions); guards may still refuse.
  const names = project.permittedTransitions.filter((n) => n in ACTIONS);
  const openText = open ? ACTIONS[open]?.text : undefined;
  const open_ = open && openText ? open : null;
  return (
    <div className="flow-actions" data-testid="actions">
      <h3>{ft("actions")}</h3>
      {names.length === 0 ? null : (
        <div className="actions">
          {names.map((name) => (
            <button
              key={name}
              type="button"
              className={name === "terminate" ? "danger" : "primary"}
              aria-expanded={ACTIONS[name]?.text ? open === name : undefined}
              disabled={form.busy}
              onClick={() => {
                if (ACTIONS[name]?.text) {
                  setOpen(open === name ? null : name);
                  form.setNotice(null);
                } else void fire(name);
              }}
            >
              {i18n.transition(name)}
            </button>
          ))}
        </div>
      )}
      {project.allowedTransitions.includes("submit") && (
        <p className="note">{ft("submitGoesToEditor")}</p>
      )}
      {(project.allowedTransitions.includes("return") || project.allowedTransitions.includes("reject")) && (
        <p className="note">{ft("reviewDecidesReturn")}</p>
      )}
      {open_ && (
        <form
          className="flow-form"
          onSubmit={(e) => {
            e.preventDefault();
            void fire(open_);
          }}
        >
          <Field prefix="tr" name="text" label={ft(openText ?? "reason")} errors={form.errors}>
            {(p) => (
              <textarea
                {...p}
                rows={2}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  form.touched("text");
                }}
              />
            )}
          </Field>
          <button type="submit" className={open_ === "terminate" ? "danger" : "primary"} disabled={form.busy}>
            {i18n.transition(open_)}
          </button>
        </form>
      )}
      <FormStatus error={form.formError} notice={form.notice} testId="transition" />
    </div>
  );
}

const ReviewDoc = graphql(`
  mutation RecordReview($input: ReviewInput!) {
    recordReview(input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const DECISIONS: ReviewDecision[] = ["PASS", "RETURN", "FAIL"];

export function ReviewForm({
  projectId,
  assessmentId,
  reload,
}: {
  projectId: string;
  assessmentId: string;
  reload: () => void;
}) {
  const { viewer } = useSession();
  const stages = reviewStages(viewer);
  return stages.length ? (
    <ReviewFormFor projectId={projectId} assessmentId={assessmentId} reload={reload} stages={stages} />
  ) : null;
}

function ReviewFormFor({
  projectId,
  assessmentId,
  reload,
  stages,
}: {
  projectId: string;
  assessmentId: string;
  reload: () => void;
  stages: ReviewStage[];
}) {
  const i18n = useI18n();
  const { ft, reviewMethod } = useFlowText();
  const { et } = useEditText();
  const form = useForm("rv", ["stage", "method", "opinionAccuracy", "opinionMeasures", "decision", "file"]);
  const [method, setMethod] = useState<ReviewMethod>("ADMINISTRATIVE");
  // R-REVIEW by meeting: the minutes are uploaded to the project, then named in the review.
  const [minutes, setMinutes] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<{ file: File; id: string } | null>(null);
  const [percent, setPercent] = useState<number | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const v = valuesOf(el, ["stage", "method", "opinionAccuracy", "opinionMeasures", "decision"]);
    const check = requireFields(v, ["opinionAccuracy", "opinionMeasures", "decision"], ft("required"));
    const file = method === "MEETING" ? minutes : null;
    if (method === "MEETING" && !file) check.file = et("minutesNeeded");
    if (
      !Object.keys(check).length &&
      !window.confirm(ft("confirmReview", { decision: i18n.reviewDecision(v.decision as ReviewDecision) }))
    )
      return;
    const ok = await form.submit(
      check,
      async () => {
        let minutesDocumentId: string | null = null;
        if (file) {
          const sent = await attachToProject(
            projectId,
            "MEETING_MINUTES",
            et("minutesTitle"),
            file,
            uploaded,
            setUploaded,
            setPercent,
          );
          setPercent(null);
          if (sent.error) return sent.error;
          minutesDocumentId = sent.documentId;
        }
        const error = userError(
          (
            await request(ReviewDoc, {
              input: {
                assessmentId,
                stage: v.stage as ReviewStage,
                method,
                opinionAccuracy: v.opinionAccuracy,
                opinionMeasures: v.opinionMeasures,
                decision: v.decision as ReviewDecision,
                minutesDocumentId,
              },
            })
          ).recordReview,
        );
        return error?.field === "minutesDocumentId" ? { ...error, field: "file" } : error;
      },
      ft("reviewRecorded"),
    );
    if (ok) {
      el.reset();
      setMethod("ADMINISTRATIVE");
      setMinutes(null);
      setUploaded(null);
      reload();
    }
  };

  return (
    <section aria-labelledby="review-h" data-testid="review">
      <h2 id="review-h">{ft("review")}</h2>
      <p className="hint">{ft("reviewIntro")}</p>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <div className="row">
          <Field prefix="rv" name="stage" label={ft("stage")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue={stages[0]}>
                {stages.map((s) => (
                  <option key={s} value={s}>
                    {i18n.reviewStage(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field prefix="rv" name="method" label={ft("method")} errors={form.errors}>
            {(p) => (
              <select {...p} value={method} onChange={(e) => setMethod(e.target.value as ReviewMethod)}>
                {REVIEW_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {reviewMethod(m)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {method === "MEETING" && (
          <FileField
            prefix="rv"
            label={et("minutesFile")}
            errors={form.errors}
            percent={percent}
            progressLabel={(pct) => et("uploading", { pct })}
            onFile={(f) => {
              setMinutes(f);
              form.touched("file");
            }}
          />
        )}
        <Field prefix="rv" name="opinionAccuracy" label={ft("opinionAccuracy")} errors={form.errors}>
          {(p) => <textarea {...p} rows={2} onInput={() => form.touched("opinionAccuracy")} />}
        </Field>
        <Field prefix="rv" name="opinionMeasures" label={ft("opinionMeasures")} errors={form.errors}>
          {(p) => <textarea {...p} rows={2} onInput={() => form.touched("opinionMeasures")} />}
        </Field>
        <Field prefix="rv" name="decision" label={ft("decision")} errors={form.errors}>
          {(p) => (
            <select {...p} defaultValue="" onChange={() => form.touched("decision")}>
              <option value="">{ft("choose")}</option>
              {DECISIONS.map((d) => (
                <option key={d} value={d}>
                  {i18n.reviewDecision(d)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <FormStatus error={form.formError} notice={form.notice} testId="review" />
        <button type="submit" className="primary" disabled={form.busy}>
          {ft("recordReview")}
        </button>
      </form>
    </section>
  );
}

const InspectionDoc = graphql(`
  mutation RecordInspection(
    $projectId: ID!
    $inspectedOn: Date!
    $summary: String!
    $checks: [MeasureCheckInput!]!
    $findings: [FindingInput!]
    $reportDocumentId: ID
  ) {
    recordInspection(
      projectId: $projectId
      inspectedOn: $inspectedOn
      summary: $summary
      checks: $checks
      findings: $findings
      reportDocumentId: $reportDocumentId
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

interface Finding {
  title: string;
  description: string;
  severity: HazardSeverity;
}

export function InspectionForm({
  projectId,
  measures,
  canAttachReport,
  reload,
}: {
  projectId: string;
  measures: { id: string; description: string }[];
  /** Whether the viewer may upload the project's documents (the report is one). */
  canAttachReport: boolean;
  reload: () => void;
}) {
  const { ft, checkResult, hazardSeverity } = useFlowText();
  const { et } = useEditText();
  const form = useForm("in", ["inspectedOn", "summary", "checks", "findings", "file"]);
  const [report, setReport] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<{ file: File; id: string } | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState<Record<string, CheckResult>>({});
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [findings, setFindings] = useState<Finding[]>([]);
  const [date, setDate] = useState(today());
  const [summary, setSummary] = useState("");

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const check = requireFields({ inspectedOn: date, summary }, ["inspectedOn", "summary"], ft("required"));
    findings.forEach((f, n) => {
      if (!f.title.trim()) check[`finding-${n}-title`] = ft("required");
      if (!f.description.trim()) check[`finding-${n}-description`] = ft("required");
    });
    const ok = await form.submit(
      check,
      async () => {
        let reportDocumentId: string | null = null;
        if (report) {
          const sent = await attachToProject(
            projectId,
            "INSPECTION_REPORT",
            et("reportTitle"),
            report,
            uploaded,
            setUploaded,
            setPercent,
          );
          setPercent(null);
          if (sent.error) return sent.error;
          reportDocumentId = sent.documentId;
        }
        const error = userError(
          (
            await request(InspectionDoc, {
              projectId,
              inspectedOn: date,
              summary: summary.trim(),
              checks: measures.map((m) => ({
                measureId: m.id,
                result: results[m.id] ?? "IMPLEMENTED",
                note: notes[m.id]?.trim() ?? "",
              })),
              findings: findings.map((f) => ({
                title: f.title.trim(),
                description: f.description.trim(),
                severity: f.severity,
              })),
              reportDocumentId,
            })
          ).recordInspection,
        );
        return error?.field === "reportDocumentId" ? { ...error, field: "file" } : error;
      },
      ft("inspectionRecorded"),
    );
    if (ok) {
      setReport(null);
      setUploaded(null);
      setSummary("");
      setFindings([]);
      setResults({});
      setNotes({});
      setOpen(false);
      reload();
    }
  };

  const setFinding = (n: number, patch: Partial<Finding>) =>
    setFindings((fs) => fs.map((f, i) => (i === n ? { ...f, ...patch } : f)));

  return (
    <div data-testid="inspection-form">
      <FormStatus error={null} notice={open ? null : form.notice} testId="inspection-saved" />
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {ft("recordInspection")}
      </button>
      {open && (
        <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
          <div className="row">
            <Field prefix="in" name="inspectedOn" label={ft("inspectedOn")} errors={form.errors}>
              {(p) => <input {...p} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
            </Field>
          </div>
          <Field prefix="in" name="summary" label={ft("inspectionSummary")} errors={form.errors}>
            {(p) => (
              <textarea
                {...p}
                rows={2}
                value={summary}
                onChange={(e) => {
                  setSummary(e.target.value);
                  form.touched("summary");
                }}
              />
            )}
          </Field>
          {canAttachReport && (
            <FileField
              prefix="in"
              label={et("reportFile")}
              errors={form.errors}
              percent={percent}
              progressLabel={(pct) => et("uploading", { pct })}
              onFile={(f) => {
                setReport(f);
                form.touched("file");
              }}
            />
          )}
          {measures.length === 0 && <p className="empty">{ft("noMeasuresToCheck")}</p>}
          {measures.map((m) => (
            <div className="row" key={m.id}>
              <Field prefix="in" name={`check-${m.id}`} label={ft("checkOf", { measure: m.description })} errors={form.errors}>
                {(p) => (
                  <select
                    {...p}
                    value={results[m.id] ?? "IMPLEMENTED"}
                    onChange={(e) => setResults((r) => ({ ...r, [m.id]: e.target.value as CheckResult }))}
                  >
                    {CHECK_RESULTS.map((r) => (
                      <option key={r} value={r}>
                        {checkResult(r)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <div className="grow">
                <Field prefix="in" name={`note-${m.id}`} label={ft("checkNote", { measure: m.description })} errors={form.errors}>
                  {(p) => (
                    <input
                      {...p}
                      type="text"
                      value={notes[m.id] ?? ""}
                      onChange={(e) => setNotes((x) => ({ ...x, [m.id]: e.target.value }))}
                    />
                  )}
                </Field>
              </div>
            </div>
          ))}
          <fieldset>
            <legend>{ft("findings")}</legend>
            {findings.map((f, n) => (
              <fieldset key={n} className="finding">
                <legend>{ft("findingN", { n: n + 1 })}</legend>
                <Field prefix="in" name={`finding-${n}-title`} label={ft("hazardTitle")} errors={form.errors}>
                  {(p) => <input {...p} type="text" value={f.title} onChange={(e) => setFinding(n, { title: e.target.value })} />}
                </Field>
                <Field prefix="in" name={`finding-${n}-description`} label={ft("hazardDescription")} errors={form.errors}>
                  {(p) => (
                    <textarea {...p} rows={2} value={f.description} onChange={(e) => setFinding(n, { description: e.target.value })} />
                  )}
                </Field>
                <Field prefix="in" name={`finding-${n}-severity`} label={ft("severity")} errors={form.errors}>
                  {(p) => (
                    <select {...p} value={f.severity} onChange={(e) => setFinding(n, { severity: e.target.value as HazardSeverity })}>
                      {HAZARD_SEVERITIES.map((s) => (
                        <option key={s} value={s}>
                          {hazardSeverity(s)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <button type="button" onClick={() => setFindings((fs) => fs.filter((_, i) => i !== n))}>
                  {ft("removeFinding")}
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() => setFindings((fs) => [...fs, { title: "", description: "", severity: "GENERAL" }])}
            >
              {ft("addFinding")}
            </button>
          </fieldset>
          <FormStatus error={form.formError} notice={null} testId="inspection" />
          <button type="submit" className="primary" disabled={form.busy}>
            {ft("recordInspection")}
          </button>
        </form>
      )}
    </div>
  );
}
