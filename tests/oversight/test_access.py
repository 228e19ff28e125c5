"""Who sees which oversight view, in the demo academy (ORG-HQ-DUTY, ORG-BRANCH, ORG-INST).

HQ sees every institute and may narrow its view to a branch or an institute; a branch academy
sees the institutes it supervises (BJ: IPH and IAU; SH: IOC and IMS) and nothing else; an
institute's managers see their own unit. Naming a unit outside one's tenants is answered as
if it did not exist, and nothing is written.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from oversight_support import Api
from sqlalchemy import func, select

from schema.relay import to_global_id
from server.audit.models import AuditEntry
from server.db.engine import ALL_TENANTS, scope

VIEW = """query($u: ID) { oversight(orgUnitId: $u) {
  orgUnit { code } institutes { code } projects { total } } }"""
UNITS = "{ orgUnits(first: 100) { nodes { id code } } }"
CREATE_API_TOKEN = """mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) {
  __typename ... on ApiTokenCreated { token } ... on UserError { code message } } }"""


@pytest.fixture(scope="module")
async def units(as_user: Any) -> dict[str, str]:
    nodes = (await as_user("hq.platform-admin")(UNITS))["orgUnits"]["nodes"]
    return {n["code"]: n["id"] for n in nodes}


async def _error(api: Any, unit: str | None) -> tuple[str, str]:
    response = await api.post(VIEW, {"u": unit})
    body = response.json()
    assert body["data"] is None, body
    return body["errors"][0]["extensions"]["code"], response.text


async def _audit_entries(sessions: Any) -> int:
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize(
    ("user", "institutes"),
    [("bj.supervisor", ["IAU", "IPH"]), ("sh.supervisor", ["IMS", "IOC"])],
)
async def test_ORG_BRANCH_a_branch_sees_exactly_the_institutes_it_supervises(
    as_user, user, institutes
):
    view = (await as_user(user)(VIEW))["oversight"]
    assert view["orgUnit"]["code"] == user[:2].upper()
    assert [u["code"] for u in view["institutes"]] == institutes


async def test_ORG_BRANCH_a_branch_naming_what_it_does_not_supervise_finds_nothing(
    as_user, units, sessions
):
    bj = as_user("bj.supervisor")
    before = await _audit_entries(sessions)
    for code in ("IOC", "IMS", "SH", "HQ"):
        error, text = await _error(bj, units[code])
        assert error == "NOT_FOUND", code
        # Nothing leaks that the unit exists.
        assert "有机化学" not in text and "上海" not in text and "IOC" not in text
    # An ID that names no unit at all looks the same.
    assert (await _error(bj, to_global_id("OrgUnit", uuid.uuid4())))[0] == "NOT_FOUND"
    assert (await _error(bj, "garbage"))[0] == "NOT_FOUND"
    assert await _audit_entries(sessions) == before
    # Its own institute, narrowed.
    view = (await bj(VIEW, {"u": units["IAU"]}))["oversight"]
    assert [u["code"] for u in view["institutes"]] == ["IAU"]


async def test_ORG_INST_an_institute_asking_for_hq_or_a_neighbour_finds_nothing(as_user, units):
    manager = as_user("iph.safety-management")
    for code in ("HQ", "BJ", "IAU", "IOC"):
        assert (await _error(manager, units[code]))[0] == "NOT_FOUND", code
    view = (await manager(VIEW))["oversight"]
    assert (view["orgUnit"]["code"], [u["code"] for u in view["institutes"]]) == ("IPH", ["IPH"])


@pytest.mark.parametrize(
    "user",
    [
        "iph.legal-representative",
        "iph.coordination-leader",
        "iph.coordination-member",
        "iph.research-management",
        "iph.safety-management",
    ],
)
async def test_ORG_INST_DUTY_those_who_run_the_units_risk_work_see_its_figures(as_user, user):
    view = (await as_user(user)(VIEW))["oversight"]
    assert view["orgUnit"]["code"] == "IPH"


@pytest.mark.parametrize(
    "user",
    ["iph.researcher", "iph.public-opinion-officer", "iph.secrecy-officer", "iph.tenant-admin"],
)
async def test_ORG_INST_other_institute_staff_are_refused_with_a_reason(as_user, user):
    response = await as_user(user).post(VIEW, {})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "'read'" in error["message"] and "oversight" in error["message"]


async def test_ORG_HQ_DUTY_hq_sees_all_and_narrows_to_a_branch_or_an_institute(as_user, units):
    hq = as_user("hq.business-department")
    whole = (await hq(VIEW))["oversight"]
    assert whole["orgUnit"]["code"] == "HQ"
    assert {"IPH", "IAU", "IOC", "IMS"} <= {u["code"] for u in whole["institutes"]}
    branch = (await hq(VIEW, {"u": units["SH"]}))["oversight"]
    assert [u["code"] for u in branch["institutes"]] == ["IMS", "IOC"]
    one = (await hq(VIEW, {"u": units["IPH"]}))["oversight"]
    assert [u["code"] for u in one["institutes"]] == ["IPH"]


async def test_anonymous_callers_are_told_to_sign_in(anon):
    body = (await anon.post(VIEW, {})).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_lists_are_capped_by_the_page_size(as_user):
    body = (
        await as_user("hq.safety-committee-office").post(
            "{ oversight { overdueHazards(first: 101) { count } } }", {}
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_an_api_token_sees_its_own_institute_only(client, as_user, units):
    """An institute's system, with a token carrying the safety management role."""
    admin = as_user("iph.tenant-admin")

    async def token(role: str) -> str:
        data = await admin(
            CREATE_API_TOKEN,
            {"i": {"orgUnitId": units["IPH"], "name": f"bi-{uuid.uuid4().hex[:6]}", "role": role}},
        )
        assert data["createApiToken"]["__typename"] == "ApiTokenCreated", data
        return str(data["createApiToken"]["token"])

    system = Api(client, await token("SAFETY_MANAGEMENT"))
    view = (await system(VIEW))["oversight"]
    assert [u["code"] for u in view["institutes"]] == ["IPH"]
    for code in ("HQ", "BJ", "IAU", "IOC"):
        assert (await _error(system, units[code]))[0] == "NOT_FOUND", code
    researcher_token = Api(client, await token("RESEARCHER"))
    assert (await _error(researcher_token, None))[0] == "FORBIDDEN"
    # The export answers the same way.
    response = await client.get(
        "/exports/oversight.xlsx",
        params={"orgUnitId": units["HQ"]},
        headers={"authorization": f"Bearer {system.token}"},
    )
    assert response.status_code == 404
