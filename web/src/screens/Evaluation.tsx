// Evaluation runs (R-EVAL) for HQ: the rubric, run a year, adjust a draft rating with a reason,
// publish after a confirmation.
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { request, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import type { EvaluationQuery, RatingLevel } from "../gql/graphql";
import { useI18n } from "../i18n";
import { RATING_LEVELS, useHq } from "../i18n-hq";
import { canManageEvaluations } from "../roles";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { RatingBadge } from "./Oversight";

const EvaluationDoc = graphql(`
  query Evaluation {
    evaluationRubrics {
      version
      note
      createdAt
      weights {
        statistic
        labelZh
        labelEn
        weight
        cap
      }
      thresholds {
        yellow
        orange
        red
      }
    }
    evaluationRuns {
      id
      year
      rubricVersion
      state
      createdAt
      createdBy
      publishedAt
      publishedBy
      ratings {
        id
        score
        computedLevel
        level
        adjustedReason
        adjustedBy
        orgUnit {
          code
          name
          nameEn
        }
        breakdown {
          statistic
          labelZh
          labelEn
          value
          weight
          cap
          points
        }
      }
    }
  }
`);

const RunDoc = graphql(`
  mutation RunEvaluation($year: Int!, $rubric: Int) {
    runEvaluation(year: $year, rubricVersion: $rubric) {
      __typename
      ... on EvaluationRunSaved {
        run {
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

const AdjustDoc = graphql(`
  mutation AdjustRating($id: ID!, $level: RatingLevel!, $reason: String!) {
    adjustRating(id: $id, level: $level, reason: $reason) {
      __typename
      ... on UnitRatingSaved {
        rating {
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

const PublishDoc = graphql(`
  mutation PublishEvaluation($id: ID!) {
    publishEvaluation(runId: $id) {
      __typename
      ... on EvaluationRunSaved {
        run {
          id
          state
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

type Run = EvaluationQuery["evaluationRuns"][number];
type Rating = Run["ratings"][number];

function failure(e: unknown): FieldError {
  return { __typename: "Local", code: "ERROR", message: e instanceof Error ? e.message : String(e), field: null };
}

export function Evaluation() {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const { viewer } = useSession();
  const manage = canManageEvaluations(viewer);
  const data = useLoad(() => request(EvaluationDoc), []);
  const [params, setParams] = useSearchParams();
  const [year, setYear] = useState(String(new Date().getFullYear() - 1));
  const [rubric, setRubric] = useState("");
  const [runError, setRunError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const rubrics = data.data?.evaluationRubrics ?? [];
  const latest = rubrics.reduce<(typeof rubrics)[number] | null>(
    (best, r) => (!best || r.version > best.version ? r : best),
    null,
  );
  const runs = [...(data.data?.evaluationRuns ?? [])].sort((a, b) => b.year - a.year);
  const selected = runs.find((r) => r.id === params.get("run")) ?? null;

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const y = Number(year);
    if (!year.trim() || !Number.isInteger(y)) {
      setRunError({ __typename: "Local", code: "REQUIRED", message: i18n.t("required"), field: "year" });
      document.getElementById("ev-year")?.focus();
      return;
    }
    setBusy(true);
    setRunError(null);
    try {
      const result = (await request(RunDoc, { year: y, rubric: rubric ? Number(rubric) : null })).runEvaluation;
      const err = userError(result);
      if (err) {
        setRunError(err);
        if (err.field === "year") document.getElementById("ev-year")?.focus();
        return;
      }
      if (result.__typename === "EvaluationRunSaved") {
        setParams({ run: result.run.id });
      }
      data.reload();
    } catch (e) {
      setRunError(failure(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>{h("evaluationTitle")}</h1>
      {data.loading && !data.data && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {latest && (
        <details className="panel">
          <summary>{h("rubric", { n: latest.version })}</summary>
          <p>
            {h("thresholds", {
              yellow: latest.thresholds.yellow,
              orange: latest.thresholds.orange,
              red: latest.thresholds.red,
            })}
          </p>
          {latest.note && <p className="note">{latest.note}</p>}
          <table>
            <thead>
              <tr>
                <th scope="col">{h("statistic")}</th>
                <th scope="col">{h("weight")}</th>
                <th scope="col">{h("cap")}</th>
              </tr>
            </thead>
            <tbody>
              {latest.weights.map((w) => (
                <tr key={w.statistic}>
                  <th scope="row">{i18n.locale === "en" ? w.labelEn : w.labelZh}</th>
                  <td className="num">{w.weight}</td>
                  <td className="num">{w.cap}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {manage && data.data && (
        <form className="panel-form" onSubmit={(e) => void run(e)} noValidate aria-labelledby="ev-run-title">
          <h2 id="ev-run-title">{h("runEvaluation")}</h2>
          <div className="row">
            <div className="field">
              <label htmlFor="ev-year">{h("year")}</label>
              <input
                id="ev-year"
                type="number"
                min={2000}
                max={new Date().getFullYear()}
                value={year}
                onChange={(e) => setYear(e.target.value)}
                aria-invalid={runError?.field === "year" ? true : undefined}
                aria-describedby={runError?.field === "year" ? "ev-year-error" : undefined}
              />
              {runError?.field === "year" && (
                <p className="field-error" id="ev-year-error">
                  {runError.message}
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor="ev-rubric">{h("rubricVersion")}</label>
              <select id="ev-rubric" value={rubric} onChange={(e) => setRubric(e.target.value)}>
                <option value="">{h("latest")}</option>
                {rubrics.map((r) => (
                  <option key={r.version} value={r.version}>
                    {r.version}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {runError && runError.field !== "year" && <ErrorBox error={runError.message} />}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? h("running") : h("runEvaluation")}
          </button>
        </form>
      )}
      <section aria-labelledby="ev-runs">
        <h2 id="ev-runs">{h("runs")}</h2>
        {data.data && runs.length === 0 && <Empty>{h("runsEmpty")}</Empty>}
        {runs.length > 0 && (
          <table data-testid="runs">
            <thead>
              <tr>
                <th scope="col">{h("year")}</th>
                <th scope="col">{h("rubricVersion")}</th>
                <th scope="col">{h("runState")}</th>
                <th scope="col">{h("createdAt")}</th>
                <th scope="col">{h("publishedAt")}</th>
                <th scope="col">
                  <span className="sr-only">{h("view")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} aria-current={selected?.id === r.id ? "true" : undefined}>
                  <th scope="row">{r.year}</th>
                  <td className="num">{r.rubricVersion}</td>
                  <td>{h(r.state)}</td>
                  <td>
                    {i18n.dateTime(r.createdAt)} · {r.createdBy}
                  </td>
                  <td>{r.publishedAt ? `${i18n.dateTime(r.publishedAt)} · ${r.publishedBy ?? ""}` : "—"}</td>
                  <td>
                    <button type="button" onClick={() => setParams({ run: r.id })}>
                      {h("view")}
                      <span className="sr-only"> {h("runOf", { year: r.year })}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p role="status" aria-live="polite" className="ok" data-testid="evaluation-status">
        {status}
      </p>
      {selected && (
        <RunDetail
          key={selected.id}
          run={selected}
          manage={manage}
          onChanged={(message) => {
            setStatus(message);
            data.reload();
          }}
        />
      )}
    </>
  );
}

function RunDetail({ run, manage, onChanged }: { run: Run; manage: boolean; onChanged: (m: string) => void }) {
  const { h } = useHq();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const draft = run.state === "DRAFT";

  const publish = async () => {
    if (!window.confirm(h("confirmPublish", { year: run.year }))) return;
    setBusy(true);
    setError(null);
    try {
      const result = (await request(PublishDoc, { id: run.id })).publishEvaluation;
      const err = userError(result);
      if (err) setError(err.message);
      else onChanged(h("published"));
    } catch (e) {
      setError(failure(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ev-run" data-testid="run-detail">
      <div className="section-head">
        <h2 id="ev-run">
          {h("runOf", { year: run.year })} · <span data-testid="run-state">{h(run.state)}</span>
        </h2>
        {manage && draft && (
          <button type="button" className="primary" disabled={busy} onClick={() => void publish()}>
            {h("publish")}
          </button>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {run.ratings.length === 0 ? (
        <Empty>{h("ratingsEmpty")}</Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="run-ratings">
            <thead>
              <tr>
                <th scope="col">{h("institute")}</th>
                <th scope="col">{h("score")}</th>
                <th scope="col">{h("computedLevel")}</th>
                <th scope="col">{h("ratingLevel")}</th>
                <th scope="col">{h("breakdown")}</th>
                {manage && draft && <th scope="col">{h("adjust")}</th>}
              </tr>
            </thead>
            <tbody>
              {run.ratings.map((r) => (
                <RatingRow key={r.id} rating={r} editable={manage && draft} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RatingRow({
  rating: r,
  editable,
  onChanged,
}: {
  rating: Rating;
  editable: boolean;
  onChanged: (m: string) => void;
}) {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const [level, setLevel] = useState<RatingLevel>(r.level);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `ev-${r.id.replace(/[^A-Za-z0-9]/g, "")}`;
  const unit = hq.unitName(r.orgUnit);

  const adjust = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError({ __typename: "Local", code: "REQUIRED", message: i18n.t("required"), field: "reason" });
      document.getElementById(`${idp}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = (await request(AdjustDoc, { id: r.id, level, reason: reason.trim() })).adjustRating;
      const err = userError(result);
      if (err) {
        setError(err.field === "reason" || err.field === "level" ? err : { ...err, field: "reason" });
        return;
      }
      setReason("");
      onChanged(h("adjusted"));
    } catch (e) {
      setError({ ...failure(e), field: "reason" });
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">{unit}</th>
      <td className="num">{r.score.toFixed(1)}</td>
      <td>
        <RatingBadge level={r.computedLevel} />
      </td>
      <td>
        <RatingBadge level={r.level} />
        {r.adjustedReason && (
          <div className="note">
            {r.adjustedReason} · {r.adjustedBy}
          </div>
        )}
      </td>
      <td>
        <details>
          <summary>
            {h("breakdown")}
            <span className="sr-only">: {unit}</span>
          </summary>
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">{h("statistic")}</th>
                <th scope="col">{h("value")}</th>
                <th scope="col">{h("points")}</th>
              </tr>
            </thead>
            <tbody>
              {r.breakdown.map((b) => (
                <tr key={b.statistic}>
                  <td>{i18n.locale === "en" ? b.labelEn : b.labelZh}</td>
                  <td className="num">{b.value}</td>
                  <td className="num">{b.points.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </td>
      {editable && (
        <td>
          <form className="inline-form adjust" onSubmit={(e) => void adjust(e)} noValidate aria-label={`${h("adjust")}: ${unit}`}>
            <div className="field">
              <label htmlFor={`${idp}-level`}>{h("adjustedTo")}</label>
              <select id={`${idp}-level`} value={level} onChange={(e) => setLevel(e.target.value as RatingLevel)}>
                {RATING_LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {hq.ratingLevel(l)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${idp}-reason`}>{h("adjustReason")}</label>
              <input
                id={`${idp}-reason`}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${idp}-error` : undefined}
              />
              {error && (
                <p className="field-error" id={`${idp}-error`}>
                  {error.message}
                </p>
              )}
            </div>
            <button type="submit" disabled={busy}>
              {h("adjust")}
            </button>
          </form>
        </td>
      )}
    </tr>
  );
}
