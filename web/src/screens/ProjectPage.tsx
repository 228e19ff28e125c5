import { useState } from "react";
import { Link, useParams } from "react-router";
import { downloadWithToken, request } from "../api";
import { graphql } from "../gql";
import type { ProjectQuery } from "../gql/graphql";
import { useI18n, type I18n } from "../i18n";
import { ErrorBox, Loading, useLoad } from "../util";
import { useFlowText } from "../flow/text";
import { canInspect } from "../flow/roles";
import { useSession } from "../session";
import { HazardList, ReportHazard } from "./Hazards";
import { InspectionForm, LifecycleActions, ReviewForm } from "./ProjectActions";
import { ProjectRecords } from "./ProjectRecords";
import { canUploadProjectDocuments, EditProject, isUndertaker, MajorChanges, MeasureProgress } from "./ProjectEdit";

const ProjectDoc = graphql(`
  query Project($id: ID!) {
    project(id: $id) {
      id
      title
      summary
      state
      stateChangedAt
      stateReason
      createdAt
      startDate
      endDate
      deployedByHq
      hqDepartment
      sensitiveFields
      allowedTransitions
      permittedTransitions
      version
      orgUnit {
        name
        nameEn
      }
      department {
        name
      }
      principalInvestigator {
        id
        displayName
      }
      members {
        id
        displayName
      }
      currentAssessment {
        id
        number
        state
        overallLevel
        formUrl(format: "pdf")
        riskPoints {
          category
          description
          likelihood
          impact
          level
          consequences
          measures {
            id
            description
            dueDate
            status
            owner {
              id
              displayName
            }
          }
        }
      }
      assessments {
        number
        state
        submittedAt
        decidedAt
        reviews {
          stage
          decision
          reviewer
          createdAt
        }
      }
      filings {
        state
        signedBy
        createdAt
      }
      inspections {
        id
        inspectedOn
        inspector
        summary
        createdAt
      }
      majorChanges {
        description
        declaredBy
        suspended
        resolvedAt
        createdAt
      }
    }
  }
`);

type Project = NonNullable<ProjectQuery["project"]>;

interface Event {
  at: string;
  label: string;
  detail?: string;
}

