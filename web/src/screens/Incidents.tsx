// Incidents: the list, the report form and the detail page with its follow-ups.
import { type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { request, userError } from "../api";
import { Field, FormStatus, requireFields, useForm, valuesOf } from "../flow/forms";
import { incidentUpdateKinds } from "../flow/roles";
import { INCIDENT_SEVERITIES, useFlowText } from "../flow/text";
import { graphql } from "../gql";
import type { IncidentSeverity, IncidentUpdateKind, RiskCategory } from "../gql/graphql";
import { RISK_CATEGORIES, useI18n } from "../i18n";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { useRecordsText } from "../flow/records-text";
import { IncidentRecords } from "./IncidentRecords";

const IncidentsDoc = graphql(`
  query Incidents {
    incidents(first: 100) {
      nodes {
        id
        title
        occurredAt
        place
        category
        severity
        state
        reportedBy
        reportedAt
        reportedLate
        orgUnit {
          code
          name
        }
      }
    }
  }
`);

export function Incidents() {
  const i18n = useI18n();
  const { ft, incidentSeverity, incidentState } = useFlowText();
  const { rt } = useRecordsText();
  const list = useLoad(() => request(IncidentsDoc), []);
  const rows = list.data?.incidents.nodes ?? [];
  return (
    <>
      <div className="section-head">
        <h1 tabIndex={-1}>{ft("incidents")}</h1>
        <Link className="button" to="/incidents/new">
          {ft("reportIncident")}
        </Link>
      </div>
      <p className="note">{ft("incidentUnitNote")}</p>
      {list.loading && <Loading />}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && rows.length === 0 && <Empty>{ft("incidentsEmpty")}</Empty>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="incidents" data-testid="incidents">
            <thead>
              <tr>
                <th scope="col">{ft("incidentTitle")}</th>
                <th scope="col">{rt("reportingUnit")}</th>
                <th scope="col">{ft("severity")}</th>
                <th scope="col">{i18n.t("state")}</th>
                <th scope="col">{ft("occurredAt")}</th>
                <th scope="col">{ft("place")}</th>
                <th scope="col">{ft("reportedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <tr key={x.id}>
                  <td>
                    <Link to={`/incidents/${x.id}`}>{x.title}</Link>
                  </td>
                  <td>{x.orgUnit?.name ?? "—"}</td>
                  <td>{incidentSeverity(x.severity)}</td>
                  <td>
                    {incidentState(x.state)}
                    {x.reportedLate && <span className="tag-overdue"> {ft("reportedLate")}</span>}
                  </td>
                  <td>{i18n.dateTime(x.occurredAt)}</td>
                  <td>{x.place}</td>
                  <td>{x.reportedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const ReportIncidentDoc = graphql(`
  mutation ReportIncident($unit: ID!, $input: IncidentInput!) {
    reportIncident(orgUnitId: $unit, input: $input) {
      __typename
      ... on IncidentSaved {
        incident {
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

const FIELDS = [
  "title",
  "occurredAt",
  "place",
  "category",
  "severity",
  "immediateMeasures",
  "deaths",
  "injuries",
  "losses",
  "publicOpinion",
] as const;

/** Now, as the value of a datetime-local control. */
function nowLocal(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function ReportIncident() {
  const i18n = useI18n();
  const { t } = i18n;
  const { ft, incidentSeverity } = useFlowText();
  const { viewer } = useSession();
  const navigate = useNavigate();
  const form = useForm("ic", FIELDS);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const v = valuesOf(event.currentTarget, FIELDS);
    const check: Record<string, string> = requireFields(
      v,
      ["title", "occurredAt", "place", "category", "immediateMeasures"],
      ft("required"),
    );
    for (const n of ["deaths", "injuries"] as const)
      if (v[n] && !/^\d+$/.test(v[n])) check[n] = ft("required");
    if (!Object.keys(check).length && !window.confirm(ft("confirmIncident"))) return;
    let id: string | null = null;
    const ok = await form.submit(check, async () => {
      const result = await request(ReportIncidentDoc, {
        unit: viewer?.orgUnit?.id ?? "",
        input: {
          title: v.title,
          occurredAt: new Date(v.occurredAt).toISOString(),
          place: v.place,
          category: v.category as RiskCategory,
          severity: v.severity as IncidentSeverity,
          immediateMeasures: v.immediateMeasures,
          deaths: Number(v.deaths || 0),
          injuries: Number(v.injuries || 0),
          losses: v.losses,
          publicOpinion: v.publicOpinion,
        },
      });
      const error = userError(result.reportIncident);
      if (!error && result.reportIncident.__typename === "IncidentSaved")
        id = result.reportIncident.incident.id;
      return error;
    });
    if (ok && id) navigate(`/incidents/${id}`);
  };

  return (
    <>
      <p>
        <Link to="/incidents">← {ft("backToIncidents")}</Link>
      </p>
      <h1 tabIndex={-1}>{ft("reportIncident")}</h1>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <Field prefix="ic" name="title" label={ft("incidentTitle")} errors={form.errors}>
          {(p) => <input {...p} type="text" onInput={() => form.touched("title")} />}
        </Field>
        <div className="row">
          <Field prefix="ic" name="occurredAt" label={ft("occurredAt")} errors={form.errors}>
            {(p) => <input {...p} type="datetime-local" defaultValue={nowLocal()} />}
          </Field>
          <Field prefix="ic" name="place" label={ft("place")} errors={form.errors}>
            {(p) => <input {...p} type="text" onInput={() => form.touched("place")} />}
          </Field>
        </div>
        <div className="row">
          <Field prefix="ic" name="category" label={t("category")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue="" onChange={() => form.touched("category")}>
                <option value="">{ft("choose")}</option>
                {RISK_CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {i18n.category(c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field prefix="ic" name="severity" label={ft("severity")} errors={form.errors}>
            {(p) => (
              <select {...p} defaultValue="GENERAL">
                {INCIDENT_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {incidentSeverity(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field prefix="ic" name="immediateMeasures" label={ft("immediateMeasures")} errors={form.errors}>
          {(p) => <textarea {...p} rows={2} onInput={() => form.touched("immediateMeasures")} />}
        </Field>
        <div className="row">
          <Field prefix="ic" name="deaths" label={ft("deaths")} errors={form.errors}>
            {(p) => <input {...p} type="number" min={0} defaultValue={0} />}
          </Field>
          <Field prefix="ic" name="injuries" label={ft("injuries")} errors={form.errors}>
            {(p) => <input {...p} type="number" min={0} defaultValue={0} />}
          </Field>
        </div>
        <Field prefix="ic" name="losses" label={ft("losses")} errors={form.errors}>
          {(p) => <input {...p} type="text" />}
        </Field>
        <Field prefix="ic" name="publicOpinion" label={ft("publicOpinion")} errors={form.errors}>
          {(p) => <input {...p} type="text" />}
        </Field>
        <FormStatus error={form.formError} notice={form.notice} testId="incident" />
        <button type="submit" className="primary" disabled={form.busy}>
          {ft("reportIncident")}
        </button>
      </form>
    </>
  );
}

const IncidentDoc = graphql(`
  query Incident($id: ID!) {
    incident(id: $id) {
      id
      title
      occurredAt
      place
      category
      severity
      deaths
      injuries
      losses
      publicOpinion
      immediateMeasures
      state
      reportedBy
      reportedAt
      reportedLate
      followUpDueAt
      lessonsLearned
      closedAt
      projectId
      orgUnit {
        code
        name
      }
      specialMeetings {
        heldOn
        minutes
        decisions
        recordedBy
      }
      updates {
        kind
        text
        by
        createdAt
      }
    }
  }
`);

const AddUpdateDoc = graphql(`
  mutation AddIncidentUpdate($id: ID!, $kind: IncidentUpdateKind!, $text: String!) {
    addIncidentUpdate(incidentId: $id, kind: $kind, text: $text) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

export function IncidentPage() {
  const { id = "" } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const { ft, incidentSeverity, incidentState, updateKind } = useFlowText();
  const { rt } = useRecordsText();
  const incident = useLoad(() => request(IncidentDoc, { id }), [id]);
  const form = useForm("iu", ["kind", "text"]);
  const { viewer } = useSession();
  const kinds = incidentUpdateKinds(viewer);

  if (incident.loading && !incident.data) return <Loading />;
  if (incident.error) return <ErrorBox error={incident.error} retry={incident.reload} />;
  const x = incident.data?.incident;
  if (!x)
    return (
      <>
        <h1 tabIndex={-1}>{ft("incident")}</h1>
        <p className="empty">{ft("incidentNotFound")}</p>
        <Link to="/incidents">{ft("backToIncidents")}</Link>
      </>
    );

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const el = event.currentTarget;
    const data = new FormData(el);
    const text = String(data.get("text") ?? "").trim();
    const kind = String(data.get("kind")) as IncidentUpdateKind;
    const ok = await form.submit(requireFields({ text }, ["text"], ft("required")), async () =>
      userError((await request(AddUpdateDoc, { id: x.id, kind, text })).addIncidentUpdate),
    );
    if (ok) {
      el.reset();
      incident.reload();
    }
  };

  return (
    <>
      <p>
        <Link to="/incidents">← {ft("backToIncidents")}</Link>
      </p>
      <h1 tabIndex={-1}>{x.title}</h1>
      <dl className="facts">
        <dt>{t("state")}</dt>
        <dd data-testid="incident-state">{incidentState(x.state)}</dd>
        <dt>{ft("severity")}</dt>
        <dd>{incidentSeverity(x.severity)}</dd>
        <dt>{rt("reportingUnit")}</dt>
        <dd data-testid="incident-unit">{x.orgUnit?.name ?? "—"}</dd>
        <dt>{t("category")}</dt>
        <dd>{i18n.category(x.category)}</dd>
        <dt>{ft("occurredAt")}</dt>
        <dd>{i18n.dateTime(x.occurredAt)}</dd>
        <dt>{ft("place")}</dt>
        <dd>{x.place}</dd>
        <dt>{ft("reportedBy")}</dt>
        <dd>
          {x.reportedBy} · {i18n.dateTime(x.reportedAt)}
          {x.reportedLate && <span className="tag-overdue"> {ft("reportedLate")}</span>}
        </dd>
        <dt>{ft("immediateMeasures")}</dt>
        <dd>{x.immediateMeasures}</dd>
        <dt>
          {ft("deaths")} / {ft("injuries")}
        </dt>
        <dd>
          {x.deaths} / {x.injuries}
        </dd>
        {x.losses && (
          <>
            <dt>{ft("losses")}</dt>
            <dd>{x.losses}</dd>
          </>
        )}
        {x.publicOpinion && (
          <>
            <dt>{ft("publicOpinion")}</dt>
            <dd>{x.publicOpinion}</dd>
          </>
        )}
        {x.projectId && (
          <>
            <dt>{t("project")}</dt>
            <dd>
              <Link to={`/projects/${x.projectId}`}>{t("project")}</Link>
            </dd>
          </>
        )}
      </dl>
      <section aria-labelledby="updates-h">
        <h2 id="updates-h">{ft("updates")}</h2>
        {x.updates.length === 0 ? (
          <p className="empty">{ft("updatesEmpty")}</p>
        ) : (
          <ol className="timeline" data-testid="incident-updates">
            {x.updates.map((u, n) => (
              <li key={n}>
                <time dateTime={u.createdAt}>{i18n.dateTime(u.createdAt)}</time>{" "}
                <strong>{updateKind(u.kind)}</strong> — {u.text} · {u.by}
              </li>
            ))}
          </ol>
        )}
        {x.state !== "CLOSED" && kinds.length > 0 && (
          <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
            <Field prefix="iu" name="kind" label={ft("updateKind")} errors={form.errors}>
              {(p) => (
                <select {...p} defaultValue={kinds[0]}>
                  {kinds.map((k) => (
                    <option key={k} value={k}>
                      {updateKind(k)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field prefix="iu" name="text" label={ft("updateText")} errors={form.errors}>
              {(p) => <textarea {...p} rows={2} onInput={() => form.touched("text")} />}
            </Field>
            <FormStatus error={form.formError} notice={form.notice} testId="incident-update" />
            <button type="submit" className="primary" disabled={form.busy}>
              {ft("addUpdate")}
            </button>
          </form>
        )}
      </section>
      <IncidentRecords incident={x} reload={incident.reload} />
    </>
  );
}
