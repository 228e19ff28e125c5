"""The yearly evaluation (R-EVAL): HQ edits the rubric, runs a draft, adjusts a rating only with
a recorded reason, and publishes. Publishing tells each unit's legal representative its rating,
sends warning notices (警示通报) to orange and red units, project-deployment recommendations to
the HQ business departments, and puts red units on the warning list (R-WARNLIST), flagged.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, clock, outbox, validation
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.evaluations.models import EvaluationRun, Level, Rubric, RunState, UnitRating
from server.evaluations.rubric import Rubric as RubricSpec
from server.evaluations.statistics import year_statistics
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind
from server.warnlist import service as warnlist
from server.warnlist.models import EntrySource, SubjectKind

WARNED = (Level.ORANGE, Level.RED)


async def _hq(session: AsyncSession) -> OrgUnit:
    hq = await session.scalar(select(OrgUnit).where(OrgUnit.kind == UnitKind.HQ.value))
    if hq is None:
        raise NotFound("No HQ.")
    return hq


def spec(row: Rubric) -> RubricSpec:
    return RubricSpec(row.version, row.weights, row.thresholds)


async def rubric(session: AsyncSession, version: int | None = None) -> Rubric:
    """A rubric version, or the newest."""
    stmt = select(Rubric)
    stmt = (
        stmt.where(Rubric.version == version)
        if version is not None
        else stmt.order_by(Rubric.version.desc()).limit(1)
    )
    row = await session.scalar(stmt)
    if row is None:
        raise NotFound("No such rubric version.")
    return row


async def rubrics(session: AsyncSession, principal: Principal) -> Sequence[Rubric]:
    authorize(principal, "read", Target("evaluation", (await _hq(session)).id))
    rows = await session.execute(select(Rubric).order_by(Rubric.version.desc()))
    return rows.scalars().all()


async def save_rubric(
    session: AsyncSession,
    principal: Principal,
    *,
    weights: dict[str, dict[str, float]],
    thresholds: dict[str, float],
    note: str,
) -> Rubric:
    """A new rubric version (versions are never edited, so past evaluations stay reproducible)."""
    hq = await _hq(session)
    authorize(principal, "manage", Target("evaluation", hq.id))
    latest = await session.scalar(select(func.max(Rubric.version))) or 0
    candidate = RubricSpec(latest + 1, weights, thresholds)
    candidate.validate()
    row = Rubric(
        version=latest + 1,
        weights=weights,
        thresholds=thresholds,
        note=validation.text(note, "note", max_len=2000, required=False),
        created_by_label=principal.label,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=hq.id,
        action="rubric.save",
        object_type="evaluation_rubric",
        object_id=str(row.version),
        changes={"weights": weights, "thresholds": thresholds},
    )
    return row


def _year(year: int) -> int:
    if not 2000 <= year <= clock.today().year:
        raise InvalidInput("Evaluate a past or the current year.", field="year")
    return year


async def run_evaluation(
    session: AsyncSession, principal: Principal, *, year: int, rubric_version: int | None
) -> EvaluationRun:
    """Compute a draft: every institute's statistics, score, level and breakdown. Running the
    year again replaces the draft; a published year is final."""
    hq = await _hq(session)
    authorize(principal, "manage", Target("evaluation", hq.id))
    _year(year)
    rubric_row = await rubric(session, rubric_version)
    runs = (
        await session.execute(
            select(EvaluationRun)
            .where(EvaluationRun.tenant_id == hq.id, EvaluationRun.year == year)
            .with_for_update()
        )
    ).scalars()
    run = None
    for existing in runs:
        if existing.state == RunState.PUBLISHED.value:
            raise Conflict(f"The {year} evaluation is published already.", field="year")
        run = existing
    if run is None:
        run = EvaluationRun(tenant_id=hq.id, year=year, created_by_label=principal.label)
        session.add(run)
    run.rubric_version = rubric_row.version
    await session.flush()
    units = list(
        (
            await session.execute(
                select(OrgUnit.id).where(OrgUnit.kind == UnitKind.INSTITUTE.value)
            )
        ).scalars()
    )
    stats = await year_statistics(session, year, units)
    rater = spec(rubric_row)
    rows = []
    for unit_id, values in stats.items():
        score, level, breakdown = rater.rate(values)
        rows.append(
            {
                "tenant_id": unit_id,
                "id": uuid.uuid4(),
                "run_id": run.id,
                "year": year,
                "rubric_version": rubric_row.version,
                "statistics": values,
                "breakdown": breakdown,
                "score": score,
                "computed_level": level.value,
                "level": level.value,
                "adjusted_reason": None,
                "adjusted_by_label": None,
                "created_at": utcnow(),
            }
        )
    if rows:
        stmt = insert(UnitRating).values(rows)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "run_id"],
                set_={
                    k: stmt.excluded[k]
                    for k in (
                        "rubric_version",
                        "statistics",
                        "breakdown",
                        "score",
                        "computed_level",
                        "level",
                        "adjusted_reason",
                        "adjusted_by_label",
                    )
                },
            )
        )
    await audit.record(
        session,
        principal,
        tenant_id=hq.id,
        action="evaluation.run",
        object_type="evaluation",
        object_id=run.id,
        changes={"year": year, "rubric_version": rubric_row.version, "units": len(rows)},
    )
    return run


async def _run(session: AsyncSession, principal: Principal, run_id: uuid.UUID) -> EvaluationRun:
    hq = await _hq(session)
    run = await session.get(EvaluationRun, (hq.id, run_id), with_for_update=True)
    if run is None or not principal.can_see(hq.id):
        raise NotFound("No such evaluation.")
    authorize(principal, "manage", run)
    if run.state != RunState.DRAFT.value:
        raise Conflict("The evaluation is published; it cannot change.", field="runId")
    return run


async def adjust_rating(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    rating_id: uuid.UUID,
    *,
    level: Level,
    reason: str,
) -> UnitRating:
    """HQ may set a draft rating's level, only with a recorded reason; the computed level and
    the breakdown stay beside it."""
    rating = await session.get(UnitRating, (tenant_id, rating_id), with_for_update=True)
    if rating is None or not principal.can_see(tenant_id):
        raise NotFound("No such rating.")
    await _run(session, principal, rating.run_id)
    why = validation.text(reason, "reason", max_len=2000)
    before = rating.level
    rating.level = level.value
    rating.adjusted_reason = why if level.value != rating.computed_level else None
    rating.adjusted_by_label = principal.label if rating.adjusted_reason else None
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="rating.adjust",
        object_type="unit_rating",
        object_id=rating.id,
        changes={"from": before, "to": level.value, "reason": why},
    )
    return rating


async def publish(session: AsyncSession, principal: Principal, run_id: uuid.UUID) -> EvaluationRun:
    run = await _run(session, principal, run_id)
    now = utcnow()
    run.state = RunState.PUBLISHED.value
    run.published_at = now
    run.published_by_label = principal.label
    ratings = (
        (await session.execute(select(UnitRating).where(UnitRating.run_id == run.id)))
        .scalars()
        .all()
    )
    warned: list[dict[str, Any]] = []
    for rating in ratings:
        rating.published_at = now
        payload = {"rating_id": str(rating.id), "year": run.year, "level": rating.level}
        await outbox.emit(
            session, tenant_id=rating.tenant_id, topic="evaluation.published", payload=payload
        )
        if Level(rating.level) in WARNED:
            # 警示通报 to the unit, and a project-deployment recommendation to HQ (R-EVAL).
            await outbox.emit(
                session, tenant_id=rating.tenant_id, topic="evaluation.warning", payload=payload
            )
            await outbox.emit(
                session,
                tenant_id=rating.tenant_id,
                topic="evaluation.deployment_recommendation",
                payload=payload,
            )
            warned.append(payload)
        if rating.level == Level.RED.value:
            await warnlist.add_entry(
                session,
                principal,
                rating.tenant_id,
                warnlist.EntryInput(
                    subject_kind=SubjectKind.UNIT,
                    subject_id=rating.tenant_id,
                    reason=f"{run.year} 年度评估红色等级（R-EVAL）",
                    source=EntrySource.EVALUATION,
                    ban=False,
                    starts_on=clock.today(),
                    # Through the next year, and at least a year from publication.
                    ends_on=max(date(run.year + 2, 1, 1), clock.today() + timedelta(days=365)),
                    source_ref=rating.id,
                ),
                authorized=True,
            )
    await audit.record(
        session,
        principal,
        tenant_id=run.tenant_id,
        action="evaluation.publish",
        object_type="evaluation",
        object_id=run.id,
        changes={"year": run.year, "ratings": len(ratings), "warned": len(warned)},
    )
    return run


async def runs(session: AsyncSession, principal: Principal) -> Sequence[EvaluationRun]:
    hq = await _hq(session)
    authorize(principal, "read", Target("evaluation", hq.id))
    rows = await session.execute(
        select(EvaluationRun).order_by(EvaluationRun.year.desc(), EvaluationRun.created_at.desc())
    )
    return rows.scalars().all()


async def ratings(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int,
    unit_ids: Sequence[uuid.UUID] | None = None,
) -> list[UnitRating]:
    """The ratings table of a year: HQ sees the draft or the published run; a branch its
    institutes' and an institute its own published ratings."""
    # Published is read off the rating itself: the run is HQ's row, which row-level security
    # hides from branches and institutes (a join on it would hide their ratings too).
    stmt = (
        select(UnitRating)
        .where(UnitRating.year == year)
        .order_by(UnitRating.score.desc(), UnitRating.tenant_id)
    )
    if unit_ids is not None:
        stmt = stmt.where(UnitRating.tenant_id.in_(unit_ids))
    rows = await session.execute(stmt)
    hq_reader = principal.sees_all and is_allowed(
        principal, "read", Target("evaluation", (await _hq(session)).id)
    )
    return [
        rating
        for rating in rows.scalars()
        if (rating.published_at is not None or hq_reader) and is_allowed(principal, "read", rating)
    ]


def reproduce(rating: UnitRating, rubric_row: Rubric) -> tuple[Any, Level]:
    """Recompute a past rating from its kept statistics and its rubric version."""
    score, level, _ = spec(rubric_row).rate(rating.statistics)
    return score, level
