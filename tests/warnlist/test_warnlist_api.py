"""The warning list (R-WARNLIST) and the rewards register (R-REWARD) over GraphQL: HQ adds,
changes and lifts entries with their history, who reads them, bad input refused with nothing
changed; a project shows its standing.

Entries on IPH are lifted before each test ends, so that later tests' IPH projects are neither
barred nor flagged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from projects.project_support import Flow
from sql_statements import sql_statements
from sqlalchemy.ext.asyncio import AsyncEngine

from server import clock

HQ = "hq.safety-committee-office"
LEGAL = "iph.legal-representative"
ERRORS = "... on UserError { code message field }"
ENTRY = """id subjectKind subjectId subjectLabel reason source sourceId ban startsOn endsOn
  active liftedAt liftedReason createdBy orgUnit { code } history { action by at changes }"""
ADD = f"""mutation($u: ID!, $i: WarningListEntryInput!) {{
  addWarningListEntry(orgUnitId: $u, input: $i) {{ __typename
  ... on WarningListEntrySaved {{ entry {{ {ENTRY} }} }} {ERRORS} }} }}"""
CHANGE = f"""mutation($id: ID!, $e: Date, $b: Boolean!, $r: String!) {{
  changeWarningListEntry(id: $id, endsOn: $e, ban: $b, reason: $r) {{ __typename
  ... on WarningListEntrySaved {{ entry {{ {ENTRY} }} }} {ERRORS} }} }}"""
LIFT = f"""mutation($id: ID!, $r: String!) {{ liftWarningListEntry(id: $id, reason: $r) {{
  __typename ... on WarningListEntrySaved {{ entry {{ {ENTRY} }} }} {ERRORS} }} }}"""
LIST = f"""query($f: WarningListFilter, $n: Int! = 100) {{ warningList(filter: $f, first: $n) {{
  nodes {{ {ENTRY} }} }} }}"""
REWARD = """id recipientKind recipientId recipientLabel reason citation awardedOn awardedBy
  orgUnit { code }"""
ADD_REWARD = f"""mutation($u: ID!, $i: RewardInput!) {{ addReward(orgUnitId: $u, input: $i) {{
  __typename ... on RewardSaved {{ reward {{ {REWARD} }} }} {ERRORS} }} }}"""
REWARDS = f"""query($u: ID) {{ rewards(orgUnitId: $u, first: 100) {{ nodes {{ {REWARD} }} }} }}"""
STANDING = """query($id: ID!) { project(id: $id) {
  warningListStanding { banned flagged reasons } } }"""


@pytest.fixture(scope="module")
async def ids(as_user: Any) -> dict[str, str]:
    """Global IDs of the org units by code, and of IPH's and IOC's people by username."""
    hq = as_user("hq.platform-admin")
    units = {
        n["code"]: n["id"]
        for n in (await hq("{ orgUnits(first: 100) { nodes { id code } } }"))["orgUnits"]["nodes"]
    }
    out = dict(units)
    for code in ("IPH", "IOC"):
        data = await hq(
            "query($u: ID!) { users(orgUnitId: $u, first: 100) { nodes { id username } } "
            "orgUnit(id: $u) { departments { id } } }",
            {"u": units[code]},
        )
        out |= {n["username"]: n["id"] for n in data["users"]["nodes"]}
        out[f"{code}.dept"] = data["orgUnit"]["departments"][0]["id"]
    return out


def entry_input(**changes: Any) -> dict[str, Any]:
    given = {"subjectKind": "UNIT", "reason": "违反科技安全管理规定", "source": "VIOLATION"}
    return given | changes


async def _entries(api: Any, unit: str, **filters: Any) -> list[dict[str, Any]]:
    data = await api(LIST, {"f": {"orgUnitId": unit, **filters}})
    return data["warningList"]["nodes"]  # type: ignore[no-any-return]


async def _history(ids: dict[str, str], as_user: Any) -> list[list[str]]:
    """The actions of every IPH entry, as HQ sees them: what a refused change must not touch."""
    return [[h["action"] for h in e["history"]] for e in await _entries(as_user(HQ), ids["IPH"])]


async def test_R_WARNLIST_an_entry_that_ends_before_it_starts_is_refused(as_user, ids):
    before = await _history(ids, as_user)
    today = clock.today()
    data = await as_user(HQ)(
        ADD,
        {
            "u": ids["IPH"],
            "i": entry_input(
                subjectId=ids["IPH"],
                startsOn=(today + timedelta(days=10)).isoformat(),
                endsOn=(today + timedelta(days=5)).isoformat(),
            ),
        },
    )
    result = data["addWarningListEntry"]
    assert (result["__typename"], result["field"]) == ("InvalidInputError", "endsOn"), result
    assert await _history(ids, as_user) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # A department of another institute.
        ({"subjectKind": "BUSINESS_UNIT", "subjectId": "IOC.dept"}, "subjectId"),
        # A person given as a unit.
        ({"subjectKind": "UNIT", "subjectId": "iph.researcher"}, "subjectId"),
        # Another institute as the unit.
        ({"subjectKind": "UNIT", "subjectId": "IOC"}, "subjectId"),
        # An entry by hand claiming to come from the evaluation.
        ({"subjectId": "IPH", "source": "EVALUATION"}, "source"),
        ({"subjectId": "IPH", "reason": "  "}, "reason"),
    ],
)
async def test_R_WARNLIST_bad_entries_are_refused_and_nothing_saved(as_user, ids, changes, field):
    before = await _history(ids, as_user)
    given = entry_input(**changes) | {"subjectId": ids[changes["subjectId"]]}
    result = (await as_user(HQ)(ADD, {"u": ids["IPH"], "i": given}))["addWarningListEntry"]
    assert (result["__typename"], result["field"]) == ("InvalidInputError", field), result
    assert await _history(ids, as_user) == before


@pytest.fixture
async def future_entry(as_user: Any, ids: dict[str, str]) -> Any:
    """An IPH entry that starts next year: changeable, but barring and flagging nothing."""
    starts = clock.today().replace(month=1, day=1) + timedelta(days=400)
    data = await as_user(HQ)(
        ADD,
        {"u": ids["IPH"], "i": entry_input(subjectId=ids["IPH"], startsOn=starts.isoformat())},
    )
    entry = data["addWarningListEntry"]["entry"]
    yield entry
    await as_user(HQ)(LIFT, {"id": entry["id"], "r": "测试结束"})


@pytest.mark.parametrize(
    "username",
    ["iph.legal-representative", "iph.tenant-admin", "bj.supervisor", "hq.platform-admin"],
)
async def test_R_WARNLIST_only_HQ_edits_the_list(as_user, ids, future_entry, username):
    """The institute itself, its branch academy and HQ's platform admins cannot list, change
    or lift: typed errors, and the entry's history is unchanged."""
    before = await _history(ids, as_user)
    api = as_user(username)
    added = await api(ADD, {"u": ids["IPH"], "i": entry_input(subjectId=ids["IPH"])})
    changed = await api(CHANGE, {"id": future_entry["id"], "e": None, "b": True, "r": "加重"})
    lifted = await api(LIFT, {"id": future_entry["id"], "r": "撤销"})
    results = {
        added["addWarningListEntry"]["__typename"],
        changed["changeWarningListEntry"]["__typename"],
        lifted["liftWarningListEntry"]["__typename"],
    }
    assert results == {"ForbiddenError"}, (added, changed, lifted)
    assert await _history(ids, as_user) == before


