// The warning list (警示名录, R-WARNLIST): HQ adds, changes and lifts entries; branches and
// institutes that may read it see it read-only.
import { useRef, useState, type FormEvent } from "react";
import { request, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import type {
  WarningListQuery,
  WarningListSource,
  WarningListSubjectKind,
} from "../gql/graphql";
import { useI18n } from "../i18n";
import { useHq } from "../i18n-hq";
import { canManageWarningList } from "../roles";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";

const WarningListDoc = graphql(`
  query WarningList($filter: WarningListFilter, $after: String) {
    warningList(filter: $filter, first: 50, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        subjectKind
        subjectId
        subjectLabel
        reason
        source
        ban
        startsOn
        endsOn
        active
        liftedAt
        liftedReason
        createdBy
        createdAt
        orgUnit {
          id
          code
          name
          nameEn
        }
        history {
          action
          by
          at
          changes
        }
      }
    }
  }
`);

const InstitutesDoc = graphql(`
  query WarningListInstitutes {
    orgUnits(kind: INSTITUTE, first: 100) {
      nodes {
        id
        code
        name
        nameEn
      }
    }
  }
`);

const UnitPeopleDoc = graphql(`
  query WarningListUnitPeople($id: ID!) {
    orgUnit(id: $id) {
      id
      departments {
        id
        name
      }
      users(first: 100) {
        nodes {
          id
          username
          displayName
        }
      }
    }
  }
`);

const AddDoc = graphql(`
  mutation AddWarningListEntry($unit: ID!, $input: WarningListEntryInput!) {
    addWarningListEntry(orgUnitId: $unit, input: $input) {
      __typename
      ... on WarningListEntrySaved {
        entry {
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

const ChangeDoc = graphql(`
  mutation ChangeWarningListEntry($id: ID!, $endsOn: Date, $ban: Boolean!, $reason: String!) {
    changeWarningListEntry(id: $id, endsOn: $endsOn, ban: $ban, reason: $reason) {
      __typename
      ... on WarningListEntrySaved {
        entry {
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

const LiftDoc = graphql(`
  mutation LiftWarningListEntry($id: ID!, $reason: String!) {
    liftWarningListEntry(id: $id, reason: $reason) {
      __typename
      ... on WarningListEntrySaved {
        entry {
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

type Entry = WarningListQuery["warningList"]["nodes"][number];
const KINDS: WarningListSubjectKind[] = ["UNIT", "BUSINESS_UNIT", "PERSON"];
const SOURCES: WarningListSource[] = ["VIOLATION", "INCIDENT"];

export function WarningList() {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const { viewer } = useSession();
  const manage = canManageWarningList(viewer);
  const [activeOnly, setActiveOnly] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [unit, setUnit] = useState("");
  const [more, setMore] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const institutes = useLoad(() => request(InstitutesDoc), []);
  const filter = { activeOnly, orgUnitId: unit || null };
  const list = useLoad(async () => {
    const d = await request(WarningListDoc, { filter, after: null });
    setMore([]);
    const page = d.warningList.pageInfo;
    setCursor(page.hasNextPage ? (page.endCursor ?? null) : null);
    return d.warningList.nodes;
  }, [activeOnly, unit]);
  const entries = [...(list.data ?? []), ...more];
  const loadMore = async () => {
    try {
      const d = await request(WarningListDoc, { filter, after: cursor });
      setMore((m) => [...m, ...d.warningList.nodes]);
      const page = d.warningList.pageInfo;
      setCursor(page.hasNextPage ? (page.endCursor ?? null) : null);
    } catch (e) {
      setNotice(e instanceof Error ? e.message : String(e));
    }
  };

  const done = (message: string) => {
    setNotice(message);
    list.reload();
  };

  return (
    <>
      <h1 tabIndex={-1}>{h("warningListTitle")}</h1>
      {!manage && <p className="note">{h("warningListReadOnly")}</p>}
      {manage && <AddEntry onAdded={() => done(h("entryAdded"))} />}
      <div className="section-head">
        <h2>{h("warningListTitle")}</h2>
        {(institutes.data?.orgUnits.nodes.length ?? 0) > 1 && (
          <span className="inline">
            <label htmlFor="wl-filter-unit">{h("institute")}</label>
            <select id="wl-filter-unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
              <option value="">{i18n.t("any")}</option>
              {institutes.data?.orgUnits.nodes.map((u) => (
                <option key={u.id} value={u.id}>
                  {hq.unitName(u)} ({u.code})
                </option>
              ))}
            </select>
          </span>
        )}
        <label className="inline">
          <input type="checkbox" checked={activeOnly} onChange={(e) => setActiveOnly(e.target.checked)} />
          {h("activeOnly")}
        </label>
      </div>
      <p role="status" aria-live="polite" className="ok" data-testid="warning-list-status">
        {notice}
      </p>
      {list.loading && !list.data && <Loading />}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && entries.length === 0 && <Empty>{h("entriesEmpty")}</Empty>}
      {entries.length > 0 && (
        <ul className="entries" data-testid="warning-list">
          {entries.map((e) => (
            <EntryCard key={e.id} entry={e} manage={manage} onDone={done} />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          {i18n.t("loadMore")}
        </button>
      )}
    </>
  );
}

function fieldErrorFor(err: FieldError | null, field: string): string | null {
  return err && err.field === field ? err.message : null;
}

function FieldMessage({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}

function AddEntry({ onAdded }: { onAdded: () => void }) {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const institutes = useLoad(() => request(InstitutesDoc), []);
  const [unit, setUnit] = useState("");
  const [kind, setKind] = useState<WarningListSubjectKind>("PERSON");
  const [subject, setSubject] = useState("");
  const [reason, setReason] = useState("");
  const [source, setSource] = useState<WarningListSource>("VIOLATION");
  const [ban, setBan] = useState(false);
  const [startsOn, setStartsOn] = useState("");
  const [endsOn, setEndsOn] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FieldError | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const people = useLoad(
    () => (unit ? request(UnitPeopleDoc, { id: unit }) : Promise.resolve(null)),
    [unit],
  );
  const formRef = useRef<HTMLFormElement>(null);

  const required = i18n.t("required");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const subjectId = kind === "UNIT" ? unit : subject;
    let problem: FieldError | null = null;
    if (!unit) problem = { __typename: "Local", code: "REQUIRED", message: required, field: "orgUnitId" };
    else if (!subjectId)
      problem = { __typename: "Local", code: "REQUIRED", message: required, field: "subjectId" };
    else if (!reason.trim())
      problem = { __typename: "Local", code: "REQUIRED", message: required, field: "reason" };
    if (problem) {
      setError(problem);
      focusField(problem.field);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const result = (
        await request(AddDoc, {
          unit,
          input: {
            subjectKind: kind,
            subjectId,
            reason: reason.trim(),
            source,
            ban,
            startsOn: startsOn || null,
            endsOn: endsOn || null,
          },
        })
      ).addWarningListEntry;
      const err = userError(result);
      if (err) {
        setError(err);
        if (err.field && ["orgUnitId", "subjectId", "reason", "source", "startsOn", "endsOn"].includes(err.field))
          focusField(err.field);
        else setFailure(err.message);
        return;
      }
      setSubject("");
      setReason("");
      setBan(false);
      setStartsOn("");
      setEndsOn("");
      onAdded();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const focusField = (field: string | null | undefined) => {
    const id = { orgUnitId: "wl-unit", subjectId: "wl-subject", reason: "wl-reason", source: "wl-source", startsOn: "wl-starts", endsOn: "wl-ends" }[
      field ?? ""
    ];
    if (id) setTimeout(() => formRef.current?.querySelector<HTMLElement>(`#${id}`)?.focus(), 0);
  };

  const err = (field: string) => fieldErrorFor(error, field);
  const invalid = (field: string) => (err(field) ? true : undefined);
  const describedBy = (field: string) => (err(field) ? `wl-${field}-error` : undefined);
  const subjectField =
    kind === "UNIT" ? null : (
      <div className="field">
        <label htmlFor="wl-subject">{kind === "PERSON" ? h("person") : h("department")}</label>
        <select
          id="wl-subject"
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          disabled={!unit || people.loading}
          aria-invalid={invalid("subjectId")}
          aria-describedby={describedBy("subjectId")}
        >
          <option value="">{kind === "PERSON" ? h("choosePerson") : h("chooseDepartment")}</option>
          {kind === "PERSON"
            ? people.data?.orgUnit?.users.nodes.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} ({u.username})
                </option>
              ))
            : people.data?.orgUnit?.departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
        </select>
        <FieldMessage id="wl-subjectId-error" message={err("subjectId")} />
      </div>
    );

  return (
    <form ref={formRef} className="panel-form" onSubmit={(e) => void submit(e)} aria-labelledby="wl-add-title" noValidate>
      <h2 id="wl-add-title">{h("addEntry")}</h2>
      {institutes.error && <ErrorBox error={institutes.error} retry={institutes.reload} />}
      <div className="row">
        <div className="field">
          <label htmlFor="wl-unit">{h("institute")}</label>
          <select
            id="wl-unit"
            value={unit}
            onChange={(e) => {
              setUnit(e.target.value);
              setSubject("");
            }}
            aria-invalid={invalid("orgUnitId")}
            aria-describedby={describedBy("orgUnitId")}
          >
            <option value="">{h("chooseInstitute")}</option>
            {institutes.data?.orgUnits.nodes.map((u) => (
              <option key={u.id} value={u.id}>
                {hq.unitName(u)} ({u.code})
              </option>
            ))}
          </select>
          <FieldMessage id="wl-orgUnitId-error" message={err("orgUnitId")} />
        </div>
        <div className="field">
          <label htmlFor="wl-kind">{h("subjectKind")}</label>
          <select
            id="wl-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as WarningListSubjectKind);
              setSubject("");
            }}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {hq.subjectKind(k)}
              </option>
            ))}
          </select>
        </div>
        {subjectField}
        <div className="field">
          <label htmlFor="wl-source">{h("source")}</label>
          <select
            id="wl-source"
            value={source}
            onChange={(e) => setSource(e.target.value as WarningListSource)}
            aria-invalid={invalid("source")}
            aria-describedby={describedBy("source")}
          >
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {hq.source(s)}
              </option>
            ))}
          </select>
          <FieldMessage id="wl-source-error" message={err("source")} />
        </div>
      </div>
      {kind === "UNIT" && err("subjectId") && <FieldMessage id="wl-subjectId-error" message={err("subjectId")} />}
      <div className="field">
        <label htmlFor="wl-reason">{h("reason")}</label>
        <textarea
          id="wl-reason"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={invalid("reason")}
          aria-describedby={describedBy("reason")}
        />
        <FieldMessage id="wl-reason-error" message={err("reason")} />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="wl-starts">{h("startsOn")}</label>
          <input
            id="wl-starts"
            type="date"
            value={startsOn}
            onChange={(e) => setStartsOn(e.target.value)}
            aria-invalid={invalid("startsOn")}
            aria-describedby={describedBy("startsOn")}
          />
          <FieldMessage id="wl-startsOn-error" message={err("startsOn")} />
        </div>
        <div className="field">
          <label htmlFor="wl-ends">{h("endsOn")}</label>
          <input
            id="wl-ends"
            type="date"
            value={endsOn}
            onChange={(e) => setEndsOn(e.target.value)}
            aria-invalid={invalid("endsOn")}
            aria-describedby={describedBy("endsOn") ?? "wl-ends-hint"}
          />
          <span className="hint" id="wl-ends-hint">
            {h("endsOnHint")}
          </span>
          <FieldMessage id="wl-endsOn-error" message={err("endsOn")} />
        </div>
        <label className="inline">
          <input type="checkbox" checked={ban} onChange={(e) => setBan(e.target.checked)} />
          {h("ban")}
        </label>
      </div>
      {failure && <ErrorBox error={failure} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? h("adding") : h("addEntry")}
      </button>
    </form>
  );
}

