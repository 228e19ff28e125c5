import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { request, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import type {
  AssessmentEditorQuery,
  MeasureStatus,
  RiskCategory,
  RiskLevel,
} from "../gql/graphql";
import { RISK_CATEGORIES, useI18n } from "../i18n";
import { ErrorBox, Loading, useLoad } from "../util";
import { ITEM_KINDS, useEditText } from "../flow/edit-text";

const EditorDoc = graphql(`
  query AssessmentEditor($id: ID!) {
    project(id: $id) {
      id
      title
      version
      allowedTransitions
      orgUnit {
        users(first: 100) {
          nodes {
            id
            displayName
          }
        }
      }
      currentAssessment {
        id
        number
        state
        version
        matrix {
          size
          mediumFrom
          highFrom
          criticalFrom
        }
        notApplicable {
          category
          reason
        }
        riskPoints {
          category
          description
          likelihood
          impact
          consequences
          measures {
            description
            dueDate
            status
            owner {
              id
            }
          }
        }
        dependencies {
          item
          itemKind
          sourceCountry
          supplier
          domesticSubstitute
          stockOrLeadTime
        }
      }
    }
  }
`);

const SaveDoc = graphql(`
  mutation SaveAssessment($input: AssessmentInput!) {
    saveAssessment(input: $input) {
      __typename
      ... on AssessmentSaved {
        assessment {
          number
          version
          overallLevel
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

const SubmitDoc = graphql(`
  mutation SubmitProject($assessmentId: ID!, $expectedVersion: Int) {
    submitProject(assessmentId: $assessmentId, expectedVersion: $expectedVersion) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

type Assessment = NonNullable<NonNullable<AssessmentEditorQuery["project"]>["currentAssessment"]>;
type Matrix = Assessment["matrix"];
type Person = { id: string; displayName: string };

interface MeasureDraft {
  key: number;
  description: string;
  dueDate: string;
  status: MeasureStatus;
  ownerId: string | null;
}

interface PointDraft {
  key: number;
  category: RiskCategory;
  description: string;
  likelihood: number;
  impact: number;
  consequences: string;
  measures: MeasureDraft[];
}

/** A key technology, material or equipment the project relies on (R-ASSESS, chokepoints). */
interface DependencyDraft {
  key: number;
  item: string;
  itemKind: string;
  sourceCountry: string;
  supplier: string;
  domesticSubstitute: boolean;
  stockOrLeadTime: string;
}

interface Draft {
  points: PointDraft[];
  notApplicable: Partial<Record<RiskCategory, string>>;
  dependencies: DependencyDraft[];
}

let nextKey = 1;

function draftOf(a: Assessment): Draft {
  return {
    points: a.riskPoints.map((p) => ({
      key: nextKey++,
      category: p.category,
      description: p.description,
      likelihood: p.likelihood,
      impact: p.impact,
      consequences: p.consequences,
      measures: p.measures.map((m) => ({
        key: nextKey++,
        description: m.description,
        dueDate: m.dueDate ?? "",
        status: m.status,
        ownerId: m.owner?.id ?? null,
      })),
    })),
    notApplicable: Object.fromEntries(a.notApplicable.map((n) => [n.category, n.reason])),
    dependencies: a.dependencies.map((d) => ({ key: nextKey++, ...d })),
  };
}

/** The same rule as the server's matrix (server/projects/matrix.py). */
export function levelOf(m: Matrix, likelihood: number, impact: number): RiskLevel {
  const score = likelihood * impact;
  if (score >= m.criticalFrom) return "CRITICAL";
  if (score >= m.highFrom) return "HIGH";
  if (score >= m.mediumFrom) return "MEDIUM";
  return "LOW";
}

/** Client-side checks, keyed by the id of the control they belong to. */
function validate(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const c of RISK_CATEGORIES) {
    const reason = draft.notApplicable[c];
    if (reason !== undefined && !reason.trim()) errors[`na-${c}`] = "required";
  }
  for (const p of draft.points) {
    if (!p.description.trim()) errors[`p${p.key}-description`] = "required";
    for (const m of p.measures)
      if (!m.description.trim()) errors[`m${m.key}-description`] = "required";
  }
  for (const d of draft.dependencies) {
    if (!d.item.trim()) errors[`d${d.key}-item`] = "required";
    if (!d.sourceCountry.trim()) errors[`d${d.key}-country`] = "required";
  }
  return errors;
}

export function AssessmentEditor() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const loaded = useLoad(() => request(EditorDoc, { id }), [id]);
  const project = loaded.data?.project;
  const assessment = project?.currentAssessment;

  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  if (!project || !assessment)
    return (
      <>
        <h1 tabIndex={-1}>{t("editAssessment")}</h1>
        <p className="empty">{t("notFound")}</p>
      </>
    );
  return (
    <Editor
      key={`${assessment.id}:${assessment.version}`}
      projectId={project.id}
      title={project.title}
      projectVersion={project.version}
      canSubmit={project.allowedTransitions.includes("submit")}
      assessment={assessment}
      people={project.orgUnit.users.nodes}
      reload={loaded.reload}
    />
  );
}

function Editor({
  projectId,
  title,
  projectVersion,
  canSubmit,
  assessment,
  people,
  reload,
}: {
  projectId: string;
  title: string;
  projectVersion: number;
  canSubmit: boolean;
  assessment: Assessment;
  people: Person[];
  reload: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { et, itemKind } = useEditText();
  const [draft, setDraft] = useState<Draft>(() => draftOf(assessment));
  const [version, setVersion] = useState(assessment.version);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<FieldError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const m = assessment.matrix;
  const editable = assessment.state === "DRAFT";
  const scale = useMemo(() => Array.from({ length: m.size }, (_, n) => n + 1), [m.size]);

  // After a refused save, take the person to the first field to correct.
  const [focusFirst, setFocusFirst] = useState(0);
  useEffect(() => {
    const first = Object.keys(errors)[0];
    if (focusFirst && first) document.getElementById(first)?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusFirst]);

  const change = (next: Draft) => {
    setDraft(next);
    setDirty(true);
    setStatus(null);
    // A marked field stops being marked as soon as it is corrected.
    if (Object.keys(errors).length) {
      const still = validate(next);
      setErrors(Object.fromEntries(Object.keys(errors).filter((k) => k in still).map((k) => [k, still[k]!])));
    }
  };
  const updatePoint = (key: number, patch: Partial<PointDraft>) =>
    change({ ...draft, points: draft.points.map((p) => (p.key === key ? { ...p, ...patch } : p)) });
  const updateDependency = (key: number, patch: Partial<DependencyDraft>) =>
    change({
      ...draft,
      dependencies: draft.dependencies.map((d) => (d.key === key ? { ...d, ...patch } : d)),
    });
  const updateMeasure = (pk: number, mk: number, patch: Partial<MeasureDraft>) =>
    change({
      ...draft,
      points: draft.points.map((p) =>
        p.key === pk
          ? { ...p, measures: p.measures.map((x) => (x.key === mk ? { ...x, ...patch } : x)) }
          : p,
      ),
    });

  const save = async (): Promise<boolean> => {
    const found = validate(draft);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length) {
      setStatus(t("fixErrors"));
      setFocusFirst((n) => n + 1);
      return false;
    }
    setBusy(true);
    try {
      const data = await request(SaveDoc, {
        input: {
          assessmentId: assessment.id,
          expectedVersion: version,
          riskPoints: draft.points.map((p) => ({
            category: p.category,
            description: p.description.trim(),
            likelihood: p.likelihood,
            impact: p.impact,
            consequences: p.consequences.trim(),
            measures: p.measures.map((x) => ({
              description: x.description.trim(),
              dueDate: x.dueDate || null,
              status: x.status,
              ownerId: x.ownerId,
            })),
          })),
          notApplicable: Object.entries(draft.notApplicable).map(([category, reason]) => ({
            category: category as RiskCategory,
            reason: (reason ?? "").trim(),
          })),
          dependencies: draft.dependencies.map((d) => ({
            item: d.item.trim(),
            itemKind: d.itemKind,
            sourceCountry: d.sourceCountry.trim(),
            supplier: d.supplier.trim(),
            domesticSubstitute: d.domesticSubstitute,
            stockOrLeadTime: d.stockOrLeadTime.trim(),
          })),
        },
      });
      const result = data.saveAssessment;
      if (result.__typename === "AssessmentSaved") {
        setVersion(result.assessment.version);
        setDirty(false);
        setStatus(t("saved", { n: result.assessment.number }));
        return true;
      }
      setServerError(userError(result));
      return false;
    } catch (e) {
      setServerError({
        __typename: "Error",
        code: "network",
        message: e instanceof Error ? e.message : String(e),
      });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    if (!window.confirm(t("confirmSubmit"))) return;
    if (dirty && !(await save())) return;
    setBusy(true);
    try {
      const data = await request(SubmitDoc, {
        assessmentId: assessment.id,
        expectedVersion: projectVersion,
      });
      const err = userError(data.submitProject);
      if (err) setServerError(err);
      else {
        setStatus(t("submitted"));
        reload();
      }
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const fieldError = (id: string) =>
    errors[id] ? (
      <p id={`${id}-error`} className="field-error">
        {t("required")}
      </p>
    ) : null;
  const described = (id: string) =>
    errors[id] ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
  /** One text field of a dependency (its label, its input, its error if the check marked it). */
  const dependencyText = (
    d: Draft["dependencies"][number],
    field: "item" | "sourceCountry" | "supplier" | "stockOrLeadTime",
    idPart: string,
    label: string,
    grow = false,
  ) => {
    const id = `d${d.key}-${idPart}`;
    return (
      <div className={grow ? "field grow" : "field"}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          value={d[field]}
          onChange={(e) => updateDependency(d.key, { [field]: e.target.value })}
          {...described(id)}
        />
        {fieldError(id)}
      </div>
    );
  };

  const counts = new Map<string, number>();
  for (const p of draft.points)
    counts.set(`${p.likelihood}x${p.impact}`, (counts.get(`${p.likelihood}x${p.impact}`) ?? 0) + 1);

  return (
    <>
      <p>
        <Link to={`/projects/${projectId}`}>← {title}</Link>
      </p>
      <h1 tabIndex={-1}>{t("editorTitle", { title })}</h1>
      <p className="hint">{t("editorIntro")}</p>
      <p>
        {t("assessmentVersion")} {assessment.number} · {t("assessmentState")}:{" "}
        {i18n.assessmentState(assessment.state)}
      </p>
      {!editable && <p className="empty">{t("notEditable")}</p>}

      <section aria-labelledby="matrix-title">
        <h2 id="matrix-title">{t("matrix")}</h2>
        <table className="matrix" data-testid="matrix">
          <caption className="sr-only">{t("matrixNote")}</caption>
          <thead>
            <tr>
              <th scope="col">
                {t("impact")} \ {t("likelihood")}
              </th>
              {scale.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...scale].reverse().map((imp) => (
              <tr key={imp}>
                <th scope="row">{imp}</th>
                {scale.map((l) => (
                  <td key={l} className={`level-${levelOf(m, l, imp)}`}>
                    {counts.get(`${l}x${imp}`) ?? ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="note">{t("matrixNote")}</p>
      </section>

      <form onSubmit={onSubmit} noValidate className="editor">
        <fieldset disabled={!editable || busy}>
          {RISK_CATEGORIES.map((c) => {
            const na = draft.notApplicable[c] !== undefined;
            const points = draft.points.filter((p) => p.category === c);
            return (
              <fieldset key={c} className="category" data-testid={`category-${c}`}>
                <legend>{i18n.category(c)}</legend>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={na}
                    disabled={points.length > 0 || (c === "CHOKEPOINT" && draft.dependencies.length > 0)}
                    onChange={(e) => {
                      const notApplicable = { ...draft.notApplicable };
                      if (e.target.checked) notApplicable[c] = "";
                      else delete notApplicable[c];
                      change({ ...draft, notApplicable });
                    }}
                  />
                  {t("notApplicable")}
                </label>
                {na && (
                  <div className="field">
                    <label htmlFor={`na-${c}`}>{t("notApplicableReason")}</label>
                    <textarea
                      id={`na-${c}`}
                      rows={2}
                      value={draft.notApplicable[c] ?? ""}
                      onChange={(e) =>
                        change({
                          ...draft,
                          notApplicable: { ...draft.notApplicable, [c]: e.target.value },
                        })
                      }
                      {...described(`na-${c}`)}
                    />
                    {fieldError(`na-${c}`)}
                  </div>
                )}
                {points.map((p, n) => {
                  const level = levelOf(m, p.likelihood, p.impact);
                  return (
                    <fieldset key={p.key} className="point">
                      <legend>{t("riskPointN", { n: n + 1 })}</legend>
                      <div className="field">
                        <label htmlFor={`p${p.key}-description`}>{t("description")}</label>
                        <textarea
                          id={`p${p.key}-description`}
                          rows={2}
                          value={p.description}
                          onChange={(e) => updatePoint(p.key, { description: e.target.value })}
                          {...described(`p${p.key}-description`)}
                        />
                        {fieldError(`p${p.key}-description`)}
                      </div>
                      <div className="row">
                        <div className="field">
                          <label htmlFor={`p${p.key}-likelihood`}>{t("likelihood")}</label>
                          <select
                            id={`p${p.key}-likelihood`}
                            value={p.likelihood}
                            onChange={(e) =>
                              updatePoint(p.key, { likelihood: Number(e.target.value) })
                            }
                          >
                            {scale.map((v) => (
                              <option key={v} value={v}>
                                {v}
                              </option>
                            ))}
                          </select>
                        </div>
                        <div className="field">
                          <label htmlFor={`p${p.key}-impact`}>{t("impact")}</label>
                          <select
                            id={`p${p.key}-impact`}
                            value={p.impact}
                            onChange={(e) => updatePoint(p.key, { impact: Number(e.target.value) })}
                          >
                            {scale.map((v) => (
                              <option key={v} value={v}>
                                {v}
                              </option>
                            ))}
                          </select>
                        </div>
                        <output
                          className={`level level-${level}`}
                          aria-live="polite"
                          data-testid={`p${p.key}-level`}
                        >
                          {t("levelPreview", { level: i18n.riskLevel(level) })}
                        </output>
                      </div>
                      <div className="field">
                        <label htmlFor={`p${p.key}-consequences`}>{t("consequences")}</label>
                        <textarea
                          id={`p${p.key}-consequences`}
                          rows={2}
                          value={p.consequences}
                          onChange={(e) => updatePoint(p.key, { consequences: e.target.value })}
                        />
                      </div>
                      {p.measures.map((x, k) => (
                        <div key={x.key} className="row measure">
                          <div className="field grow">
                            <label htmlFor={`m${x.key}-description`}>
                              {t("measureN", { n: k + 1 })}
                            </label>
                            <input
                              id={`m${x.key}-description`}
                              value={x.description}
                              onChange={(e) =>
                                updateMeasure(p.key, x.key, { description: e.target.value })
                              }
                              {...described(`m${x.key}-description`)}
                            />
                            {fieldError(`m${x.key}-description`)}
                          </div>
                          <div className="field">
                            <label htmlFor={`m${x.key}-due`}>{t("measureDue")}</label>
                            <input
                              id={`m${x.key}-due`}
                              type="date"
                              value={x.dueDate}
                              onChange={(e) =>
                                updateMeasure(p.key, x.key, { dueDate: e.target.value })
                              }
                            />
                          </div>
                          <div className="field">
                            <label htmlFor={`m${x.key}-owner`}>{et("ownerOf", { n: k + 1 })}</label>
                            <select
                              id={`m${x.key}-owner`}
                              value={x.ownerId ?? ""}
                              onChange={(e) =>
                                updateMeasure(p.key, x.key, { ownerId: e.target.value || null })
                              }
                            >
                              <option value="">{et("noOwner")}</option>
                              {x.ownerId && !people.some((u) => u.id === x.ownerId) && (
                                <option value={x.ownerId}>{x.ownerId}</option>
                              )}
                              {people.map((u) => (
                                <option key={u.id} value={u.id}>
                                  {u.displayName}
                                </option>
                              ))}
                            </select>
                          </div>
                          <button
                            type="button"
                            onClick={() =>
                              updatePoint(p.key, {
                                measures: p.measures.filter((y) => y.key !== x.key),
                              })
                            }
                          >
                            {t("removeMeasure")}
                            <span className="sr-only"> {k + 1}</span>
                          </button>
                        </div>
                      ))}
                      <div className="actions">
                        <button
                          type="button"
                          onClick={() =>
                            updatePoint(p.key, {
                              measures: [
                                ...p.measures,
                                {
                                  key: nextKey++,
                                  description: "",
                                  dueDate: "",
                                  status: "PLANNED",
                                  ownerId: null,
                                },
                              ],
                            })
                          }
                        >
                          {t("addMeasure")}
                        </button>
                        <button
                          type="button"
                          onClick={() =>
                            change({ ...draft, points: draft.points.filter((q) => q.key !== p.key) })
                          }
                        >
                          {t("removeRiskPoint")}
                        </button>
                      </div>
                    </fieldset>
                  );
                })}
                {!na && (
                  <button
                    type="button"
                    onClick={() =>
                      change({
                        ...draft,
                        points: [
                          ...draft.points,
                          {
                            key: nextKey++,
                            category: c,
                            description: "",
                            likelihood: 1,
                            impact: 1,
                            consequences: "",
                            measures: [],
                          },
                        ],
                      })
                    }
                  >
                    {t("addRiskPoint")}
                    <span className="sr-only">: {i18n.category(c)}</span>
                  </button>
                )}
              </fieldset>
            );
          })}
          <fieldset className="category" data-testid="dependencies">
            <legend>{et("dependencies")}</legend>
            <p className="hint">{et("dependenciesIntro")}</p>
            {draft.notApplicable.CHOKEPOINT !== undefined ? (
              <p className="note">{et("dependenciesNotApplicable")}</p>
            ) : (
              draft.dependencies.length === 0 && <p className="empty">{et("dependenciesEmpty")}</p>
            )}
            {draft.dependencies.map((d, n) => (
              <fieldset key={d.key} className="point">
                <legend>{et("dependencyN", { n: n + 1 })}</legend>
                <div className="row">
                  {dependencyText(d, "item", "item", et("depItem"), true)}
                  <div className="field">
                    <label htmlFor={`d${d.key}-kind`}>{et("depKind")}</label>
                    <select
                      id={`d${d.key}-kind`}
                      value={d.itemKind}
                      onChange={(e) => updateDependency(d.key, { itemKind: e.target.value })}
                    >
                      {ITEM_KINDS.map((k) => (
                        <option key={k} value={k}>
                          {itemKind(k)}
                        </option>
                      ))}
                    </select>
                  </div>
                  {dependencyText(d, "sourceCountry", "country", et("depCountry"))}
                </div>
                <div className="row">
                  {dependencyText(d, "supplier", "supplier", et("depSupplier"), true)}
                  {dependencyText(d, "stockOrLeadTime", "stock", et("depStock"), true)}
                </div>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={d.domesticSubstitute}
                    onChange={(e) => updateDependency(d.key, { domesticSubstitute: e.target.checked })}
                  />
                  {et("depSubstitute")}
                </label>
                <button
                  type="button"
                  onClick={() =>
                    change({ ...draft, dependencies: draft.dependencies.filter((x) => x.key !== d.key) })
                  }
                >
                  {et("removeDependency")}
                  <span className="sr-only"> {n + 1}</span>
                </button>
              </fieldset>
            ))}
            {draft.notApplicable.CHOKEPOINT === undefined && (
              <button
                type="button"
                onClick={() =>
                  change({
                    ...draft,
                    dependencies: [
                      ...draft.dependencies,
                      {
                        key: nextKey++,
                        item: "",
                        itemKind: "equipment",
                        sourceCountry: "",
                        supplier: "",
                        domesticSubstitute: false,
                        stockOrLeadTime: "",
                      },
                    ],
                  })
                }
              >
                {et("addDependency")}
              </button>
            )}
          </fieldset>
        </fieldset>
        {serverError && (
          <div
            className="error-box"
            role="alert"
            data-testid="save-error"
            data-field={serverError.field ?? undefined}
          >
            <span>{serverError.message}</span>
            {serverError.field === "expectedVersion" && (
              <button type="button" onClick={reload}>
                {t("reloadAssessment")}
              </button>
            )}
          </div>
        )}
        <p className="status" role="status" aria-live="polite" data-testid="save-status">
          {status}
        </p>
        {editable && (
          <div className="actions sticky">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t("saving") : t("save")}
            </button>
            {canSubmit && (
              <button type="button" onClick={() => void submit()} disabled={busy}>
                {t("submitForReview")}
              </button>
            )}
          </div>
        )}
      </form>
    </>
  );
}