async def test_R_WARNLIST_an_entry_by_HQ_reaches_the_unit_with_its_history(
    as_user, ids, client, tokens
):
    hq, legal = as_user(HQ), as_user(LEGAL)
    flow = Flow(client, tokens)
    await flow.setup()
    project = (await flow.create())["project"]  # the PI is iph.researcher
    pi = as_user("iph.researcher")
    clear = {"banned": False, "flagged": False, "reasons": []}
    assert (await pi(STANDING, {"id": project["id"]}))["project"]["warningListStanding"] == clear

    added = await as_user("hq.business-department")(
        ADD,
        {
            "u": ids["IPH"],
            "i": entry_input(
                subjectKind="PERSON", subjectId=ids["iph.researcher"], reason="数据违规出境"
            ),
        },
    )
    entry = added["addWarningListEntry"]["entry"]
    try:
        assert (entry["subjectKind"], entry["subjectId"], entry["source"]) == (
            "PERSON",
            ids["iph.researcher"],
            "VIOLATION",
        )
        assert entry["active"] and not entry["ban"] and entry["endsOn"] is None
        assert entry["startsOn"] == clock.today().isoformat()
        assert entry["orgUnit"] == {"code": "IPH"} and entry["subjectLabel"]
        assert [h["action"] for h in entry["history"]] == ["added"]

        # The unit's legal representative sees it; so do the supervising branch and HQ.
        for reader in (LEGAL, "iph.research-management", "bj.supervisor", HQ):
            seen = await _entries(as_user(reader), ids["IPH"], activeOnly=True)
            assert entry["id"] in [e["id"] for e in seen], reader
        # Not the unit's other people, another branch or another institute.
        assert await _entries(pi, ids["IPH"]) == []
        for outsider in ("sh.supervisor", "ioc.tenant-admin"):
            response = await as_user(outsider).post(LIST, {"f": {"orgUnitId": ids["IPH"]}})
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            everything = (await as_user(outsider)(LIST))["warningList"]["nodes"]
            assert entry["id"] not in [e["id"] for e in everything]
        # The PI's project is flagged: HQ must re-review it before approval.
        standing = (await pi(STANDING, {"id": project["id"]}))["project"]["warningListStanding"]
        assert (standing["banned"], standing["flagged"]) == (False, True)
        assert "数据违规出境" in standing["reasons"][0]

        # A change needs a reason; with one, it is kept in the history.
        ends = (clock.today() + timedelta(days=180)).isoformat()
        refused = await hq(CHANGE, {"id": entry["id"], "e": ends, "b": True, "r": ""})
        assert refused["changeWarningListEntry"]["field"] == "reason"
        early = await hq(CHANGE, {"id": entry["id"], "e": "2000-01-01", "b": True, "r": "x"})
        assert early["changeWarningListEntry"]["field"] == "endsOn"
        changed = (await hq(CHANGE, {"id": entry["id"], "e": ends, "b": True, "r": "情节严重"}))[
            "changeWarningListEntry"
        ]["entry"]
        assert (changed["ban"], changed["endsOn"]) == (True, ends)
        assert [h["action"] for h in changed["history"]] == ["added", "changed"]
        assert changed["history"][1]["changes"] == {
            "ends_on": [None, ends],
            "ban": [False, True],
            "why": "情节严重",
        }
        standing = (await pi(STANDING, {"id": project["id"]}))["project"]["warningListStanding"]
        assert (standing["banned"], standing["flagged"]) == (True, False)
        bans = await _entries(legal, ids["IPH"], bansOnly=True, subjectKinds=["PERSON"])
        assert entry["id"] in [e["id"] for e in bans]
        assert entry["id"] not in [
            e["id"] for e in await _entries(legal, ids["IPH"], subjectKinds=["UNIT"])
        ]
    finally:
        lifted = (await hq(LIFT, {"id": entry["id"], "r": "整改到位"}))["liftWarningListEntry"]
    entry = lifted["entry"]
    assert entry["liftedAt"] and entry["liftedReason"] == "整改到位" and not entry["active"]
    # The legal representative sees the whole history; the lifted entry is no longer active.
    seen = {e["id"]: e for e in await _entries(legal, ids["IPH"])}
    assert [h["action"] for h in seen[entry["id"]]["history"]] == ["added", "changed", "lifted"]
    assert all(h["by"] and h["at"] for h in seen[entry["id"]]["history"])
    active = await _entries(legal, ids["IPH"], activeOnly=True)
    assert entry["id"] not in [e["id"] for e in active]
    assert (await pi(STANDING, {"id": project["id"]}))["project"]["warningListStanding"] == clear
    again = (await hq(LIFT, {"id": entry["id"], "r": "x"}))["liftWarningListEntry"]
    assert again["__typename"] == "ConflictError"


