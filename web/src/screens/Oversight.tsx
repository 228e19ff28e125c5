// The supervision view (ORG-BRANCH) and HQ's oversight (ORG-HQ-DUTY): `oversight(orgUnitId)`.
import { useState } from "react";
import { useSearchParams } from "react-router";
import { downloadWithToken, request } from "../api";
import { graphql } from "../gql";
import type { OversightQuery } from "../gql/graphql";
import { PROJECT_STATES, useI18n } from "../i18n";
import { useHq } from "../i18n-hq";
import { Empty, ErrorBox, Loading, useLoad } from "../util";

const ScopesDoc = graphql(`
  query OversightScopes {
    orgUnits(first: 100) {
      nodes {
        id
        kind
        code
        name
        nameEn
      }
    }
  }
`);

const OversightDoc = graphql(`
  query Oversight($unit: ID, $year: Int) {
    oversight(orgUnitId: $unit) {
      orgUnit {
        id
        code
        name
        nameEn
      }
      asOf
      institutes {
        id
        code
        name
        nameEn
      }
      exportUrl
      projects {
        total
        live
        byState {
          state
          projects
        }
        institutes {
          orgUnit {
            id
            code
            name
            nameEn
          }
          total
          live
          byState {
            state
            projects
          }
        }
      }
      sensitiveFields {
        projects
        live
        fields {
          field
          projects
          live
        }
      }
      levels {
        level
        projects
        live
      }
      riskPoints {
        byCategory {
          category
          points
          byLevel {
            level
            points
          }
        }
        heatmap {
          size
          cells {
            likelihood
            impact
            points
          }
        }
      }
      overdueHazards(first: 10) {
        count
        bySeverity {
          severity
          hazards
        }
        oldest {
          hazard {
            id
            title
            deadline
            severity
          }
          orgUnit {
            code
            name
            nameEn
          }
          projectTitle
          daysOverdue
        }
      }
      openIncidents(first: 10) {
        count
        bySeverity {
          severity
          incidents
        }
        latest {
          incident {
            id
            title
            severity
            occurredAt
          }
          orgUnit {
            code
            name
            nameEn
          }
          projectTitle
        }
      }
      trends {
        month
        newProjects
        hazardsFound
        incidentsReported
      }
      chokepointExposure(first: 20) {
        dependencies
        top {
          item
          itemKind
          sourceCountry
          projects
          institutes
          withoutDomesticSubstitute
        }
      }
      ratings(year: $year) {
        id
        year
        score
        computedLevel
        level
        adjustedReason
        publishedAt
        orgUnit {
          code
          name
          nameEn
        }
      }
      warningSignals(first: 50) {
        total
        byLevel {
          level
          signals
        }
        signals {
          id
          indicator
          level
          value
          openedAt
          orgUnit {
            code
            name
            nameEn
          }
          project {
            title
          }
        }
      }
    }
    warningIndicators {
      name
      titleZh
      titleEn
    }
  }
`);

type View = OversightQuery["oversight"];
type Trend = View["trends"][number];

