// HQ settings (/settings): the evaluation rubric (saveRubric: weights adding up to 100 with the
// running total, thresholds ascending), the early-warning indicator thresholds
// (setIndicatorThresholds) and the rewards register (rewards, addReward).
import { useEffect, useState, type FormEvent } from "react";
import { request, userError } from "../api";
import { FormStatus, requireFields, today, useForm, valuesOf } from "../flow/forms";
import { graphql } from "../gql";
import type { RewardReason, SettingsIndicatorsQuery, WarningListSubjectKind } from "../gql/graphql";
import { useAttachText } from "../flow/attach-text";
import { useI18n } from "../i18n";
import { canManageEvaluations } from "../roles";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { useTaskText } from "./taskText";

const RubricsDoc = graphql(`
  query SettingsRubrics {
    evaluationRubrics {
      version
      note
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
  }
`);

const SaveRubricDoc = graphql(`
  mutation SettingsSaveRubric($input: RubricInput!) {
    saveRubric(input: $input) {
      __typename
      ... on RubricSaved {
        rubric {
          version
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

const IndicatorsDoc = graphql(`
  query SettingsIndicators {
    warningIndicators {
      name
      titleZh
      titleEn
      counts
      version
      thresholds {
        blue
        yellow
        orange
        red
      }
      defaults {
        blue
        yellow
        orange
        red
      }
    }
  }
`);

const SetThresholdsDoc = graphql(`
  mutation SettingsSetThresholds($indicator: String!, $thresholds: WarningThresholdsInput!) {
    setIndicatorThresholds(indicator: $indicator, thresholds: $thresholds) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const RewardsDoc = graphql(`
  query SettingsRewards {
    rewards(first: 50) {
      nodes {
        id
        recipientKind
        recipientLabel
        reason
        citation
        awardedOn
        awardedBy
      }
    }
    orgUnits(kind: INSTITUTE, first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

const RewardPeopleDoc = graphql(`
  query SettingsRewardPeople($orgUnitId: ID!) {
    users(orgUnitId: $orgUnitId, first: 100) {
      nodes {
        id
        displayName
        username
      }
    }
  }
`);

const AddRewardDoc = graphql(`
  mutation SettingsAddReward($orgUnitId: ID!, $input: RewardInput!) {
    addReward(orgUnitId: $orgUnitId, input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

export function Settings() {
  const { tt } = useTaskText();
  return (
    <>
      <h1 tabIndex={-1}>{tt("settingsTitle")}</h1>
      <RubricEditor />
      <IndicatorThresholds />
      <Rewards />
    </>
  );
}

interface WeightRow {
  statistic: string;
  label: string;
  weight: string;
  cap: string;
}

function RubricEditor() {
  const { tt } = useTaskText();
  const i18n = useI18n();
  const { viewer } = useSession();
  const data = useLoad(() => request(RubricsDoc), []);
  const [rows, setRows] = useState<WeightRow[]>([]);
  const [th, setTh] = useState({ yellow: "", orange: "", red: "" });
  const [note, setNote] = useState("");
  const form = useForm("rubric", ["weights", "yellow", "orange", "red", "note"]);
  const latest = (data.data?.evaluationRubrics ?? []).reduce<
    NonNullable<typeof data.data>["evaluationRubrics"][number] | null
  >((a, r) => (!a || r.version > a.version ? r : a), null);

  useEffect(() => {
    if (!latest) return;
    setRows(
      latest.weights.map((w) => ({
        statistic: w.statistic,
        label: i18n.locale === "en" ? w.labelEn : w.labelZh,
        weight: String(w.weight),
        cap: String(w.cap),
      })),
    );
    setTh({
      yellow: String(latest.thresholds.yellow),
      orange: String(latest.thresholds.orange),
      red: String(latest.thresholds.red),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [latest?.version, i18n.locale]);

  const total = Math.round(rows.reduce((s, r) => s + (Number(r.weight) || 0), 0) * 100) / 100;
  const manage = canManageEvaluations(viewer);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const check: Record<string, string> = {};
    if (total !== 100 || rows.some((r) => r.weight.trim() === "" || Number.isNaN(Number(r.weight))))
      check.weights = tt("weightsMustAdd", { n: total });
    const y = Number(th.yellow);
    const o = Number(th.orange);
    const r = Number(th.red);
    if ([th.yellow, th.orange, th.red].some((v) => v.trim() === "")) {
      for (const k of ["yellow", "orange", "red"] as const) if (!th[k].trim()) check[k] = tt("required");
    } else if (!(y < o && o < r)) check.orange = tt("thresholdsAscending");
    if (Object.keys(check).length === 0 && !window.confirm(tt("confirmRubric"))) return;
    let version = 0;
    const ok = await form.submit(check, async () => {
      const result = (
        await request(SaveRubricDoc, {
          input: {
            weights: rows.map((w) => ({ statistic: w.statistic, weight: Number(w.weight), cap: Number(w.cap) })),
            thresholds: { yellow: y, orange: o, red: r },
            note,
          },
        })
      ).saveRubric;
      if (result.__typename === "RubricSaved") version = result.rubric.version;
      const err = userError(result);
      if (err?.field?.startsWith("weights")) return { ...err, field: "weights" };
      if (err?.field?.startsWith("thresholds")) return { ...err, field: "orange" };
      return err;
    });
    if (ok) {
      form.setNotice(tt("rubricSaved", { n: version }));
      data.reload();
    }
  };

  const err = form.errors;
  return (
    <section aria-labelledby="rubric-title" className="card">
      <h2 id="rubric-title">
        {tt("rubricTitle")}
        {latest && <span className="count">v{latest.version}</span>}
      </h2>
      {data.loading && !data.data && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {data.data && !latest && <Empty>—</Empty>}
      {latest && (
        <form onSubmit={(e) => void save(e)} noValidate>
          <fieldset disabled={!manage || form.busy}>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{tt("statistic")}</th>
                  <th scope="col">{tt("weight")}</th>
                  <th scope="col">{tt("cap")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row, n) => (
                  <tr key={row.statistic}>
                    <th scope="row">
                      <label htmlFor={`rubric-w-${row.statistic}`}>{row.label}</label>
                    </th>
                    <td>
                      <input
                        id={`rubric-w-${row.statistic}`}
                        type="number"
                        step="any"
                        min={0}
                        max={100}
                        value={row.weight}
                        aria-invalid={Boolean(err.weights)}
                        aria-describedby="rubric-weights-total"
                        onChange={(e) => {
                          form.touched("weights");
                          setRows((rs) => rs.map((x, i) => (i === n ? { ...x, weight: e.target.value } : x)));
                        }}
                      />
                    </td>
                    <td>
                      <input
                        type="number"
                        step="any"
                        min={0}
                        aria-label={`${row.label} ${tt("cap")}`}
                        value={row.cap}
                        onChange={(e) => setRows((rs) => rs.map((x, i) => (i === n ? { ...x, cap: e.target.value } : x)))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p id="rubric-weights-total" data-testid="weights-total" aria-live="polite" className={total === 100 ? "status" : "field-error"}>
              {tt("weightTotal", { n: total })}
            </p>
            {err.weights && (
              <p id="rubric-weights-error" className="field-error" data-testid="weights-error">
                {err.weights}
              </p>
            )}
            <fieldset>
              <legend>{tt("thresholdsTitle")}</legend>
              {(["yellow", "orange", "red"] as const).map((k) => (
                <div className="field" key={k}>
                  <label htmlFor={`rubric-${k}`}>{tt(k)}</label>
                  <input
                    id={`rubric-${k}`}
                    type="number"
                    step="any"
                    value={th[k]}
                    aria-invalid={Boolean(err[k])}
                    aria-describedby={err[k] ? `rubric-${k}-error` : undefined}
                    onChange={(e) => {
                      form.touched(k);
                      setTh((t) => ({ ...t, [k]: e.target.value }));
                    }}
                  />
                  {err[k] && (
                    <p id={`rubric-${k}-error`} className="field-error">
                      {err[k]}
                    </p>
                  )}
                </div>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor="rubric-note">{tt("note")}</label>
              <input id="rubric-note" value={note} onChange={(e) => setNote(e.target.value)} />
            </div>
            {manage && <button type="submit">{tt("saveRubric")}</button>}
          </fieldset>
          <FormStatus error={form.formError} notice={form.notice} testId="rubric" />
        </form>
      )}
    </section>
  );
}

const LEVELS = ["blue", "yellow", "orange", "red"] as const;

function IndicatorThresholds() {
  const { tt } = useTaskText();
  const i18n = useI18n();
  const data = useLoad(() => request(IndicatorsDoc), []);
  return (
    <section aria-labelledby="indicators-title" className="card">
      <h2 id="indicators-title">{tt("indicatorsTitle")}</h2>
      {data.loading && !data.data && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {data.data && data.data.warningIndicators.length === 0 && <Empty>—</Empty>}
      {data.data?.warningIndicators.map((ind) => (
        <IndicatorRow
          key={`${ind.name}-${ind.version}`}
          indicator={ind}
          title={i18n.locale === "en" ? ind.titleEn : ind.titleZh}
          saved={data.reload}
        />
      ))}
    </section>
  );
}

type Indicator = SettingsIndicatorsQuery["warningIndicators"][number];

function IndicatorRow({ indicator, title, saved }: { indicator: Indicator; title: string; saved: () => void }) {
  const { tt } = useTaskText();
  const prefix = `ind-${indicator.name}`;
  const form = useForm(prefix, [...LEVELS]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = valuesOf(e.currentTarget, LEVELS);
    const nums = LEVELS.map((k) => (v[k] === "" ? null : Number(v[k])));
    const check: Record<string, string> = {};
    const given = nums.filter((n): n is number => n !== null);
    if (given.some((n, i) => i > 0 && n <= (given[i - 1] ?? 0))) check.red = tt("thresholdsAscending");
    const ok = await form.submit(check, async () => {
      const result = (
        await request(SetThresholdsDoc, {
          indicator: indicator.name,
          thresholds: { blue: nums[0], yellow: nums[1], orange: nums[2], red: nums[3] },
        })
      ).setIndicatorThresholds;
      return userError(result);
    }, tt("thresholdsSaved"));
    if (ok) saved();
  };
  return (
    <form className="indicator" onSubmit={(e) => void submit(e)} onInput={form.onEdit} noValidate aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{title}</h3>
      <p className="muted">{indicator.counts}</p>
      <div className="row">
        {LEVELS.map((k) => (
          <div className="field" key={k}>
            <label htmlFor={`${prefix}-${k}`}>{tt(k)}</label>
            <input
              id={`${prefix}-${k}`}
              name={k}
              type="number"
              defaultValue={indicator.thresholds[k] ?? ""}
              placeholder={indicator.defaults[k] == null ? "" : `${tt("defaults")} ${indicator.defaults[k]}`}
              aria-invalid={Boolean(form.errors[k])}
              aria-describedby={form.errors[k] ? `${prefix}-${k}-error` : undefined}
            />
            {form.errors[k] && (
              <p id={`${prefix}-${k}-error`} className="field-error">
                {form.errors[k]}
              </p>
            )}
          </div>
        ))}
      </div>
      <button type="submit" disabled={form.busy}>
        {tt("saveThresholds")}
      </button>
      <FormStatus error={form.formError} notice={form.notice} testId={prefix} />
    </form>
  );
}

const REASONS: RewardReason[] = ["RISK_RESEARCH", "MEASURES", "POLICY_ADOPTED"];
const REWARD_FIELDS = ["orgUnitId", "recipientId", "reason", "citation", "awardedOn"] as const;

function Rewards() {
  const { tt } = useTaskText();
  const { at } = useAttachText();
  const i18n = useI18n();
  const data = useLoad(() => request(RewardsDoc), []);
  const form = useForm("reward", [...REWARD_FIELDS]);
  // R-REWARD: units and people are rewarded; a person is one of the chosen institute's people.
  const [kind, setKind] = useState<WarningListSubjectKind>("UNIT");
  const [unitId, setUnitId] = useState("");
  const people = useLoad(
    () => (kind === "PERSON" && unitId ? request(RewardPeopleDoc, { orgUnitId: unitId }) : Promise.resolve(null)),
    [kind, unitId],
  );
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    const v = valuesOf(el, REWARD_FIELDS);
    const required = REWARD_FIELDS.filter((f) => f !== "recipientId" || kind === "PERSON");
    const ok = await form.submit(requireFields(v, required, tt("required")), async () => {
      const result = (
        await request(AddRewardDoc, {
          orgUnitId: v.orgUnitId,
          input: {
            recipientKind: kind,
            recipientId: kind === "PERSON" ? v.recipientId : v.orgUnitId,
            reason: v.reason as RewardReason,
            citation: v.citation,
            awardedOn: v.awardedOn,
          },
        })
      ).addReward;
      const error = userError(result);
      return error?.field === "subjectId" ? { ...error, field: kind === "PERSON" ? "recipientId" : "orgUnitId" } : error;
    });
    if (ok) {
      el.reset();
      setUnitId("");
      data.reload();
    }
  };
  const rewards = data.data?.rewards.nodes ?? [];
  const err = form.errors;
  const field = (name: string, label: string, control: React.ReactNode) => (
    <div className="field">
      <label htmlFor={`reward-${name}`}>{label}</label>
      {control}
      {err[name] && (
        <p id={`reward-${name}-error`} className="field-error">
          {err[name]}
        </p>
      )}
    </div>
  );
  const aria = (name: string) => ({
    id: `reward-${name}`,
    name,
    "aria-invalid": Boolean(err[name]),
    "aria-describedby": err[name] ? `reward-${name}-error` : undefined,
  });
  return (
    <section aria-labelledby="rewards-title" className="card">
      <h2 id="rewards-title">{tt("rewardsTitle")}</h2>
      {data.loading && !data.data && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {data.data && rewards.length === 0 && <Empty>{tt("rewardsEmpty")}</Empty>}
      {rewards.length > 0 && (
        <ul>
          {rewards.map((r) => (
            <li key={r.id}>
              <strong>{r.recipientLabel}</strong>
              {r.recipientKind === "PERSON" ? at("rewardedPerson") : at("rewardedUnit")} ·{" "}
              {tt(r.reason)} · {r.citation} ·{" "}
              <time dateTime={r.awardedOn}>{i18n.date(r.awardedOn)}</time> · {r.awardedBy}
            </li>
          ))}
        </ul>
      )}
      {data.data && (
        <form onSubmit={(e) => void submit(e)} onInput={form.onEdit} onChange={form.onEdit} noValidate>
          <h3>{tt("addReward")}</h3>
          <fieldset>
            <legend>{at("recipientKind")}</legend>
            {(["UNIT", "PERSON"] as const).map((k) => (
              <label key={k} className="inline">
                <input
                  type="radio"
                  name="recipientKind"
                  value={k}
                  checked={kind === k}
                  onChange={() => setKind(k)}
                />
                {k === "UNIT" ? at("recipientUnit") : at("recipientPerson")}
              </label>
            ))}
          </fieldset>
          {field(
            "orgUnitId",
            tt("unit"),
            <select {...aria("orgUnitId")} value={unitId} onChange={(e) => setUnitId(e.target.value)}>
              <option value="">—</option>
              {data.data.orgUnits.nodes.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>,
          )}
          {kind === "PERSON" &&
            field(
              "recipientId",
              at("person"),
              <select {...aria("recipientId")} defaultValue="" key={unitId} disabled={!unitId || people.loading}>
                <option value="">{!unitId ? at("choosePerson") : people.loading ? at("personsLoading") : "—"}</option>
                {(people.data?.users.nodes ?? []).map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.displayName} ({u.username})
                  </option>
                ))}
              </select>,
            )}
          {people.error && <ErrorBox error={people.error} retry={people.reload} />}
          {field(
            "reason",
            tt("rewardReason"),
            <select {...aria("reason")} defaultValue="RISK_RESEARCH">
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {tt(r)}
                </option>
              ))}
            </select>,
          )}
          {field("citation", tt("citation"), <input {...aria("citation")} />)}
          {field("awardedOn", tt("awardedOn"), <input type="date" {...aria("awardedOn")} defaultValue={today()} />)}
          <button type="submit" disabled={form.busy}>
            {tt("addReward")}
          </button>
          <FormStatus error={form.formError} notice={form.notice} testId="reward" />
        </form>
      )}
    </section>
  );
}