async def test_R_REWARD_rewards_added_by_HQ_are_listed_for_the_unit(as_user, ids):
    hq = as_user("hq.hq-coordination-group")
    today = clock.today().isoformat()
    person = await hq(
        ADD_REWARD,
        {
            "u": ids["IPH"],
            "i": {
                "recipientKind": "PERSON",
                "recipientId": ids["iph.researcher"],
                "reason": "RISK_RESEARCH",
                "citation": "开展重大风险研究",
                "awardedOn": today,
            },
        },
    )
    unit = await as_user(HQ)(
        ADD_REWARD,
        {
            "u": ids["IPH"],
            "i": {
                "recipientKind": "UNIT",
                "recipientId": ids["IPH"],
                "reason": "POLICY_ADOPTED",
                "citation": "政策建议被国家采纳",
                "awardedOn": today,
            },
        },
    )
    rewards = [person["addReward"]["reward"], unit["addReward"]["reward"]]
    assert [(r["recipientKind"], r["recipientId"]) for r in rewards] == [
        ("PERSON", ids["iph.researcher"]),
        ("UNIT", ids["IPH"]),
    ]
    assert all(r["orgUnit"] == {"code": "IPH"} and r["awardedBy"] for r in rewards)
    mine = {r["id"] for r in rewards}
    # The unit's people, its branch academy and HQ see them; others do not.
    for reader in (LEGAL, "iph.researcher", "bj.supervisor", "hq.business-department"):
        listed = (await as_user(reader)(REWARDS, {"u": ids["IPH"]}))["rewards"]["nodes"]
        assert mine <= {r["id"] for r in listed}, reader
    for outsider in ("ioc.researcher", "sh.supervisor"):
        listed = (await as_user(outsider)(REWARDS))["rewards"]["nodes"]
        assert not mine & {r["id"] for r in listed}, outsider
        response = await as_user(outsider).post(REWARDS, {"u": ids["IPH"]})
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("username", "changes", "expected"),
    [
        (HQ, {"awardedOn": "2999-01-01"}, ("InvalidInputError", "awardedOn")),
        (HQ, {"recipientKind": "BUSINESS_UNIT", "recipientId": "IPH.dept"}, "recipientKind"),
        (HQ, {"recipientId": "ioc.researcher"}, ("InvalidInputError", "recipientId")),
        (LEGAL, {}, ("ForbiddenError", None)),
        ("bj.supervisor", {}, ("ForbiddenError", None)),
        ("hq.business-department", {}, ("ForbiddenError", None)),
    ],
)
async def test_R_REWARD_bad_rewards_and_non_HQ_users_are_refused(
    as_user, ids, username, changes, expected
):
    before = (await as_user(HQ)(REWARDS, {"u": ids["IPH"]}))["rewards"]["nodes"]
    given = {
        "recipientKind": "PERSON",
        "recipientId": "iph.researcher",
        "reason": "MEASURES",
        "citation": "措施落实到位",
        "awardedOn": clock.today().isoformat(),
    } | changes
    given["recipientId"] = ids[given["recipientId"]]
    result = (await as_user(username)(ADD_REWARD, {"u": ids["IPH"], "i": given}))["addReward"]
    if isinstance(expected, str):
        expected = ("InvalidInputError", expected)
    assert (result["__typename"], result.get("field")) == expected, result
    assert (await as_user(HQ)(REWARDS, {"u": ids["IPH"]}))["rewards"]["nodes"] == before


async def test_R_WARNLIST_entries_with_their_units_and_history_cost_a_fixed_number_of_statements(
    app, as_user, ids, future_entry
):
    """DESIGN decision 8: units and histories come through DataLoaders, one statement each."""
    hq = as_user(HQ)
    changed = await hq(CHANGE, {"id": future_entry["id"], "e": None, "b": False, "r": "复核"})
    assert changed["changeWarningListEntry"]["__typename"] == "WarningListEntrySaved"
    engine: AsyncEngine = app.state.engine
    bare = "{ warningList(first: 100) { nodes { id } } }"
    full = "{ warningList(first: 100) { nodes { id orgUnit { code } history { action } } } }"

    async def count(query: str) -> tuple[dict[str, Any], int]:
        await hq(query)  # warm
        with sql_statements(engine) as statements:
            data = await hq(query)
        return data, len(statements)

    _, without = await count(bare)
    data, with_history = await count(full)
    nodes = data["warningList"]["nodes"]
    assert len(nodes) >= 2 and sum(len(n["history"]) for n in nodes) >= 3
    assert with_history == without + 2
