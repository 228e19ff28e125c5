// On the hazard page: supervision (督办, superviseHazard) by branch academies and HQ, handling
// recommendations (recommendHandling) and HQ's decision on them (decideHandling).
import { useState, type FormEvent } from "react";
import { request, userError } from "../api";
import { useAttachText } from "../flow/attach-text";
import { FormStatus, requireFields, useForm, valuesOf } from "../flow/forms";
import { graphql } from "../gql";
import type { BanTarget, HandlingDecision, Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { useTaskText } from "./taskText";

const SupervisionDoc = graphql(`
  query HazardSupervision($id: ID!) {
    hazard(id: $id) {
      id
      state
      supervisions {
        by
        comment
        deadline
        createdAt
      }
      handlingRecommendations {
        id
        reason
        recommendedBy
        decision
        decidedBy
        decidedAt
        decisionNote
        createdAt
      }
    }
  }
`);

const SuperviseDoc = graphql(`
  mutation SuperviseHazard($hazardId: ID!, $comment: String!, $deadline: Date) {
    superviseHazard(hazardId: $hazardId, comment: $comment, deadline: $deadline) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const RecommendDoc = graphql(`
  mutation RecommendHandling($hazardId: ID!, $reason: String!) {
    recommendHandling(hazardId: $hazardId, reason: $reason) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const DecideDoc = graphql(`
  mutation DecideHandling($id: ID!, $decision: HandlingDecision!, $note: String!, $bans: [BanInput!]) {
    decideHandling(recommendationId: $id, decision: $decision, note: $note, bans: $bans) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

type WithRoles = { roles: { role: Role }[] } | null | undefined;
const has = (v: WithRoles, roles: Role[]) => !!v?.roles.some((r) => roles.includes(r.role));
const SUPERVISORS: Role[] = ["BRANCH_SUPERVISOR", "SAFETY_COMMITTEE_OFFICE", "HQ_COORDINATION_GROUP", "BUSINESS_DEPARTMENT"];
const DECISIONS: HandlingDecision[] = ["SUSPEND_PROJECT", "BAN", "NO_ACTION"];
const BAN_TARGETS: BanTarget[] = ["UNIT", "BUSINESS_UNIT", "PERSON"];

export function HazardSupervision({ hazardId }: { hazardId: string }) {
  const { tt } = useTaskText();
  const i18n = useI18n();
  const { viewer } = useSession();
  const data = useLoad(() => request(SupervisionDoc, { id: hazardId }), [hazardId]);
  const h = data.data?.hazard;
  const supervisor = has(viewer, SUPERVISORS);
  const decider = has(viewer, ["BUSINESS_DEPARTMENT"]);
  const open = h && h.state !== "CLOSED";
  return (
    <>
      <section aria-labelledby="supervision-h" data-testid="supervision">
        <h2 id="supervision-h">{tt("supervisionTitle")}</h2>
        {data.loading && !data.data && <Loading />}
        {data.error && <ErrorBox error={data.error} retry={data.reload} />}
        {h && h.supervisions.length === 0 && <Empty>{tt("supervisionEmpty")}</Empty>}
        {h && h.supervisions.length > 0 && (
          <ul data-testid="supervisions">
            {h.supervisions.map((s, n) => (
              <li key={n}>
                <strong>{s.by}</strong> · <time dateTime={s.createdAt}>{i18n.dateTime(s.createdAt)}</time>
                {s.deadline && ` · ${tt("dueBy")} ${i18n.date(s.deadline)}`}
                <p>{s.comment}</p>
              </li>
            ))}
          </ul>
        )}
        {open && supervisor && <SuperviseForm hazardId={hazardId} done={data.reload} />}
      </section>
      {h && (h.handlingRecommendations.length > 0 || (open && supervisor)) && (
        <section aria-labelledby="recommend-h">
          <h2 id="recommend-h">{tt("recommendTitle")}</h2>
          {h.handlingRecommendations.length === 0 && <Empty>—</Empty>}
          <ul>
            {h.handlingRecommendations.map((r) => (
              <li key={r.id}>
                <strong>{r.recommendedBy}</strong> · {i18n.dateTime(r.createdAt)}
                <p>{r.reason}</p>
                <p>
                  {tt("decision")}:{" "}
                  {r.decision ? `${tt(r.decision)} · ${r.decidedBy ?? ""} ${r.decisionNote ?? ""}` : tt("pending")}
                </p>
                {!r.decision && decider && <DecideForm id={r.id} done={data.reload} />}
              </li>
            ))}
          </ul>
          {open && supervisor && <RecommendForm hazardId={hazardId} done={data.reload} />}
        </section>
      )}
    </>
  );
}

function SuperviseForm({ hazardId, done }: { hazardId: string; done: () => void }) {
  const { tt } = useTaskText();
  const form = useForm("supervise", ["comment", "deadline"]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    const v = valuesOf(el, ["comment", "deadline"] as const);
    const check = requireFields(v, ["comment"], tt("required"));
    if (Object.keys(check).length === 0 && !window.confirm(tt("confirmSupervise"))) return;
    const ok = await form.submit(check, async () =>
      userError(
        (await request(SuperviseDoc, { hazardId, comment: v.comment, deadline: v.deadline || null })).superviseHazard,
      ),
    );
    if (ok) {
      el.reset();
      done();
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} onInput={form.onEdit} noValidate>
      <Text prefix="supervise" name="comment" label={tt("comment")} error={form.errors.comment} multiline />
      <Text prefix="supervise" name="deadline" label={tt("deadlineOptional")} error={form.errors.deadline} type="date" />
      <button type="submit" disabled={form.busy}>
        {tt("supervise")}
      </button>
      <FormStatus error={form.formError} notice={form.notice} testId="supervise" />
    </form>
  );
}

function RecommendForm({ hazardId, done }: { hazardId: string; done: () => void }) {
  const { tt } = useTaskText();
  const form = useForm("recommend", ["reason"]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    const v = valuesOf(el, ["reason"] as const);
    const check = requireFields(v, ["reason"], tt("required"));
    if (Object.keys(check).length === 0 && !window.confirm(tt("confirmRecommend"))) return;
    const ok = await form.submit(check, async () =>
      userError((await request(RecommendDoc, { hazardId, reason: v.reason })).recommendHandling),
    );
    if (ok) {
      el.reset();
      done();
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} onInput={form.onEdit} noValidate>
      <Text prefix="recommend" name="reason" label={tt("recommendReason")} error={form.errors.reason} multiline />
      <button type="submit" disabled={form.busy}>
        {tt("recommend")}
      </button>
      <FormStatus error={form.formError} notice={form.notice} testId="recommend" />
    </form>
  );
}

function DecideForm({ id, done }: { id: string; done: () => void }) {
  const { tt } = useTaskText();
  const prefix = `decide-${id}`;
  const { at } = useAttachText();
  const form = useForm(prefix, ["decision", "note", "bans", "endsOn"]);
  const [decision, setDecision] = useState<HandlingDecision>("NO_ACTION");
  const [targets, setTargets] = useState<BanTarget[]>([]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = valuesOf(e.currentTarget, ["note", "endsOn"] as const);
    const check = requireFields(v, ["note"], tt("required"));
    if (decision === "BAN" && targets.length === 0) check.bans = tt("banWhom");
    // R-OVERDUE: a ban starts the day it is decided (today); its end, when given, comes after.
    if (decision === "BAN" && v.endsOn && v.endsOn <= academyDay(0)) check.endsOn = at("banEndBeforeStart");
    if (Object.keys(check).length === 0 && !window.confirm(tt("confirmDecide"))) return;
    const endsOn = v.endsOn || null;
    const bans = decision === "BAN" ? targets.map((target) => ({ target, endsOn })) : null;
    const ok = await form.submit(check, async () =>
      userError((await request(DecideDoc, { id, decision, note: v.note, bans })).decideHandling),
    );
    if (ok) done();
  };
  return (
    <form onSubmit={(e) => void submit(e)} onInput={form.onEdit} noValidate>
      <fieldset>
        <legend>{tt("decision")}</legend>
        {DECISIONS.map((d) => (
          <label key={d} className="inline">
            <input type="radio" name="decision" value={d} checked={decision === d} onChange={() => setDecision(d)} />
            {tt(d)}
          </label>
        ))}
      </fieldset>
      {decision === "BAN" && (
        <fieldset aria-describedby={form.errors.bans ? `${prefix}-bans-error` : undefined}>
          <legend>{tt("banWhom")}</legend>
          {BAN_TARGETS.map((b) => (
            <label key={b} className="inline">
              <input
                type="checkbox"
                id={b === "UNIT" ? `${prefix}-bans` : undefined}
                checked={targets.includes(b)}
                onChange={(e) => {
                  form.touched("bans");
                  setTargets((ts) => (e.target.checked ? [...ts, b] : ts.filter((x) => x !== b)));
                }}
              />
              {tt(`ban_${b}`)}
            </label>
          ))}
          {form.errors.bans && (
            <p id={`${prefix}-bans-error`} className="field-error">
              {form.errors.bans}
            </p>
          )}
        </fieldset>
      )}
      {decision === "BAN" && (
        <Text prefix={prefix} name="endsOn" label={at("banEndsOn")} error={form.errors.endsOn} type="date" min={academyDay(1)} />
      )}
      <Text prefix={prefix} name="note" label={tt("decisionNote")} error={form.errors.note} multiline />
      <button type="submit" disabled={form.busy}>
        {tt("decide")}
      </button>
      <FormStatus error={form.formError} notice={form.notice} testId={prefix} />
    </form>
  );
}

function Text({
  prefix,
  name,
  label,
  error,
  multiline,
  type,
  min,
}: {
  prefix: string;
  name: string;
  label: string;
  error?: string;
  multiline?: boolean;
  type?: string;
  min?: string;
}) {
  const id = `${prefix}-${name}`;
  const props = {
    id,
    name,
    "aria-invalid": Boolean(error),
    "aria-describedby": error ? `${id}-error` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={3} {...props} /> : <input type={type ?? "text"} min={min} {...props} />}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The academy's calendar day (the server's clock is Asia/Shanghai) `days` from today. */
function academyDay(days: number): string {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