/** The schema has no state history: the timeline is put together from the dated records. */
function timeline(p: Project, i18n: I18n): Event[] {
  const { t } = i18n;
  const events: Event[] = [{ at: p.createdAt, label: t("eventCreated") }];
  for (const a of p.assessments) {
    if (a.submittedAt) events.push({ at: a.submittedAt, label: t("eventSubmitted", { n: a.number }) });
    if (a.decidedAt)
      events.push({
        at: a.decidedAt,
        label: t("eventDecided", { n: a.number }),
        detail: i18n.assessmentState(a.state),
      });
    for (const r of a.reviews)
      events.push({
        at: r.createdAt,
        label: i18n.reviewStage(r.stage),
        detail: `${i18n.reviewDecision(r.decision)} · ${r.reviewer}`,
      });
  }
  for (const f of p.filings)
    events.push({ at: f.createdAt, label: t("eventFiling"), detail: `${i18n.filingState(f.state)} · ${f.signedBy}` });
  for (const i of p.inspections)
    events.push({ at: i.createdAt, label: t("eventInspection"), detail: `${i.inspectedOn} · ${i.inspector}` });
  for (const c of p.majorChanges)
    events.push({ at: c.createdAt, label: t("eventChange"), detail: c.description });
  if (p.stateChangedAt)
    events.push({
      at: p.stateChangedAt,
      label: t("eventState"),
      detail: i18n.projectState(p.state) + (p.stateReason ? ` · ${p.stateReason}` : ""),
    });
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

export function ProjectPage() {
  const { id = "" } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const project = useLoad(() => request(ProjectDoc, { id }), [id]);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const { ft } = useFlowText();
  const { viewer } = useSession();
  const [hazardsTick, setHazardsTick] = useState(0);

  if (project.loading && !project.data) return <Loading />;
  if (project.error) return <ErrorBox error={project.error} retry={project.reload} />;
  const p = project.data?.project;
  if (!p)
    return (
      <>
        <h1 tabIndex={-1}>{t("project")}</h1>
        <p className="empty">{t("notFound")}</p>
        <Link to="/projects">{t("backToProjects")}</Link>
      </>
    );
  const a = p.currentAssessment;
  // The undertakers carry out the measures of the passed assessment (setMeasureStatus).
  const carryOut = a?.state === "PASSED" && isUndertaker(viewer, p);

  return (
    <>
      <p>
        <Link to="/projects">← {t("backToProjects")}</Link>
      </p>
      <h1 tabIndex={-1}>{p.title}</h1>
      <dl className="facts">
        <dt>{t("currentState")}</dt>
        <dd data-testid="project-state">{i18n.projectState(p.state)}</dd>
        <dt>{t("unit")}</dt>
        <dd>
          {(i18n.locale === "en" && p.orgUnit.nameEn) || p.orgUnit.name}
          {p.department ? ` · ${p.department.name}` : ""}
        </dd>
        <dt>{t("pi")}</dt>
        <dd>{p.principalInvestigator?.displayName ?? "—"}</dd>
        <dt>{t("members")}</dt>
        <dd>{p.members.map((m) => m.displayName).join("、") || "—"}</dd>
        <dt>{t("period")}</dt>
        <dd>
          {i18n.date(p.startDate)} – {i18n.date(p.endDate)}
        </dd>
        {p.sensitiveFields.length > 0 && (
          <>
            <dt>{t("sensitiveFields")}</dt>
            <dd>{p.sensitiveFields.map(i18n.sensitiveField).join("、")}</dd>
          </>
        )}
        {p.summary && (
          <>
            <dt>{t("summary")}</dt>
            <dd>{p.summary}</dd>
          </>
        )}
      </dl>

      <EditProject project={p} viewer={viewer} saved={project.reload} />

      <section aria-labelledby="lifecycle">
        <h2 id="lifecycle">{t("lifecycle")}</h2>
        <h3>{t("allowedTransitions")}</h3>
        {p.allowedTransitions.length ? (
          <ul className="chips" data-testid="transitions">
            {p.allowedTransitions.map((name) => (
              <li key={name}>{i18n.transition(name)}</li>
            ))}
          </ul>
        ) : (
          <p className="empty">{t("noTransitions")}</p>
        )}
        <p className="note">{t("transitionsNote")}</p>
        <LifecycleActions project={p} reload={project.reload} />
        <h3>{t("timeline")}</h3>
        <ol className="timeline" data-testid="timeline">
          {timeline(p, i18n).map((e, n) => (
            <li key={n}>
              <time dateTime={e.at}>{i18n.dateTime(e.at)}</time> <strong>{e.label}</strong>
              {e.detail && <span> — {e.detail}</span>}
            </li>
          ))}
        </ol>
        <p className="note">{t("timelineNote")}</p>
      </section>

      <MajorChanges project={p} viewer={viewer} declared={project.reload} />

      <section aria-labelledby="assessment">
        <h2 id="assessment">{t("assessment")}</h2>
        {a ? (
          <>
            <p>
              {t("assessmentVersion")} {a.number} · {t("assessmentState")}:{" "}
              {i18n.assessmentState(a.state)} · {t("overallLevel")}:{" "}
              {a.overallLevel ? i18n.riskLevel(a.overallLevel) : t("notAssessed")}
            </p>
            <button
              type="button"
              onClick={() => {
                setDownloadError(null);
                downloadWithToken(a.formUrl, `${p.title}.pdf`).catch((e: unknown) =>
                  setDownloadError(e instanceof Error ? e.message : String(e)),
                );
              }}
            >
              {t("downloadForm")}
            </button>
            {a.state === "DRAFT" && (
              <Link className="button" to={`/projects/${p.id}/assessment`}>
                {t("editAssessment")}
              </Link>
            )}
            {downloadError && <ErrorBox error={downloadError} />}
            <h3>{t("riskPoints")}</h3>
            {a.riskPoints.length === 0 ? (
              <p className="empty">{t("riskPointsEmpty")}</p>
            ) : (
              <div className="table-wrap">
                <table data-testid="risk-points">
                  <thead>
                    <tr>
                      <th scope="col">{t("category")}</th>
                      <th scope="col">{t("description")}</th>
                      <th scope="col">
                        {t("likelihood")} × {t("impact")}
                      </th>
                      <th scope="col">{t("level")}</th>
                      <th scope="col">{t("consequences")}</th>
                      <th scope="col">{t("measures")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.riskPoints.map((r, n) => (
                      <tr key={n}>
                        <td>{i18n.category(r.category)}</td>
                        <td>{r.description}</td>
                        <td>
                          {r.likelihood} × {r.impact}
                        </td>
                        <td>
                          <span className={`level level-${r.level}`}>{i18n.riskLevel(r.level)}</span>
                        </td>
                        <td>{r.consequences || "—"}</td>
                        <td>
                          {r.measures.length ? (
                            <ul>
                              {r.measures.map((m) => (
                                <li key={m.id}>
                                  {m.description}
                                  {m.dueDate ? ` (${i18n.date(m.dueDate)})` : ""}
                                  <MeasureProgress
                                    measure={m}
                                    editable={carryOut}
                                    saved={project.reload}
                                  />
                                </li>
                              ))}
                            </ul>
                          ) : (
                            t("noMeasures")
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        ) : (
          <p className="empty">{t("notAssessed")}</p>
        )}
      </section>

      {a?.state === "SUBMITTED" && <ReviewForm projectId={p.id} assessmentId={a.id} reload={project.reload} />}

      {LIVE.includes(p.state) && (
        <section aria-labelledby="inspections-h">
          <h2 id="inspections-h">{ft("inspection")}</h2>
          {p.inspections.length === 0 ? (
            <p className="empty">{ft("inspectionsEmpty")}</p>
          ) : (
            <ul data-testid="inspections">
              {p.inspections.map((i) => (
                <li key={i.id}>
                  {i18n.date(i.inspectedOn)} · {i.inspector} — {i.summary}
                </li>
              ))}
            </ul>
          )}
          {canInspect(viewer) && (
            <InspectionForm
              projectId={p.id}
              measures={a?.state === "PASSED" ? a.riskPoints.flatMap((r) => r.measures) : []}
              canAttachReport={canUploadProjectDocuments(viewer, p)}
              reload={() => {
                project.reload();
                setHazardsTick((n) => n + 1);
              }}
            />
          )}
        </section>
      )}

      {LIVE.includes(p.state) && (
        <section aria-labelledby="hazards-h">
          <h2 id="hazards-h">{ft("hazardsOf")}</h2>
          <ReportHazard projectId={p.id} reported={() => setHazardsTick((n) => n + 1)} />
          <HazardList projectId={p.id} key={hazardsTick} />
        </section>
      )}

      <ProjectRecords projectId={p.id} key={p.version} />
    </>
  );
}

/** The states in which a project is inspected and its hazards are reported. */
const LIVE = ["IMPLEMENTING", "SUSPENDED", "OUTCOME", "CLOSING"];
