// Which flow actions a viewer's roles allow: incident records, review stages, inspections (mirrors policies/policy.csv; the server decides).
import type { IncidentUpdateKind, ReviewStage, Role } from "../gql/graphql";

type WithRoles = { roles: { role: Role }[] } | null | undefined;

const ALLOWED: Record<IncidentUpdateKind, Role[]> = {
  FOLLOW_UP: [
    "SAFETY_MANAGEMENT",
    "RESEARCH_MANAGEMENT",
    "COORDINATION_MEMBER",
    "COORDINATION_LEADER",
    "LEGAL_REPRESENTATIVE",
  ],
  INVESTIGATION: [
    "SAFETY_MANAGEMENT",
    "COORDINATION_MEMBER",
    "COORDINATION_LEADER",
    "BRANCH_SUPERVISOR",
    "SAFETY_COMMITTEE_OFFICE",
  ],
  PUBLIC_OPINION: ["PUBLIC_OPINION_OFFICER"],
  FALSE_STATEMENT: ["PUBLIC_OPINION_OFFICER"],
};

export function incidentUpdateKinds(viewer: WithRoles): IncidentUpdateKind[] {
  const roles = new Set(viewer?.roles.map((r) => r.role));
  return (Object.keys(ALLOWED) as IncidentUpdateKind[]).filter((k) =>
    ALLOWED[k].some((r) => roles.has(r)),
  );
}

const has = (viewer: WithRoles, roles: Role[]) => !!viewer?.roles.some((r) => roles.includes(r.role));

/** The review stages a viewer's roles record: institute review, sign-off, HQ re-review. */
export function reviewStages(viewer: WithRoles): ReviewStage[] {
  const stages: ReviewStage[] = [];
  if (has(viewer, ["RESEARCH_MANAGEMENT"])) stages.push("INSTITUTE");
  if (has(viewer, ["COORDINATION_LEADER"])) stages.push("COORDINATION");
  if (has(viewer, ["BUSINESS_DEPARTMENT"])) stages.push("HQ");
  return stages;
}

export const canInspect = (viewer: WithRoles) =>
  has(viewer, [
    "SAFETY_MANAGEMENT",
    "RESEARCH_MANAGEMENT",
    "BRANCH_SUPERVISOR",
    "SAFETY_COMMITTEE_OFFICE",
    "BUSINESS_DEPARTMENT",
  ]);
