"""The rule IDs of the guidance (shared/guidance/RULES.md): code, tests, policy and the routing
table cite only these."""

from __future__ import annotations

RULE_IDS = frozenset(
    {
        "ORG-HQ",
        "ORG-HQ-DUTY",
        "ORG-BRANCH",
        "ORG-INST",
        "ORG-INST-DUTY",
        "R-OWN",
        "R-ASSESS",
        "R-SENSITIVE",
        "R-PLAN",
        "R-REVIEW",
        "R-GATE",
        "R-FILING",
        "R-INSPECT",
        "R-PERMIT",
        "R-REPORT",
        "R-CHANGE",
        "R-SUPERVISE",
        "R-OUTCOME",
        "R-CLOSE",
        "R-HAZARD",
        "R-INCIDENT",
        "R-OVERDUE",
        "R-EVAL",
        "R-WARNLIST",
        "R-REWARD",
    }
)