function describeChanges(changes: unknown): string {
  if (!changes || typeof changes !== "object") return "";
  return Object.entries(changes as Record<string, unknown>)
    .map(([key, value]) =>
      Array.isArray(value) && value.length === 2
        ? `${key}: ${String(value[0] ?? "—")} → ${String(value[1] ?? "—")}`
        : `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`,
    )
    .join("; ");
}

function EntryCard({
  entry: e,
  manage,
  onDone,
}: {
  entry: Entry;
  manage: boolean;
  onDone: (message: string) => void;
}) {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const [mode, setMode] = useState<"none" | "change" | "lift">("none");
  const [endsOn, setEndsOn] = useState(e.endsOn ?? "");
  const [ban, setBan] = useState(e.ban);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `wl-${e.id.replace(/[^A-Za-z0-9]/g, "")}`;
  const state = e.liftedAt ? h("lifted") : e.active ? h("active") : h("inactive");

  const act = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError({ __typename: "Local", code: "REQUIRED", message: i18n.t("required"), field: "reason" });
      document.getElementById(`${idp}-reason`)?.focus();
      return;
    }
    if (mode === "lift" && !window.confirm(h("confirmLift", { label: e.subjectLabel }))) return;
    setBusy(true);
    setError(null);
    try {
      const result =
        mode === "lift"
          ? (await request(LiftDoc, { id: e.id, reason: reason.trim() })).liftWarningListEntry
          : (await request(ChangeDoc, { id: e.id, endsOn: endsOn || null, ban, reason: reason.trim() }))
              .changeWarningListEntry;
      const err = userError(result);
      if (err) {
        setError(err.field === "endsOn" || err.field === "reason" ? err : { ...err, field: "form" });
        return;
      }
      setMode("none");
      setReason("");
      onDone(mode === "lift" ? h("entryLifted") : h("entryChanged"));
    } catch (x) {
      setError({ __typename: "Local", code: "ERROR", message: x instanceof Error ? x.message : String(x), field: "form" });
    } finally {
      setBusy(false);
    }
  };

  const err = (field: string) => fieldErrorFor(error, field);

  return (
    <li className={`entry${e.active ? " active" : ""}`} data-testid="warning-entry">
      <div className="entry-head">
        <strong>{e.subjectLabel}</strong>
        <span>{hq.subjectKind(e.subjectKind)}</span>
        <span>{hq.unitName(e.orgUnit)}</span>
        <span className={e.ban ? "tag tag-ban" : "tag"}>{e.ban ? h("banShort") : h("flagOnly")}</span>
        <span className="tag" data-testid="entry-state">
          {state}
        </span>
      </div>
      <dl className="facts compact">
        <dt>{h("reason")}</dt>
        <dd>{e.reason}</dd>
        <dt>{h("source")}</dt>
        <dd>{hq.source(e.source)}</dd>
        <dt>{h("startsOn")}</dt>
        <dd>{i18n.date(e.startsOn)}</dd>
        <dt>{h("endsOn")}</dt>
        <dd>{e.endsOn ? i18n.date(e.endsOn) : "—"}</dd>
        {e.liftedAt && (
          <>
            <dt>{h("liftReason")}</dt>
            <dd>
              {e.liftedReason} ({i18n.dateTime(e.liftedAt)})
            </dd>
          </>
        )}
      </dl>
      <details>
        <summary>
          {h("history")} ({e.history.length})
        </summary>
        <ol className="timeline">
          {e.history.map((ev, k) => (
            <li key={k}>
              <time dateTime={ev.at}>{i18n.dateTime(ev.at)}</time> · {hq.historyAction(ev.action)} · {ev.by}
              {describeChanges(ev.changes) && <span className="note"> — {describeChanges(ev.changes)}</span>}
            </li>
          ))}
        </ol>
      </details>
      {manage && !e.liftedAt && mode === "none" && (
        <div className="actions">
          <button type="button" onClick={() => setMode("change")}>
            {h("change")}
            <span className="sr-only">: {e.subjectLabel}</span>
          </button>
          <button type="button" onClick={() => setMode("lift")}>
            {h("lift")}
            <span className="sr-only">: {e.subjectLabel}</span>
          </button>
        </div>
      )}
      {manage && mode !== "none" && (
        <form className="inline-form" onSubmit={(x) => void act(x)} noValidate aria-label={mode === "lift" ? h("lift") : h("changeEntry")}>
          {mode === "change" && (
            <div className="row">
              <div className="field">
                <label htmlFor={`${idp}-ends`}>{h("endsOn")}</label>
                <input
                  id={`${idp}-ends`}
                  type="date"
                  value={endsOn}
                  onChange={(x) => setEndsOn(x.target.value)}
                  aria-invalid={err("endsOn") ? true : undefined}
                  aria-describedby={err("endsOn") ? `${idp}-ends-error` : undefined}
                />
                <FieldMessage id={`${idp}-ends-error`} message={err("endsOn")} />
              </div>
              <label className="inline">
                <input type="checkbox" checked={ban} onChange={(x) => setBan(x.target.checked)} />
                {h("ban")}
              </label>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${idp}-reason`}>{mode === "lift" ? h("liftReason") : h("changeReason")}</label>
            <textarea
              id={`${idp}-reason`}
              rows={2}
              value={reason}
              autoFocus
              onChange={(x) => setReason(x.target.value)}
              aria-invalid={err("reason") ? true : undefined}
              aria-describedby={err("reason") ? `${idp}-reason-error` : undefined}
            />
            <FieldMessage id={`${idp}-reason-error`} message={err("reason")} />
          </div>
          {err("form") && <ErrorBox error={err("form") ?? ""} />}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {mode === "lift" ? h("lift") : h("saveChange")}
            </button>
            <button
              type="button"
              onClick={() => {
                setMode("none");
                setError(null);
              }}
            >
              {h("cancel")}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
