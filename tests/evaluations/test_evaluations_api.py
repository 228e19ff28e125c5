"""The yearly evaluation over GraphQL (R-EVAL): HQ keeps the rubric, runs a draft, adjusts with a
reason and publishes; who sees which ratings when; red units land on the warning list
(R-WARNLIST). Publishes the current year (tests/evaluations/test_evaluation_rules.py publishes
the year before; tests/test_isolation.py keeps an older draft)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sql_statements import sql_statements
from sqlalchemy.ext.asyncio import AsyncEngine

from server import clock
from server.evaluations.rubric import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, STATISTICS

YEAR = clock.today().year
HQ = "hq.safety-committee-office"
ERRORS = "... on UserError { code message field }"
RATING = """id year score computedLevel level adjustedReason adjustedBy publishedAt
  orgUnit { id code } statistics { statistic value }
  breakdown { statistic labelZh labelEn value weight cap points }"""
SAVE_RUBRIC = f"""mutation($i: RubricInput!) {{ saveRubric(input: $i) {{ __typename
  ... on RubricSaved {{ rubric {{ version note createdBy
    weights {{ statistic labelZh labelEn weight cap }} thresholds {{ yellow orange red }} }} }}
  {ERRORS} }} }}"""
RUBRICS = "{ evaluationRubrics { version } }"
RUN = f"""mutation($y: Int!, $v: Int) {{ runEvaluation(year: $y, rubricVersion: $v) {{ __typename
  ... on EvaluationRunSaved {{ run {{ id year rubricVersion state publishedAt
    ratings {{ {RATING} }} }} }}
  {ERRORS} }} }}"""
RUNS = "{ evaluationRuns { id year state rubricVersion } }"
ADJUST = f"""mutation($id: ID!, $l: RatingLevel!, $r: String!) {{
  adjustRating(id: $id, level: $l, reason: $r) {{ __typename
  ... on UnitRatingSaved {{ rating {{ {RATING} }} }} {ERRORS} }} }}"""
PUBLISH = f"""mutation($id: ID!) {{ publishEvaluation(runId: $id) {{ __typename
  ... on EvaluationRunSaved {{ run {{ id state publishedAt ratings {{ id level }} }} }}
  {ERRORS} }} }}"""
RATINGS = f"""query($y: Int!, $u: ID) {{ ratings(year: $y, orgUnitId: $u) {{ {RATING} }} }}"""
WARNING_LIST = """query($u: ID!) { warningList(filter: {orgUnitId: $u, activeOnly: true}) {
  nodes { id subjectKind subjectId source sourceId ban active } } }"""
LIFT = f"""mutation($id: ID!, $r: String!) {{ liftWarningListEntry(id: $id, reason: $r) {{
  __typename ... on WarningListEntrySaved {{ entry {{ id active }} }} {ERRORS} }} }}"""


def rubric_input(
    weights: dict[str, dict[str, float]] = DEFAULT_WEIGHTS,
    thresholds: dict[str, float] = DEFAULT_THRESHOLDS,
    note: str = "",
) -> dict[str, Any]:
    return {
        "weights": [{"statistic": k, **v} for k, v in weights.items()],
        "thresholds": thresholds,
        "note": note,
    }


@pytest.fixture(scope="module")
async def units(as_user: Any) -> dict[str, str]:
    """Global IDs of the org units by code."""
    data = await as_user("hq.platform-admin")("{ orgUnits(first: 100) { nodes { id code } } }")
    return {n["code"]: n["id"] for n in data["orgUnits"]["nodes"]}


@pytest.fixture(scope="module")
async def institutes(as_user: Any) -> list[str]:
    data = await as_user("hq.platform-admin")(
        "{ orgUnits(kind: INSTITUTE, first: 100) { nodes { code } } }"
    )
    return sorted(n["code"] for n in data["orgUnits"]["nodes"])


async def _codes(api: Any, variables: dict[str, Any]) -> list[str]:
    return sorted(r["orgUnit"]["code"] for r in (await api(RATINGS, variables))["ratings"])


async def _versions(as_user: Any) -> list[int]:
    return [r["version"] for r in (await as_user(HQ)(RUBRICS))["evaluationRubrics"]]


@pytest.mark.parametrize(
    ("weights", "thresholds", "field"),
    [
        # The weights add up to 105.
        ({**DEFAULT_WEIGHTS, "hazards_general": {"weight": 10, "cap": 20}}, None, "weights"),
        # Orange below yellow.
        (None, {"yellow": 40, "orange": 35, "red": 60}, "thresholds"),
        # Red above 100.
        (None, {"yellow": 15, "orange": 35, "red": 160}, "thresholds"),
        # A statistic no one counts.
        ({**DEFAULT_WEIGHTS, "rumours": {"weight": 0, "cap": 1}}, None, "weights"),
    ],
)
async def test_R_EVAL_a_rubric_that_cannot_rate_is_refused_and_nothing_saved(
    as_user, weights, thresholds, field
):
    before = await _versions(as_user)
    data = await as_user(HQ)(
        SAVE_RUBRIC,
        {"i": rubric_input(weights or DEFAULT_WEIGHTS, thresholds or DEFAULT_THRESHOLDS)},
    )
    result = data["saveRubric"]
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == field and result["message"], result
    assert await _versions(as_user) == before


async def test_R_EVAL_a_statistic_given_twice_is_refused(as_user):
    given = rubric_input()
    given["weights"].append({"statistic": "hazards_major", "weight": 0, "cap": 1})
    result = (await as_user(HQ)(SAVE_RUBRIC, {"i": given}))["saveRubric"]
    assert (result["__typename"], result["field"]) == ("InvalidInputError", "weights"), result


async def test_R_EVAL_a_new_rubric_version_keeps_the_earlier_ones(as_user):
    before = await _versions(as_user)
    data = await as_user("hq.hq-coordination-group")(
        SAVE_RUBRIC, {"i": rubric_input(note="年度评估细则")}
    )
    rubric = data["saveRubric"]["rubric"]
    assert rubric["version"] == max(before) + 1
    assert rubric["note"] == "年度评估细则" and rubric["createdBy"]
    assert [w["statistic"] for w in rubric["weights"]] == list(STATISTICS)
    assert sum(w["weight"] for w in rubric["weights"]) == 100
    first = rubric["weights"][0]
    assert (first["labelZh"], first["labelEn"]) == STATISTICS[first["statistic"]]
    assert rubric["thresholds"] == {"yellow": 15, "orange": 35, "red": 60}
    assert await _versions(as_user) == [rubric["version"], *before]


@pytest.mark.parametrize(
    "username", ["hq.business-department", "hq.platform-admin", "iph.legal-representative"]
)
async def test_ORG_HQ_DUTY_only_the_HQ_group_and_its_office_keep_the_rubric_and_run(
    as_user, username
):
    """HQ staff outside the group read but do not manage; an institute does not even see it."""
    runs_before = (await as_user(HQ)(RUNS))["evaluationRuns"]
    versions_before = await _versions(as_user)
    api = as_user(username)
    saved = (await api(SAVE_RUBRIC, {"i": rubric_input()}))["saveRubric"]
    ran = (await api(RUN, {"y": YEAR}))["runEvaluation"]
    expected = "NotFoundError" if username.startswith("iph.") else "ForbiddenError"
    assert saved["__typename"] == ran["__typename"] == expected, (saved, ran)
    assert (await as_user(HQ)(RUNS))["evaluationRuns"] == runs_before
    assert await _versions(as_user) == versions_before


async def test_R_EVAL_only_HQ_lists_rubrics_and_runs(as_user):
    assert (await as_user("hq.business-department")(RUBRICS))["evaluationRubrics"]
    for username in ("iph.legal-representative", "bj.supervisor"):
        for query in (RUBRICS, RUNS):
            response = await as_user(username).post(query)
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def _adds_up(rating: dict[str, Any]) -> bool:
    points = sum(Decimal(str(b["points"])) for b in rating["breakdown"])
    return points == Decimal(str(rating["score"]))


async def test_R_EVAL_HQ_runs_adjusts_and_publishes_the_current_year(as_user, units, institutes):
    hq = as_user(HQ)
    legal = as_user("iph.legal-representative")
    # Red only with every statistic at its cap: the computed levels here stay below red, so
    # publishing lists only the unit adjusted to red below (and no IPH project gets flagged).
    strict = (
        await hq(
            SAVE_RUBRIC,
            {"i": rubric_input(thresholds={"yellow": 15, "orange": 35, "red": 100}, note="t")},
        )
    )["saveRubric"]["rubric"]
    run = (await hq(RUN, {"y": YEAR, "v": strict["version"]}))["runEvaluation"]["run"]
    assert (run["year"], run["rubricVersion"], run["state"]) == (
        YEAR,
        strict["version"],
        "DRAFT",
    )
    assert run["publishedAt"] is None
    # Every institute rated, each with a breakdown of every statistic that adds up to the score.
    ratings = {r["orgUnit"]["code"]: r for r in run["ratings"]}
    assert sorted(ratings) == institutes
    for rating in ratings.values():
        assert rating["year"] == YEAR
        assert [b["statistic"] for b in rating["breakdown"]] == list(STATISTICS)
        assert {s["statistic"] for s in rating["statistics"]} == set(STATISTICS)
        assert _adds_up(rating), rating
        assert rating["level"] == rating["computedLevel"] != "RED"
        assert rating["adjustedReason"] is None and rating["publishedAt"] is None
    # A draft is HQ's alone: not the institute's, not its branch's.
    assert (await legal(RATINGS, {"y": YEAR}))["ratings"] == []
    assert (await as_user("bj.supervisor")(RATINGS, {"y": YEAR}))["ratings"] == []
    ims = ratings["IMS"]

    # An adjustment without a reason is refused and changes nothing.
    refused = (await hq(ADJUST, {"id": ims["id"], "l": "RED", "r": "  "}))["adjustRating"]
    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "reason")
    again = (await hq(RATINGS, {"y": YEAR, "u": units["IMS"]}))["ratings"]
    assert [r["level"] for r in again] == [ims["computedLevel"]]
    # The office of another HQ department may not adjust.
    forbidden = await as_user("hq.business-department")(
        ADJUST, {"id": ims["id"], "l": "RED", "r": "x"}
    )
    assert forbidden["adjustRating"]["__typename"] == "ForbiddenError"
    # With a reason: the level in force changes, the computed level and breakdown stay.
    adjusted = (await hq(ADJUST, {"id": ims["id"], "l": "RED", "r": "专项检查发现重大隐患未报"}))[
        "adjustRating"
    ]["rating"]
    assert adjusted["level"] == "RED"
    assert adjusted["computedLevel"] == ims["computedLevel"]
    assert adjusted["adjustedReason"] == "专项检查发现重大隐患未报" and adjusted["adjustedBy"]
    assert adjusted["breakdown"] == ims["breakdown"] and adjusted["score"] == ims["score"]

    published = (await hq(PUBLISH, {"id": run["id"]}))["publishEvaluation"]["run"]
    assert published["state"] == "PUBLISHED" and published["publishedAt"]
    assert {r["id"]: r["level"] for r in published["ratings"]}[ims["id"]] == "RED"

    # Published: each institute sees its own rating, a branch academy its institutes'.
    own = (await legal(RATINGS, {"y": YEAR}))["ratings"]
    assert [r["orgUnit"]["code"] for r in own] == ["IPH"]
    assert own[0]["id"] == ratings["IPH"]["id"] and own[0]["publishedAt"]
    assert _adds_up(own[0])
    assert await _codes(as_user("ioc.researcher"), {"y": YEAR}) == ["IOC"]
    assert await _codes(as_user("bj.supervisor"), {"y": YEAR}) == ["IAU", "IPH"]
    assert await _codes(as_user("sh.supervisor"), {"y": YEAR}) == ["IMS", "IOC"]
    assert await _codes(as_user("bj.supervisor"), {"y": YEAR, "u": units["IOC"]}) == []

    # A published year is final: no re-run, no adjustment.
    rerun = (await hq(RUN, {"y": YEAR}))["runEvaluation"]
    assert (rerun["__typename"], rerun["field"]) == ("ConflictError", "year"), rerun
    late = (await hq(ADJUST, {"id": ims["id"], "l": "BLUE", "r": "复核"}))["adjustRating"]
    assert late["__typename"] == "ConflictError", late
    republish = (await hq(PUBLISH, {"id": run["id"]}))["publishEvaluation"]
    assert republish["__typename"] == "ConflictError", republish
    runs = (await hq(RUNS))["evaluationRuns"]
    assert [r["state"] for r in runs if r["year"] == YEAR] == ["PUBLISHED"]

    # R-WARNLIST: the red unit is on the warning list, citing its rating; lifted again here.
    entries = (await hq(WARNING_LIST, {"u": units["IMS"]}))["warningList"]["nodes"]
    listed = [e for e in entries if e["sourceId"] == ims["id"]]
    assert [(e["subjectKind"], e["subjectId"], e["source"], e["ban"]) for e in listed] == [
        ("UNIT", units["IMS"], "EVALUATION", False)
    ]
    lifted = (await hq(LIFT, {"id": listed[0]["id"], "r": "测试结束"}))["liftWarningListEntry"]
    assert lifted["entry"]["active"] is False


async def test_R_EVAL_a_future_year_is_refused(as_user):
    result = (await as_user(HQ)(RUN, {"y": YEAR + 1}))["runEvaluation"]
    assert (result["__typename"], result["field"]) == ("InvalidInputError", "year")


async def test_R_EVAL_ratings_of_runs_and_their_units_cost_a_fixed_number_of_statements(
    app, as_user
):
    """DESIGN decision 8: a run's ratings and their org units come through DataLoaders."""
    hq = as_user("hq.business-department")
    engine: AsyncEngine = app.state.engine
    bare = "{ evaluationRuns { id year } }"
    full = "{ evaluationRuns { id ratings { id score orgUnit { code } breakdown { points } } } }"

    async def count(query: str) -> tuple[dict[str, Any], int]:
        await hq(query)  # warm
        with sql_statements(engine) as statements:
            data = await hq(query)
        return data, len(statements)

    _, without = await count(bare)
    data, with_ratings = await count(full)
    rated = [r for run in data["evaluationRuns"] for r in run["ratings"]]
    assert len(rated) >= 4 and all(r["orgUnit"] for r in rated)
    # One statement for every run's ratings, one for every rating's unit.
    assert with_ratings == without + 2
