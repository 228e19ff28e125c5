"""Outcome release review (R-OUTCOME): reviewed by the officers responsible before release."""

from __future__ import annotations

from typing import Any

from project_support import Flow

SUBMIT = """mutation($p: ID!, $m: ID) { submitOutcome(projectId: $p, kind: PAPER,
  title: "基于……的研究", channel: "某期刊", materialDocumentId: $m) { __typename
  ... on OutcomeSaved { outcome { id decision controlled } }
  ... on UserError { code message } } }"""
REVIEW = """mutation($o: ID!, $a: ReviewAspect!, $v: AspectVerdict!) { reviewOutcome(outcomeId: $o,
  aspect: $a, verdict: $v, opinion: "意见") { __typename ... on OutcomeSaved { outcome {
  reviews { aspect verdict } } } ... on UserError { code message } } }"""
DECIDE = """mutation($o: ID!, $d: ReleaseDecision!) { decideOutcomeRelease(outcomeId: $o,
  decision: $d, note: "决定") { __typename ... on OutcomeSaved { outcome { decision controlled } }
  ... on UserError { code message field } } }"""
REVIEWERS = {
    "SECRECY": "iph.secrecy-officer",
    "DATA_SECURITY": "iph.research-management",
    "PATENT": "iph.research-management",
    "PUBLIC_OPINION": "iph.public-opinion-officer",
    "ETHICS": "iph.coordination-member",
}


async def _outcome(flow: Flow) -> str:
    project = await flow.approved()
    await flow.fire("iph.researcher", "startProject", project["id"])
    material = await flow.attach("iph.researcher", project["id"], "OUTCOME_MATERIAL")
    submitted = await flow.gql("iph.researcher", SUBMIT, {"p": project["id"], "m": material})
    return submitted["submitOutcome"]["outcome"]["id"]  # type: ignore[no-any-return]


async def _review_all(flow: Flow, outcome: str, unfit: str | None = None) -> None:
    for aspect, reviewer in REVIEWERS.items():
        verdict = "UNFIT" if aspect == unfit else "FIT"
        done = await flow.gql(reviewer, REVIEW, {"o": outcome, "a": aspect, "v": verdict})
        assert done["reviewOutcome"]["__typename"] == "OutcomeSaved", (aspect, done)


async def test_R_OUTCOME_every_aspect_is_reviewed_before_release(flow: Flow):
    outcome = await _outcome(flow)
    early = await flow.gql("iph.research-management", DECIDE, {"o": outcome, "d": "APPROVE"})
    assert early["decideOutcomeRelease"]["code"] == "CONFLICT"
    wrong = await flow.gql("iph.researcher", REVIEW, {"o": outcome, "a": "SECRECY", "v": "FIT"})
    assert wrong["reviewOutcome"]["code"] == "FORBIDDEN"
    await _review_all(flow, outcome)
    by_wrong_role = await flow.gql("iph.secrecy-officer", DECIDE, {"o": outcome, "d": "APPROVE"})
    assert by_wrong_role["decideOutcomeRelease"]["code"] == "FORBIDDEN"
    approved = await flow.gql("iph.research-management", DECIDE, {"o": outcome, "d": "APPROVE"})
    assert approved["decideOutcomeRelease"]["outcome"] == {
        "decision": "APPROVE",
        "controlled": False,
    }


async def test_R_OUTCOME_unfit_outcomes_stay_controlled(flow: Flow):
    outcome = await _outcome(flow)
    await _review_all(flow, outcome, unfit="SECRECY")
    refused = await flow.gql("iph.research-management", DECIDE, {"o": outcome, "d": "APPROVE"})
    assert refused["decideOutcomeRelease"]["field"] == "decision"
    kept = await flow.gql("iph.research-management", DECIDE, {"o": outcome, "d": "NOT_FOR_RELEASE"})
    assert kept["decideOutcomeRelease"]["outcome"]["controlled"] is True
    listed = await flow.gql(
        "hq.safety-committee-office", "{ outcomes(controlled: true, first: 100) { nodes { id } } }"
    )
    assert outcome in {n["id"] for n in listed["outcomes"]["nodes"]}
    other: Any = await flow.gql(
        "ioc.tenant-admin", "{ outcomes(controlled: true, first: 100) { nodes { id } } }"
    )
    assert outcome not in {n["id"] for n in other["outcomes"]["nodes"]}
