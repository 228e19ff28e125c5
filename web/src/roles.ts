// Who may open which supervision and HQ screen (mirrors policies/policy.csv; the server decides).
import type { Role } from "./gql/graphql";

type WithRoles = { roles: { role: Role }[] } | null | undefined;

const HQ: Role[] = [
  "SAFETY_COMMITTEE_OFFICE",
  "HQ_COORDINATION_GROUP",
  "BUSINESS_DEPARTMENT",
  "PLATFORM_ADMIN",
];

function has(viewer: WithRoles, roles: Role[]): boolean {
  return !!viewer?.roles.some((r) => roles.includes(r.role));
}

export const canReadOversight = (v: WithRoles) =>
  has(v, [
    ...HQ,
    "BRANCH_SUPERVISOR",
    "LEGAL_REPRESENTATIVE",
    "COORDINATION_LEADER",
    "COORDINATION_MEMBER",
    "RESEARCH_MANAGEMENT",
    "SAFETY_MANAGEMENT",
  ]);

export const canReadWarningList = (v: WithRoles) =>
  has(v, [
    ...HQ,
    "BRANCH_SUPERVISOR",
    "LEGAL_REPRESENTATIVE",
    "COORDINATION_LEADER",
    "RESEARCH_MANAGEMENT",
  ]);

export const canManageWarningList = (v: WithRoles) =>
  has(v, ["SAFETY_COMMITTEE_OFFICE", "HQ_COORDINATION_GROUP", "BUSINESS_DEPARTMENT"]);

export const canReadEvaluations = (v: WithRoles) => has(v, HQ);

export const canManageEvaluations = (v: WithRoles) =>
  has(v, ["SAFETY_COMMITTEE_OFFICE", "HQ_COORDINATION_GROUP"]);

export const canManageUsers = (v: WithRoles) => has(v, ["TENANT_ADMIN", "PLATFORM_ADMIN"]);
