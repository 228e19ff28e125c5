"""Outcomes awaiting the viewer's aspect review (R-OUTCOME): the list behind the portal's tasks.

`outcomes(awaitingMyReview: true)` lists the undecided outcomes of the viewer's own unit that
still lack the review of an aspect the gate lets the viewer review; `aspectsAwaitingMe` names
those aspects. Another unit's reviewer never sees them, and the statement count of the list does
not grow with its length.
"""

from __future__ import annotations

import uuid
from typing import Any

from project_support import Flow
from sql_statements import sql_statements
from sqlalchemy.ext.asyncio import AsyncEngine

SUBMIT = """mutation($p: ID!, $t: String!) { submitOutcome(projectId: $p, kind: PAPER, title: $t,
  channel: "某期刊") { __typename ... on OutcomeSaved { outcome { id } }
  ... on UserError { code message } } }"""
REVIEW = """mutation($o: ID!, $a: ReviewAspect!) { reviewOutcome(outcomeId: $o, aspect: $a,
  verdict: FIT, opinion: "意见") { __typename ... on UserError { code message } } }"""
DECIDE = """mutation($o: ID!) { decideOutcomeRelease(outcomeId: $o, decision: APPROVE,
  note: "同意") { __typename ... on UserError { code message } } }"""
AWAITING = """query($p: ID, $n: Int!) { outcomes(projectId: $p, awaitingMyReview: true, first: $n)
  { nodes { id title projectId aspectsAwaitingMe reviews { aspect } } } }"""
REVIEWERS = {
    "SECRECY": "iph.secrecy-officer",
    "DATA_SECURITY": "iph.research-management",
    "PATENT": "iph.research-management",
    "PUBLIC_OPINION": "iph.public-opinion-officer",
    "ETHICS": "iph.coordination-member",
}


async def _project(flow: Flow) -> str:
    project = await flow.approved()
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["__typename"] == "ProjectSaved", started
    return str(project["id"])


async def _submit(flow: Flow, project_id: str, title: str) -> str:
    done = await flow.gql("iph.researcher", SUBMIT, {"p": project_id, "t": title})
    assert done["submitOutcome"]["__typename"] == "OutcomeSaved", done
    return str(done["submitOutcome"]["outcome"]["id"])


async def _awaiting(flow: Flow, user: str, project_id: str | None = None) -> dict[str, Any]:
    data = await flow.gql(user, AWAITING, {"p": project_id, "n": 100})
    return {n["id"]: n for n in data["outcomes"]["nodes"]}


async def test_R_OUTCOME_each_reviewer_is_listed_the_aspects_still_theirs(flow: Flow):
    project = await _project(flow)
    outcome = await _submit(flow, project, "待审查的论文")

    assert (await _awaiting(flow, "iph.secrecy-officer"))[outcome]["aspectsAwaitingMe"] == [
        "SECRECY"
    ]
    assert (await _awaiting(flow, "iph.research-management"))[outcome]["aspectsAwaitingMe"] == [
        "DATA_SECURITY",
        "PATENT",
    ]
    # Whoever may review no aspect has nothing awaiting them.
    assert outcome not in await _awaiting(flow, "iph.researcher")

    reviewed = await flow.gql(
        "iph.research-management", REVIEW, {"o": outcome, "a": "DATA_SECURITY"}
    )
    assert reviewed["reviewOutcome"]["__typename"] == "OutcomeSaved", reviewed
    still = await _awaiting(flow, "iph.research-management")
    assert still[outcome]["aspectsAwaitingMe"] == ["PATENT"]
    await flow.gql("iph.research-management", REVIEW, {"o": outcome, "a": "PATENT"})
    assert outcome not in await _awaiting(flow, "iph.research-management")
    assert outcome in await _awaiting(flow, "iph.secrecy-officer")

    for aspect in ("SECRECY", "PUBLIC_OPINION", "ETHICS"):
        await flow.gql(REVIEWERS[aspect], REVIEW, {"o": outcome, "a": aspect})
    decided = await flow.gql("iph.research-management", DECIDE, {"o": outcome})
    assert decided["decideOutcomeRelease"]["__typename"] == "OutcomeSaved", decided
    for reviewer in set(REVIEWERS.values()):
        assert outcome not in await _awaiting(flow, reviewer)
    # A decided outcome awaits nobody, even when read directly.
    one = await flow.gql(
        "iph.secrecy-officer",
        "query($id: ID!) { outcome(id: $id) { aspectsAwaitingMe } }",
        {"id": outcome},
    )
    assert one["outcome"]["aspectsAwaitingMe"] == []


async def test_R_OUTCOME_another_units_reviewer_is_never_listed_this_units_outcomes(flow: Flow):
    project = await _project(flow)
    outcome = await _submit(flow, project, "本所成果")
    # A secrecy officer of another institute, seated by that institute's admin.
    ioc = await flow.gql("ioc.tenant-admin", "{ viewer { orgUnit { id } } }")
    username = f"ioc.secrecy-{uuid.uuid4().hex[:6]}"
    password = "Another-Unit-Officer-42"
    created = await flow.gql(
        "ioc.tenant-admin",
        """mutation($i: CreateUserInput!) { createUser(input: $i) { __typename
             ... on UserError { code message } } }""",
        {
            "i": {
                "orgUnitId": ioc["viewer"]["orgUnit"]["id"],
                "username": username,
                "displayName": "外所保密员",
                "password": password,
                "roles": ["SECRECY_OFFICER"],
            }
        },
    )
    assert created["createUser"]["__typename"] == "UserSaved", created
    login = await flow.client.post(
        "/graphql",
        json={
            "query": """mutation($u: String!, $p: String!) { login(username: $u, password: $p,
                delivery: BODY) { __typename ... on SignedIn { accessToken } } }""",
            "variables": {"u": username, "p": password},
        },
    )
    flow.tokens[username] = login.json()["data"]["login"]["accessToken"]

    assert outcome in await _awaiting(flow, "iph.secrecy-officer")
    assert outcome not in await _awaiting(flow, username)
    assert await _awaiting(flow, username, project) == {}
    # Reading it directly is not found either, and reviewing it is refused.
    direct = await flow.gql(
        username, "query($id: ID!) { outcome(id: $id) { id } }", {"id": outcome}
    )
    assert direct["outcome"] is None
    refused = await flow.gql(username, REVIEW, {"o": outcome, "a": "SECRECY"})
    assert refused["reviewOutcome"]["__typename"].endswith("Error")
    # HQ reads every unit's outcomes but reviews none of them.
    assert outcome not in await _awaiting(flow, "hq.safety-committee-office")


async def test_outcomes_awaiting_review_cost_the_same_statements_for_1_or_12(flow: Flow, app: Any):
    project = await _project(flow)
    for n in range(12):
        await _submit(flow, project, f"成果 {n:02d}")
    engine: AsyncEngine = app.state.engine

    async def listed(n: int) -> tuple[int, list[str]]:
        variables = {"p": project, "n": n}
        await flow.gql("iph.research-management", AWAITING, variables)
        with sql_statements(engine) as statements:
            data = await flow.gql("iph.research-management", AWAITING, variables)
        nodes = data["outcomes"]["nodes"]
        assert all(node["aspectsAwaitingMe"] == ["DATA_SECURITY", "PATENT"] for node in nodes)
        return len(nodes), statements

    small, small_statements = await listed(1)
    large, large_statements = await listed(12)
    assert (small, large) == (1, 12)
    assert len(small_statements) == len(large_statements), "\n".join(
        ["1:", *small_statements, "", "12:", *large_statements]
    )