export function Oversight() {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const [params, setParams] = useSearchParams();
  const unit = params.get("unit");
  const lastYear = new Date().getFullYear() - 1;
  const year = Number(params.get("year")) || lastYear;
  const scopes = useLoad(() => request(ScopesDoc), []);
  const view = useLoad(() => request(OversightDoc, { unit, year }), [unit, year]);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };

  const exportExcel = async (url: string, code: string) => {
    setExporting(true);
    setExportError(null);
    try {
      await downloadWithToken(url, `oversight-${code}.xlsx`);
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  };

  const units = (scopes.data?.orgUnits.nodes ?? []).filter((u) => u.kind !== "HQ");
  const o = view.data?.oversight;
  const indicatorTitle = (name: string) => {
    const ind = view.data?.warningIndicators.find((i) => i.name === name);
    return ind ? (i18n.locale === "en" ? ind.titleEn : ind.titleZh) : name;
  };

  return (
    <>
      <h1 tabIndex={-1}>{h("oversightTitle")}</h1>
      <div className="filters">
        {units.length > 1 && (
          <div className="field">
            <label htmlFor="ov-scope">{h("scope")}</label>
            <select id="ov-scope" value={unit ?? ""} onChange={(e) => setParam("unit", e.target.value)}>
              <option value="">{h("ownUnit")}</option>
              {units.map((u) => (
                <option key={u.id} value={u.id}>
                  {hq.unitName(u)} ({u.code})
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="ov-year">{h("ratingsYear")}</label>
          <input
            id="ov-year"
            type="number"
            min={2000}
            max={lastYear + 1}
            defaultValue={year}
            onBlur={(e) => setParam("year", e.target.value === String(lastYear) ? "" : e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") setParam("year", e.currentTarget.value);
            }}
          />
        </div>
        {o && (
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={exporting}
              onClick={() => void exportExcel(o.exportUrl, o.orgUnit.code)}
            >
              {exporting ? h("exporting") : h("exportExcel")}
            </button>
          </div>
        )}
      </div>
      {exportError && <ErrorBox error={exportError} />}
      {view.loading && <Loading />}
      {view.error && <ErrorBox error={view.error} retry={view.reload} />}
      {o && (
        <div className="oversight" data-testid="oversight">
          <dl className="facts">
            <dt>{h("viewUnit")}</dt>
            <dd data-testid="oversight-unit">{hq.unitName(o.orgUnit)}</dd>
            <dt>{h("asOf")}</dt>
            <dd>{i18n.date(o.asOf)}</dd>
            <dt>{h("institutesCovered")}</dt>
            <dd data-testid="oversight-institutes">
              {o.institutes.map((u) => `${hq.unitName(u)} (${u.code})`).join(i18n.locale === "en" ? ", " : "、") || "—"}
            </dd>
          </dl>

          <section aria-labelledby="ov-projects">
            <h2 id="ov-projects">{h("projectsByInstitute")}</h2>
            <div className="table-wrap">
              <table data-testid="projects-by-institute">
                <thead>
                  <tr>
                    <th scope="col">{h("institute")}</th>
                    {PROJECT_STATES.map((s) => (
                      <th scope="col" key={s}>
                        {i18n.projectState(s)}
                      </th>
                    ))}
                    <th scope="col">{h("total")}</th>
                    <th scope="col">{h("live")}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.projects.institutes.map((row) => (
                    <tr key={row.orgUnit.id}>
                      <th scope="row">{hq.unitName(row.orgUnit)}</th>
                      {PROJECT_STATES.map((s) => (
                        <td key={s} className="num">
                          {row.byState.find((b) => b.state === s)?.projects ?? 0}
                        </td>
                      ))}
                      <td className="num">{row.total}</td>
                      <td className="num">{row.live}</td>
                    </tr>
                  ))}
                  <tr className="sum">
                    <th scope="row">{h("total")}</th>
                    {PROJECT_STATES.map((s) => (
                      <td key={s} className="num">
                        {o.projects.byState.find((b) => b.state === s)?.projects ?? 0}
                      </td>
                    ))}
                    <td className="num">{o.projects.total}</td>
                    <td className="num">{o.projects.live}</td>
                  </tr>
                </tbody>
              </table>
            </div>
          </section>

          <div className="panels">
            <section aria-labelledby="ov-sensitive">
              <h2 id="ov-sensitive">{h("sensitiveFieldsPanel")}</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{h("field")}</th>
                    <th scope="col">{h("projectsCount")}</th>
                    <th scope="col">{h("live")}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.sensitiveFields.fields.map((f) => (
                    <tr key={f.field}>
                      <th scope="row">{i18n.sensitiveField(f.field)}</th>
                      <td className="num">{f.projects}</td>
                      <td className="num">{f.live}</td>
                    </tr>
                  ))}
                  <tr className="sum">
                    <th scope="row">{h("total")}</th>
                    <td className="num">{o.sensitiveFields.projects}</td>
                    <td className="num">{o.sensitiveFields.live}</td>
                  </tr>
                </tbody>
              </table>
            </section>
            <section aria-labelledby="ov-levels">
              <h2 id="ov-levels">{h("levelsPanel")}</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{i18n.t("level")}</th>
                    <th scope="col">{h("projectsCount")}</th>
                    <th scope="col">{h("live")}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.levels.map((l) => (
                    <tr key={l.level ?? "none"}>
                      <th scope="row">
                        {l.level ? (
                          <span className={`level level-${l.level}`}>{i18n.riskLevel(l.level)}</span>
                        ) : (
                          h("noLevel")
                        )}
                      </th>
                      <td className="num">{l.projects}</td>
                      <td className="num">{l.live}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>

          <div className="panels">
            <section aria-labelledby="ov-heatmap">
              <h2 id="ov-heatmap">{h("heatmap")}</h2>
              <p className="note">{h("heatmapNote")}</p>
              <Heatmap heatmap={o.riskPoints.heatmap} />
            </section>
            <section aria-labelledby="ov-categories">
              <h2 id="ov-categories">{h("riskByCategory")}</h2>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{i18n.t("category")}</th>
                      {(["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const).map((l) => (
                        <th scope="col" key={l}>
                          {i18n.riskLevel(l)}
                        </th>
                      ))}
                      <th scope="col">{h("total")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.riskPoints.byCategory.map((c) => (
                      <tr key={c.category}>
                        <th scope="row">{i18n.category(c.category)}</th>
                        {(["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const).map((l) => (
                          <td key={l} className="num">
                            {c.byLevel.find((b) => b.level === l)?.points ?? 0}
                          </td>
                        ))}
                        <td className="num">{c.points}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          </div>

          <div className="panels">
            <section aria-labelledby="ov-overdue">
              <h2 id="ov-overdue">
                {h("overdueHazards")} <span className="count">{o.overdueHazards.count}</span>
              </h2>
              <p>
                {o.overdueHazards.bySeverity
                  .map((s) => `${hq.hazardSeverity(s.severity)} ${s.hazards}`)
                  .join(" · ")}
              </p>
              {o.overdueHazards.oldest.length === 0 ? (
                <Empty>{h("none")}</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{h("hazard")}</th>
                      <th scope="col">{h("institute")}</th>
                      <th scope="col">{h("deadline")}</th>
                      <th scope="col">{h("daysOverdue")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.overdueHazards.oldest.map((x) => (
                      <tr key={x.hazard.id}>
                        <td>
                          {x.hazard.title}
                          <br />
                          <span className="note">{x.projectTitle}</span>
                        </td>
                        <td>{hq.unitName(x.orgUnit)}</td>
                        <td>{x.hazard.deadline ? i18n.date(x.hazard.deadline) : "—"}</td>
                        <td className="num">{x.daysOverdue}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="ov-incidents">
              <h2 id="ov-incidents">
                {h("openIncidents")} <span className="count">{o.openIncidents.count}</span>
              </h2>
              <p>
                {o.openIncidents.bySeverity
                  .map((s) => `${hq.incidentSeverity(s.severity)} ${s.incidents}`)
                  .join(" · ")}
              </p>
              {o.openIncidents.latest.length === 0 ? (
                <Empty>{h("none")}</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{h("incident")}</th>
                      <th scope="col">{h("institute")}</th>
                      <th scope="col">{h("severity")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.openIncidents.latest.map((x) => (
                      <tr key={x.incident.id}>
                        <td>
                          {x.incident.title}
                          <br />
                          <span className="note">{i18n.dateTime(x.incident.occurredAt)}</span>
                        </td>
                        <td>{hq.unitName(x.orgUnit)}</td>
                        <td>{hq.incidentSeverity(x.incident.severity)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>

          <section aria-labelledby="ov-trends">
            <h2 id="ov-trends">{h("trends")}</h2>
            <div className="charts">
              <Bars trends={o.trends} pick={(t) => t.newProjects} label={h("newProjects")} colour="#0b5cad" />
              <Bars trends={o.trends} pick={(t) => t.hazardsFound} label={h("hazardsFound")} colour="#c2410c" />
              <Bars
                trends={o.trends}
                pick={(t) => t.incidentsReported}
                label={h("incidentsReported")}
                colour="#b42318"
              />
            </div>
            <details>
              <summary>{h("trendsTable")}</summary>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{h("month")}</th>
                    <th scope="col">{h("newProjects")}</th>
                    <th scope="col">{h("hazardsFound")}</th>
                    <th scope="col">{h("incidentsReported")}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.trends.map((t) => (
                    <tr key={t.month}>
                      <th scope="row">{t.month.slice(0, 7)}</th>
                      <td className="num">{t.newProjects}</td>
                      <td className="num">{t.hazardsFound}</td>
                      <td className="num">{t.incidentsReported}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>

          <section aria-labelledby="ov-chokepoint">
            <h2 id="ov-chokepoint">
              {h("chokepoint")}{" "}
              <span className="count">{h("dependenciesCount", { n: o.chokepointExposure.dependencies })}</span>
            </h2>
            {o.chokepointExposure.top.length === 0 ? (
              <Empty>{h("none")}</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{h("item")}</th>
                      <th scope="col">{h("sourceCountry")}</th>
                      <th scope="col">{h("projectsCount")}</th>
                      <th scope="col">{h("institutesCount")}</th>
                      <th scope="col">{h("withoutSubstitute")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.chokepointExposure.top.map((d) => (
                      <tr key={`${d.item}|${d.sourceCountry}|${d.itemKind}`}>
                        <td>{d.item}</td>
                        <td>{d.sourceCountry}</td>
                        <td className="num">{d.projects}</td>
                        <td className="num">{d.institutes}</td>
                        <td className="num">{d.withoutDomesticSubstitute}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section aria-labelledby="ov-ratings">
            <h2 id="ov-ratings">
              {h("ratingsTable")} · {year}
            </h2>
            {o.ratings.length === 0 ? (
              <Empty>{h("ratingsEmpty")}</Empty>
            ) : (
              <table data-testid="ratings">
                <thead>
                  <tr>
                    <th scope="col">{h("institute")}</th>
                    <th scope="col">{h("score")}</th>
                    <th scope="col">{h("computedLevel")}</th>
                    <th scope="col">{h("ratingLevel")}</th>
                    <th scope="col">{h("adjustedReason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.ratings.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">{hq.unitName(r.orgUnit)}</th>
                      <td className="num">{r.score.toFixed(1)}</td>
                      <td>
                        <RatingBadge level={r.computedLevel} />
                      </td>
                      <td>
                        <RatingBadge level={r.level} />
                      </td>
                      <td>{r.adjustedReason ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-labelledby="ov-signals">
            <h2 id="ov-signals">
              {h("signals")}{" "}
              <span className="count">{h("signalsTotal", { n: o.warningSignals.total })}</span>
            </h2>
            <p>
              {o.warningSignals.byLevel.map((l) => (
                <span key={l.level} className={`rating rating-${l.level}`}>
                  {hq.ratingLevel(l.level)} {l.signals}
                </span>
              ))}
            </p>
            {o.warningSignals.signals.length === 0 ? (
              <Empty>{h("none")}</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{h("indicator")}</th>
                      <th scope="col">{i18n.t("level")}</th>
                      <th scope="col">{h("value")}</th>
                      <th scope="col">{h("subject")}</th>
                      <th scope="col">{h("openedAt")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.warningSignals.signals.map((s) => (
                      <tr key={s.id}>
                        <td>{indicatorTitle(s.indicator)}</td>
                        <td>
                          <RatingBadge level={s.level} />
                        </td>
                        <td className="num">{s.value}</td>
                        <td>
                          {hq.unitName(s.orgUnit)}
                          {s.project && (
                            <>
                              <br />
                              <span className="note">{s.project.title}</span>
                            </>
                          )}
                        </td>
                        <td>{i18n.dateTime(s.openedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
      )}
    </>
  );
}

export function RatingBadge({ level }: { level: "BLUE" | "YELLOW" | "ORANGE" | "RED" }) {
  const hq = useHq();
  return <span className={`rating rating-${level}`}>{hq.ratingLevel(level)}</span>;
}

/** The likelihood × impact grid: numbers in the cells, a table of the non-empty cells beside. */
function Heatmap({ heatmap }: { heatmap: View["riskPoints"]["heatmap"] }) {
  const i18n = useI18n();
  const { h } = useHq();
  const max = Math.max(1, ...heatmap.cells.map((c) => c.points));
  const at = (l: number, i: number) =>
    heatmap.cells.find((c) => c.likelihood === l && c.impact === i)?.points ?? 0;
  const rows = Array.from({ length: heatmap.size }, (_, k) => heatmap.size - k);
  const cols = Array.from({ length: heatmap.size }, (_, k) => k + 1);
  return (
    <>
      <table className="matrix heatmap" data-testid="heatmap">
        <caption className="sr-only">{h("heatmap")}</caption>
        <thead>
          <tr>
            <th scope="col">
              {i18n.t("likelihood")} ↓ / {i18n.t("impact")} →
            </th>
            {cols.map((i) => (
              <th scope="col" key={i}>
                {i}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              {cols.map((i) => {
                const n = at(l, i);
                const alpha = n === 0 ? 0 : 0.15 + 0.85 * (n / max);
                return (
                  <td
                    key={i}
                    style={{
                      background: n ? `rgba(180, 35, 24, ${alpha.toFixed(2)})` : "#f2f4f7",
                      color: alpha > 0.55 ? "#fff" : "#1b1f24",
                    }}
                    aria-label={`${i18n.t("likelihood")} ${l}, ${i18n.t("impact")} ${i}: ${n}`}
                  >
                    {n}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>{h("heatmapTable")}</summary>
        {heatmap.cells.length === 0 ? (
          <Empty>{h("heatmapEmpty")}</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{i18n.t("likelihood")}</th>
                <th scope="col">{i18n.t("impact")}</th>
                <th scope="col">{h("pointsCount")}</th>
              </tr>
            </thead>
            <tbody>
              {heatmap.cells.map((c) => (
                <tr key={`${c.likelihood}-${c.impact}`}>
                  <td className="num">{c.likelihood}</td>
                  <td className="num">{c.impact}</td>
                  <td className="num">{c.points}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </>
  );
}

/** Twelve monthly bars in inline SVG, with the numbers on them; described for screen readers. */
function Bars({
  trends,
  pick,
  label,
  colour,
}: {
  trends: Trend[];
  pick: (t: Trend) => number;
  label: string;
  colour: string;
}) {
  const values = trends.map(pick);
  const max = Math.max(1, ...values);
  const w = 24;
  const gap = 6;
  const height = 110;
  const width = trends.length * (w + gap);
  const summary = trends.map((t, k) => `${t.month.slice(0, 7)}: ${values[k]}`).join(", ");
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 34}`} width={width} height={height + 34} role="img" aria-label={`${label}. ${summary}`}>
        {trends.map((t, k) => {
          const v = values[k] ?? 0;
          const bh = (v / max) * (height - 14);
          const x = k * (w + gap);
          return (
            <g key={t.month}>
              <rect x={x} y={height - bh} width={w} height={bh} fill={colour} />
              <text x={x + w / 2} y={height - bh - 3} textAnchor="middle" fontSize="10">
                {v}
              </text>
              <text x={x + w / 2} y={height + 14} textAnchor="middle" fontSize="10">
                {t.month.slice(5, 7)}
              </text>
              {(k === 0 || t.month.slice(5, 7) === "01") && (
                <text x={x + w / 2} y={height + 28} textAnchor="middle" fontSize="9" fill="#475467">
                  {t.month.slice(0, 4)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
