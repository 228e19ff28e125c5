import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { request } from "../api";
import { graphql } from "../gql";
import type {
  ProjectFilter,
  ProjectSortKey,
  ProjectState,
  ProjectsQuery,
  RiskCategory,
  RiskLevel,
} from "../gql/graphql";
import { PROJECT_STATES, RISK_CATEGORIES, RISK_LEVELS, useI18n } from "../i18n";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { useFlowText } from "../flow/text";

const ProjectsDoc = graphql(`
  query Projects($filter: ProjectFilter, $sort: ProjectSortKey!, $after: String) {
    projects(filter: $filter, sort: $sort, first: 25, after: $after) {
      nodes {
        id
        title
        state
        startDate
        endDate
        orgUnit {
          name
          nameEn
        }
        principalInvestigator {
          displayName
        }
        currentAssessment {
          overallLevel
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

type Row = ProjectsQuery["projects"]["nodes"][number];
const SORTS: ProjectSortKey[] = ["CREATED", "TITLE", "START"];

/** The filter as the URL keeps it, so Back returns to the same list. */
function filterOf(params: URLSearchParams): ProjectFilter {
  const filter: ProjectFilter = {};
  const q = params.get("q");
  if (q) filter.search = q;
  const state = params.get("state");
  if (state) filter.states = [state as ProjectState];
  const level = params.get("level");
  if (level) filter.levels = [level as RiskLevel];
  const category = params.get("category");
  if (category) filter.categories = [category as RiskCategory];
  if (params.get("sensitive") === "1") filter.anySensitiveField = true;
  const hq = params.get("hq");
  if (hq === "1" || hq === "0") filter.deployedByHq = hq === "1";
  return filter;
}

export function Projects() {
  const i18n = useI18n();
  const { t } = i18n;
  const { ft } = useFlowText();
  const [params, setParams] = useSearchParams();
  const sort = (params.get("sort") as ProjectSortKey | null) ?? "CREATED";
  const [more, setMore] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const key = params.toString();
  const list = useLoad(async () => {
    const d = await request(ProjectsDoc, { filter: filterOf(params), sort, after: null });
    setMore([]);
    setCursor(d.projects.pageInfo.hasNextPage ? (d.projects.pageInfo.endCursor ?? null) : null);
    return d.projects.nodes;
  }, [key]);

  const loadMore = async () => {
    const d = await request(ProjectsDoc, { filter: filterOf(params), sort, after: cursor });
    setMore((m) => [...m, ...d.projects.nodes]);
    setCursor(d.projects.pageInfo.hasNextPage ? (d.projects.pageInfo.endCursor ?? null) : null);
  };

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ["q", "state", "level", "category", "hq", "sort"]) {
      const value = String(form.get(name) ?? "").trim();
      if (value) next.set(name, value);
    }
    if (form.get("sensitive")) next.set("sensitive", "1");
    setParams(next);
  };

  const rows = [...(list.data ?? []), ...more];

  return (
    <>
      <div className="section-head">
        <h1 tabIndex={-1}>{t("projects")}</h1>
        <Link className="button" to="/projects/new">
          {ft("proposeProject")}
        </Link>
      </div>
      <form className="filters" onSubmit={apply} aria-label={t("filters")} key={key}>
        <div className="field">
          <label htmlFor="f-q">{t("search")}</label>
          <input id="f-q" name="q" type="search" defaultValue={params.get("q") ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-state">{t("state")}</label>
          <select id="f-state" name="state" defaultValue={params.get("state") ?? ""}>
            <option value="">{t("any")}</option>
            {PROJECT_STATES.map((s) => (
              <option key={s} value={s}>
                {i18n.projectState(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-level">{t("level")}</label>
          <select id="f-level" name="level" defaultValue={params.get("level") ?? ""}>
            <option value="">{t("any")}</option>
            {RISK_LEVELS.map((l) => (
              <option key={l} value={l}>
                {i18n.riskLevel(l)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-category">{t("category")}</label>
          <select id="f-category" name="category" defaultValue={params.get("category") ?? ""}>
            <option value="">{t("any")}</option>
            {RISK_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {i18n.category(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-hq">{t("deployedByHq")}</label>
          <select id="f-hq" name="hq" defaultValue={params.get("hq") ?? ""}>
            <option value="">{t("any")}</option>
            <option value="1">✓</option>
            <option value="0">✗</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-sort">{t("sort")}</label>
          <select id="f-sort" name="sort" defaultValue={sort}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(s === "CREATED" ? "sortCreated" : s === "TITLE" ? "sortTitle" : "sortStart")}
              </option>
            ))}
          </select>
        </div>
        <label className="inline">
          <input
            type="checkbox"
            name="sensitive"
            defaultChecked={params.get("sensitive") === "1"}
          />
          {t("sensitiveOnly")}
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            {t("applyFilters")}
          </button>
          <button type="button" onClick={() => setParams(new URLSearchParams())}>
            {t("clearFilters")}
          </button>
        </div>
      </form>
      {list.loading && <Loading />}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && rows.length === 0 && <Empty>{t("projectsEmpty")}</Empty>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="projects">
            <thead>
              <tr>
                <th scope="col">{t("title")}</th>
                <th scope="col">{t("state")}</th>
                <th scope="col">{t("overallLevel")}</th>
                <th scope="col">{t("unit")}</th>
                <th scope="col">{t("pi")}</th>
                <th scope="col">{t("period")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/projects/${p.id}`}>{p.title}</Link>
                  </td>
                  <td>{i18n.projectState(p.state)}</td>
                  <td>
                    {p.currentAssessment?.overallLevel ? (
                      <span className={`level level-${p.currentAssessment.overallLevel}`}>
                        {i18n.riskLevel(p.currentAssessment.overallLevel)}
                      </span>
                    ) : (
                      t("notAssessed")
                    )}
                  </td>
                  <td>{(i18n.locale === "en" && p.orgUnit.nameEn) || p.orgUnit.name}</td>
                  <td>{p.principalInvestigator?.displayName ?? "—"}</td>
                  <td>
                    {i18n.date(p.startDate)} – {i18n.date(p.endDate)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          {t("loadMore")}
        </button>
      )}
    </>
  );
}
