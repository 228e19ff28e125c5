"""R-EVAL: a unit's year rated from its statistics by a versioned rubric; reproducible; published
with warning notices, deployment recommendations and (for red) the warning list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from server import clock
from server.auth.principal import SYSTEM
from server.db.engine import ALL_TENANTS, scope
from server.errors import Conflict, InvalidInput
from server.evaluations import service
from server.evaluations.models import Level, UnitRating
from server.evaluations.rubric import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, STATISTICS, Rubric
from server.outbox.models import OutboxEvent
from server.tenancy.models import OrgUnit
from server.warnlist import service as warnlist
from server.warnlist.models import WarningListEntry

LAST_YEAR = clock.today().year - 1
REPORT = """mutation($u: ID!, $i: IncidentInput!) { reportIncident(orgUnitId: $u, input: $i) {
  __typename ... on UserError { code message } } }"""


def _weights(**changes: float) -> dict[str, dict[str, float]]:
    weights = {k: dict(v) for k, v in DEFAULT_WEIGHTS.items()}
    for name, weight in changes.items():
        weights[name]["weight"] = weight
    return weights


def test_R_EVAL_the_default_rubric_is_valid_and_rates_by_thresholds():
    rubric = Rubric(1, DEFAULT_WEIGHTS, DEFAULT_THRESHOLDS)
    rubric.validate()
    assert rubric.rate(dict.fromkeys(STATISTICS, 0))[:2] == (Decimal("0.00"), Level.BLUE)
    # Everything at its cap scores the full 100.
    full = {k: v["cap"] for k, v in DEFAULT_WEIGHTS.items()}
    score, level, breakdown = rubric.rate(full)
    assert (score, level) == (Decimal("100.00"), Level.RED)
    assert sum(Decimal(str(b["points"])) for b in breakdown) == score
    # One major incident alone: its weight (20) → yellow (15 ≤ 20 < 35).
    one = dict.fromkeys(STATISTICS, 0) | {"incidents_major": 1}
    assert rubric.rate(one)[:2] == (Decimal("20.00"), Level.YELLOW)


@pytest.mark.parametrize(
    ("weights", "thresholds", "field"),
    [
        (_weights(hazards_general=10), DEFAULT_THRESHOLDS, "weights"),  # adds up to 105
        (DEFAULT_WEIGHTS, {"yellow": 40, "orange": 35, "red": 60}, "thresholds"),
        (DEFAULT_WEIGHTS, {"yellow": 15, "orange": 35, "red": 160}, "thresholds"),
        (DEFAULT_WEIGHTS, {"yellow": 15, "orange": 35}, "thresholds"),
        ({**DEFAULT_WEIGHTS, "rumours": {"weight": 0, "cap": 1}}, DEFAULT_THRESHOLDS, "weights"),
        (
            {**DEFAULT_WEIGHTS, "hazards_major": {"weight": 15, "cap": 0}},
            DEFAULT_THRESHOLDS,
            "weights",
        ),
    ],
)
async def test_R_EVAL_a_rubric_that_cannot_rate_is_refused_and_nothing_saved(
    sessions, weights, thresholds, field
):
    async with sessions() as session, session.begin():
        before = len(await service.rubrics(session, SYSTEM))
        with pytest.raises(InvalidInput) as refused:
            await service.save_rubric(
                session, SYSTEM, weights=weights, thresholds=thresholds, note=""
            )
        assert refused.value.field == field
        assert len(await service.rubrics(session, SYSTEM)) == before


async def test_R_EVAL_rate_publish_warn_and_list(client, tokens, sessions):
    headers = {"authorization": f"Bearer {tokens['iph.researcher']}"}
    unit = (
        await client.post(
            "/graphql", json={"query": "{ viewer { orgUnit { id } } }"}, headers=headers
        )
    ).json()["data"]["viewer"]["orgUnit"]["id"]
    reported = await client.post(
        "/graphql",
        json={
            "query": REPORT,
            "variables": {
                "u": unit,
                "i": {
                    "title": "爆炸事故",
                    "occurredAt": f"{LAST_YEAR}-06-01T09:00:00+08:00",
                    "place": "1号楼",
                    "category": "SAFETY",
                    "severity": "MAJOR",
                    "immediateMeasures": "疏散",
                },
            },
        },
        headers=headers,
    )
    assert reported.json()["data"]["reportIncident"]["__typename"] == "IncidentSaved"
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        institutes = await session.scalar(
            select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == "institute")
        )
        # A rubric where one major incident is red (weights still add up to 100).
        strict = await service.save_rubric(
            session,
            SYSTEM,
            weights=_weights(incidents_major=65, hazards_general=0, incidents_general=0,
                             hazards_unrectified=0, filing_violations=0, hazards_overdue=0),
            thresholds={"yellow": 15, "orange": 35, "red": 60},
            note="重大事件事故一票红色",
        )  # fmt: skip
        run = await service.run_evaluation(
            session, SYSTEM, year=LAST_YEAR, rubric_version=strict.version
        )
        # Running again replaces the draft: one run, one rating per institute.
        again = await service.run_evaluation(
            session, SYSTEM, year=LAST_YEAR, rubric_version=strict.version
        )
        assert again.id == run.id
        rated = (
            (await session.execute(select(UnitRating).where(UnitRating.run_id == run.id)))
            .scalars()
            .all()
        )
        assert len(rated) == institutes
        mine = next(r for r in rated if r.tenant_id == iph)
        assert mine.statistics["incidents_major"] >= 1
        assert (mine.computed_level, mine.level) == ("red", "red")
        assert sum(Decimal(str(b["points"])) for b in mine.breakdown) == mine.score
        # Reproducible from the kept statistics and the rubric version.
        assert service.reproduce(mine, await service.rubric(session, strict.version)) == (
            mine.score,
            Level.RED,
        )
        # An adjustment needs a reason and keeps the computed level.
        ims = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IMS"))
        other = next(r for r in rated if r.tenant_id == ims)
        with pytest.raises(InvalidInput):
            await service.adjust_rating(
                session, SYSTEM, other.tenant_id, other.id, level=Level.ORANGE, reason=" "
            )
        adjusted = await service.adjust_rating(
            session,
            SYSTEM,
            other.tenant_id,
            other.id,
            level=Level.ORANGE,
            reason="专项检查发现问题",
        )
        assert (adjusted.computed_level, adjusted.level) == ("blue", "orange")
        await service.publish(session, SYSTEM, run.id)
        with pytest.raises(Conflict):
            await service.run_evaluation(session, SYSTEM, year=LAST_YEAR, rubric_version=None)
        topics = dict(
            (
                await session.execute(
                    select(OutboxEvent.topic, func.count())
                    .where(OutboxEvent.payload["year"].astext == str(LAST_YEAR))
                    .group_by(OutboxEvent.topic)
                )
            ).all()
        )
        assert topics["evaluation.published"] == institutes
        # IPH (red) and the adjusted unit (orange) are warned; HQ gets their recommendations.
        assert topics["evaluation.warning"] == topics["evaluation.deployment_recommendation"] == 2
        listed = (
            await session.scalars(
                select(WarningListEntry).where(
                    WarningListEntry.source_ref == mine.id, WarningListEntry.tenant_id == iph
                )
            )
        ).one()
        assert (listed.ban, listed.subject_kind, listed.source) == (False, "unit", "evaluation")
        # Lift it again so that later tests' IPH projects are not flagged.
        await warnlist.lift_entry(session, SYSTEM, iph, listed.id, reason="测试结束")


async def test_R_EVAL_only_past_or_current_years(sessions):
    async with sessions() as session, session.begin():
        with pytest.raises(InvalidInput):
            await service.run_evaluation(
                session, SYSTEM, year=clock.today().year + 1, rubric_version=None
            )
