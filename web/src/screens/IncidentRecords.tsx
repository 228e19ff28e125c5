// On the incident page: the HQ coordination group's special meetings (major incidents) and
// closing the incident with its lessons learned. Who may do either follows policies/policy.csv;
// the server decides.
import type { FormEvent } from "react";
import { request, userError } from "../api";
import { graphql } from "../gql";
import type { IncidentSeverity, Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Field, FormStatus, requireFields, today, useForm, valuesOf } from "../flow/forms";
import { useRecordsText } from "../flow/records-text";

const MeetingDoc = graphql(`
  mutation RecordSpecialMeeting($id: ID!, $heldOn: Date!, $minutes: String!, $decisions: String!) {
    recordSpecialMeeting(incidentId: $id, heldOn: $heldOn, minutes: $minutes, decisions: $decisions) {
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
  mutation CloseIncident($id: ID!, $lessons: String!) {
    closeIncident(incidentId: $id, lessonsLearned: $lessons) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const MAJOR: IncidentSeverity[] = ["MAJOR", "ESPECIALLY_MAJOR"];
const MEETING_ROLES: Role[] = ["HQ_COORDINATION_GROUP", "SAFETY_COMMITTEE_OFFICE"];
const CLOSE_ROLES: Role[] = ["COORDINATION_LEADER", "LEGAL_REPRESENTATIVE", "SAFETY_COMMITTEE_OFFICE"];

type Meeting = { heldOn: string; minutes: string; decisions: string; recordedBy: string };

export function IncidentRecords({
  incident,
  reload,
}: {
  incident: {
    id: string;
    severity: IncidentSeverity;
    state: string;
    lessonsLearned?: string | null;
    closedAt?: string | null;
    specialMeetings: Meeting[];
  };
  reload: () => void;
}) {
  const { rt } = useRecordsText();
  const i18n = useI18n();
  const { viewer } = useSession();
  const roles = new Set(viewer?.roles.map((r) => r.role));
  const has = (wanted: Role[]) => wanted.some((r) => roles.has(r));
  const closed = incident.state === "CLOSED";
  const major = MAJOR.includes(incident.severity);
  return (
    <>
      {(major || incident.specialMeetings.length > 0) && (
        <section aria-labelledby="meetings-h">
          <h2 id="meetings-h">{rt("specialMeetings")}</h2>
          {incident.specialMeetings.length === 0 ? (
            <p className="empty">{rt("specialMeetingsEmpty")}</p>
          ) : (
            <ul data-testid="special-meetings">
              {incident.specialMeetings.map((m, n) => (
                <li key={n}>
                  {i18n.date(m.heldOn)} · {rt("minutes")}: {m.minutes} · {rt("meetingDecisions")}: {m.decisions} ·{" "}
                  {rt("recordedBy")} {m.recordedBy}
                </li>
              ))}
            </ul>
          )}
          {!closed && has(MEETING_ROLES) && <MeetingForm incidentId={incident.id} done={reload} />}
        </section>
      )}
      <section aria-labelledby="close-h">
        <h2 id="close-h">{rt("closeIncident")}</h2>
        {closed ? (
          <dl className="facts" data-testid="incident-closed">
            {incident.closedAt && (
              <>
                <dt>{rt("closedAt")}</dt>
                <dd>{i18n.dateTime(incident.closedAt)}</dd>
              </>
            )}
            <dt>{rt("lessonsLearned")}</dt>
            <dd>{incident.lessonsLearned || "—"}</dd>
          </dl>
        ) : has(CLOSE_ROLES) ? (
          <CloseForm incidentId={incident.id} done={reload} />
        ) : (
          <p className="empty">—</p>
        )}
      </section>
    </>
  );
}

function MeetingForm({ incidentId, done }: { incidentId: string; done: () => void }) {
  const { rt } = useRecordsText();
  const names = ["heldOn", "minutes", "decisions"] as const;
  const form = useForm("sm", names);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const v = valuesOf(el, names);
    const check = requireFields(v, [...names], rt("required"));
    if (!check.heldOn && v.heldOn > today()) check.heldOn = rt("heldBeforeToday");
    if (!Object.keys(check).length && !window.confirm(rt("confirmSpecialMeeting"))) return;
    const ok = await form.submit(check, async () =>
      userError((await request(MeetingDoc, { id: incidentId, ...v })).recordSpecialMeeting),
    );
    if (ok) {
      el.reset();
      done();
    }
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <h3>{rt("recordSpecialMeeting")}</h3>
      <Field prefix="sm" name="heldOn" label={rt("heldOn")} errors={form.errors}>
        {(p) => <input {...p} type="date" defaultValue={today()} max={today()} />}
      </Field>
      <Field prefix="sm" name="minutes" label={rt("minutes")} errors={form.errors}>
        {(p) => <textarea {...p} rows={3} />}
      </Field>
      <Field prefix="sm" name="decisions" label={rt("meetingDecisions")} errors={form.errors}>
        {(p) => <textarea {...p} rows={2} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="special-meeting" />
      <button type="submit" className="primary" disabled={form.busy}>
        {rt("recordSpecialMeeting")}
      </button>
    </form>
  );
}

function CloseForm({ incidentId, done }: { incidentId: string; done: () => void }) {
  const { rt } = useRecordsText();
  const form = useForm("ci", ["lessons"]);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { lessons } = valuesOf(event.currentTarget, ["lessons"] as const);
    const check = requireFields({ lessons }, ["lessons"], rt("required"));
    if (!Object.keys(check).length && !window.confirm(rt("confirmCloseIncident"))) return;
    const ok = await form.submit(check, async () => {
      const error = userError((await request(CloseDoc, { id: incidentId, lessons })).closeIncident);
      return error?.field === "lessonsLearned" ? { ...error, field: "lessons" } : error;
    });
    if (ok) done();
  };
  return (
    <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
      <Field prefix="ci" name="lessons" label={rt("lessonsLearned")} errors={form.errors}>
        {(p) => <textarea {...p} rows={3} />}
      </Field>
      <FormStatus error={form.formError} notice={form.notice} testId="close-incident" />
      <button type="submit" className="danger" disabled={form.busy}>
        {rt("closeIncident")}
      </button>
    </form>
  );
}
