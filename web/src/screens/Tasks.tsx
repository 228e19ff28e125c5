// "Tasks waiting for me" on My work: computed from queries the viewer may run, one GraphQL
// document per role group (reviewers, hazard owners and verifiers, inspections due, HQ handling,
// HQ filing decisions, outcome aspect reviews).
import { Link } from "react-router";
import { useAdminText } from "../admin-text";
import { request } from "../api";
import { useRecordsText } from "../flow/records-text";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import { useTaskText } from "./taskText";

const ReviewTasksDoc = graphql(`
  query ReviewTasks {
    projects(filter: { states: [SUBMITTED] }, first: 50) {
      nodes {
        id
        title
        orgUnit {
          name
        }
      }
    }
  }
`);

const HazardTasksDoc = graphql(`
  query HazardTasks {
    hazards(filter: { states: [OPEN, RECTIFYING, AWAITING_VERIFICATION] }, first: 100) {
      nodes {
        id
        title
        state
        deadline
        overdue
        projectTitle
        owner {
          id
        }
        handlingRecommendations {
          id
          decision
        }
      }
    }
  }
`);

const InspectionTasksDoc = graphql(`
  query InspectionTasks {
    projects(filter: { states: [IMPLEMENTING, SUSPENDED, OUTCOME, CLOSING] }, first: 100) {
      nodes {
        id
        title
        inspectionPlan {
          nextDue
          due
        }
      }
    }
  }
`);

// R-FILING: projects filed with HQ wait in FILING for the business department's decision; the
// project's filings come through a DataLoader, so the list costs the same for any length.
const FilingTasksDoc = graphql(`
  query FilingTasks {
    projects(filter: { states: [FILING] }, first: 100) {
      nodes {
        id
        title
        orgUnit {
          name
        }
        filings {
          id
          state
        }
      }
    }
  }
`);

// R-OUTCOME: the server lists only the outcomes still lacking an aspect this viewer may review.
const OutcomeTasksDoc = graphql(`
  query OutcomeTasks {
    outcomes(awaitingMyReview: true, first: 100) {
      nodes {
        id
        title
        projectId
        aspectsAwaitingMe
      }
    }
  }
`);

export interface Task {
  key: string;
  to: string;
  label: string;
  detail: string;
}

type WithRoles = { roles: { role: Role }[] } | null | undefined;
const has = (v: WithRoles, roles: Role[]) => !!v?.roles.some((r) => roles.includes(r.role));

const REVIEWERS: Role[] = ["RESEARCH_MANAGEMENT", "COORDINATION_LEADER", "BUSINESS_DEPARTMENT"];
const VERIFIERS: Role[] = [
  "SAFETY_MANAGEMENT",
  "RESEARCH_MANAGEMENT",
  "BRANCH_SUPERVISOR",
  "SAFETY_COMMITTEE_OFFICE",
  "BUSINESS_DEPARTMENT",
];
const INSPECTORS: Role[] = ["SAFETY_MANAGEMENT"];
const FILING_DECIDERS: Role[] = ["BUSINESS_DEPARTMENT"];
// The roles of policies/policy.csv's review_* outcome actions (the leader is a coordination member).
const OUTCOME_REVIEWERS: Role[] = [
  "SECRECY_OFFICER",
  "RESEARCH_MANAGEMENT",
  "PUBLIC_OPINION_OFFICER",
  "COORDINATION_MEMBER",
  "COORDINATION_LEADER",
];

export function Tasks() {
  const { tt } = useTaskText();
  const { at } = useAdminText();
  const { aspect } = useRecordsText();
  const i18n = useI18n();
  const { viewer } = useSession();
  const userId = viewer?.user?.id;
  const roleKey = viewer?.roles.map((r) => r.role).join(",") ?? "";
  const tasks = useLoad(async () => {
    const out: Task[] = [];
    const jobs: Promise<void>[] = [];
    if (has(viewer, REVIEWERS)) {
      jobs.push(
        request(ReviewTasksDoc).then((d) => {
          for (const p of d.projects.nodes)
            out.push({
              key: `r-${p.id}`,
              to: `/projects/${p.id}`,
              label: p.title,
              detail: `${tt("taskReview")} · ${p.orgUnit?.name ?? ""}`,
            });
        }),
      );
    }
    // Everyone may own a hazard's rectification; the verifiers also see what awaits them.
    jobs.push(
      request(HazardTasksDoc).then((d) => {
        const verifier = has(viewer, VERIFIERS);
        const hq = has(viewer, ["BUSINESS_DEPARTMENT"]);
        for (const h of d.hazards.nodes) {
          const where = h.projectTitle ? ` · ${h.projectTitle}` : "";
          if (h.state === "RECTIFYING" && h.owner?.id && h.owner.id === userId)
            out.push({
              key: `h-${h.id}`,
              to: `/hazards/${h.id}`,
              label: h.title,
              detail: `${tt("taskRectify")}${h.deadline ? ` · ${tt("dueBy")} ${i18n.date(h.deadline)}` : ""}${where}`,
            });
          else if (h.state === "AWAITING_VERIFICATION" && verifier)
            out.push({ key: `v-${h.id}`, to: `/hazards/${h.id}`, label: h.title, detail: `${tt("taskVerify")}${where}` });
          if (hq)
            for (const r of h.handlingRecommendations)
              if (!r.decision)
                out.push({ key: `d-${r.id}`, to: `/hazards/${h.id}`, label: h.title, detail: `${tt("taskDecide")}${where}` });
        }
      }),
    );
    if (has(viewer, INSPECTORS)) {
      jobs.push(
        request(InspectionTasksDoc).then((d) => {
          for (const p of d.projects.nodes)
            if (p.inspectionPlan?.due)
              out.push({
                key: `i-${p.id}`,
                to: `/projects/${p.id}`,
                label: p.title,
                detail: `${tt("taskInspect")} · ${tt("dueBy")} ${i18n.date(p.inspectionPlan.nextDue)}`,
              });
        }),
      );
    }
    if (has(viewer, FILING_DECIDERS)) {
      jobs.push(
        request(FilingTasksDoc).then((d) => {
          for (const p of d.projects.nodes) {
            const latest = p.filings[p.filings.length - 1];
            if (latest && latest.state !== "RECORDED")
              out.push({
                key: `f-${latest.id}`,
                to: `/projects/${p.id}#filing-h`,
                label: p.title,
                detail: `${at(latest.state === "SUBMITTED" ? "taskFiling" : "taskArgumentation")} · ${p.orgUnit?.name ?? ""}`,
              });
          }
        }),
      );
    }
    if (has(viewer, OUTCOME_REVIEWERS)) {
      jobs.push(
        request(OutcomeTasksDoc).then((d) => {
          for (const o of d.outcomes.nodes)
            out.push({
              key: `o-${o.id}`,
              to: `/projects/${o.projectId}#outcomes-h`,
              label: o.title,
              detail: at("taskOutcomeReview", {
                aspects: o.aspectsAwaitingMe.map(aspect).join(i18n.locale === "zh" ? "、" : ", "),
              }),
            });
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }, [roleKey, userId, i18n.locale]);

  return (
    <section aria-labelledby="tasks-title" data-testid="tasks">
      <h2 id="tasks-title">
        {tt("tasksTitle")}
        {tasks.data && <span className="count">{tasks.data.length}</span>}
      </h2>
      {tasks.loading && !tasks.data && <Loading />}
      {tasks.error && <ErrorBox error={tasks.error} retry={tasks.reload} />}
      {tasks.data && tasks.data.length === 0 && <Empty>{tt("tasksEmpty")}</Empty>}
      {tasks.data && tasks.data.length > 0 && (
        <ul className="tasks">
          {tasks.data.map((task) => (
            <li key={task.key}>
              <Link to={task.to}>{task.label}</Link> <span className="muted">{task.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
