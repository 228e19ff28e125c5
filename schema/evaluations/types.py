"""GraphQL types of the yearly evaluation (R-EVAL): rubric versions, runs and unit ratings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry

from schema.context import Info
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit
from server.authz import is_allowed
from server.evaluations import models
from server.evaluations.models import Level, RunState
from server.evaluations.rubric import STATISTICS

strawberry.enum(Level, name="RatingLevel", description="蓝、黄、橙、红, least to most concern.")
strawberry.enum(RunState, name="EvaluationRunState")


def _labels(statistic: str) -> tuple[str, str]:
    return STATISTICS.get(statistic, (statistic, statistic))


def _in_order(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """In the order of STATISTICS (JSONB keeps keys in its own order)."""
    order = {name: i for i, name in enumerate(STATISTICS)}
    return sorted(values.items(), key=lambda kv: order.get(kv[0], len(order)))


@strawberry.type(description="How much one statistic counts in a rubric.")
class RubricWeight:
    statistic: str
    label_zh: str
    label_en: str
    weight: float = strawberry.field(description="Percent of the score; all add up to 100.")
    cap: float = strawberry.field(description="The value at which the statistic counts in full.")


@strawberry.type(description="The scores (0..100) at which each level begins; below yellow: blue.")
class RubricThresholds:
    yellow: float
    orange: float
    red: float


@strawberry.type(description="A rubric version; never changed, so past ratings stay reproducible.")
class Rubric:
    version: int
    weights: list[RubricWeight]
    thresholds: RubricThresholds
    note: str
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, r: models.Rubric) -> Rubric:
        return cls(
            version=r.version,
            weights=[
                RubricWeight(
                    statistic=name,
                    label_zh=_labels(name)[0],
                    label_en=_labels(name)[1],
                    weight=float(spec["weight"]),
                    cap=float(spec["cap"]),
                )
                for name, spec in _in_order(r.weights)
            ],
            thresholds=RubricThresholds(
                yellow=float(r.thresholds["yellow"]),
                orange=float(r.thresholds["orange"]),
                red=float(r.thresholds["red"]),
            ),
            note=r.note,
            created_at=r.created_at,
            created_by=r.created_by_label,
        )


@strawberry.type(description="One statistic of a unit's year.")
class StatisticValue:
    statistic: str
    label_zh: str
    label_en: str
    value: float


@strawberry.type(description="What one statistic added to the score: weight × min(value/cap, 1).")
class BreakdownLine:
    statistic: str
    label_zh: str
    label_en: str
    value: float
    weight: float
    cap: float
    points: float


@strawberry.type(description="A unit's rating in one year's evaluation (R-EVAL).")
class UnitRating(Node):
    year: int
    rubric_version: int
    score: float = strawberry.field(description="0..100; the breakdown's points add up to it.")
    computed_level: Level = strawberry.field(description="The level the score gives.")
    level: Level = strawberry.field(description="The level in force: computed, or adjusted.")
    adjusted_reason: str | None = strawberry.field(
        description="Why HQ set a level other than the computed one."
    )
    adjusted_by: str | None
    published_at: datetime | None
    breakdown: list[BreakdownLine]
    statistics: list[StatisticValue]
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, r: models.UnitRating) -> UnitRating:
        return cls(
            id=to_global_id("UnitRating", r.tenant_id, r.id),
            year=r.year,
            rubric_version=r.rubric_version,
            score=float(r.score),
            computed_level=Level(r.computed_level),
            level=Level(r.level),
            adjusted_reason=r.adjusted_reason,
            adjusted_by=r.adjusted_by_label,
            published_at=r.published_at,
            breakdown=[
                BreakdownLine(
                    statistic=b["statistic"],
                    label_zh=_labels(b["statistic"])[0],
                    label_en=_labels(b["statistic"])[1],
                    value=float(b["value"]),
                    weight=float(b["weight"]),
                    cap=float(b["cap"]),
                    points=float(b["points"]),
                )
                for _, b in _in_order({b["statistic"]: b for b in r.breakdown})
            ],
            statistics=[
                StatisticValue(
                    statistic=name,
                    label_zh=_labels(name)[0],
                    label_en=_labels(name)[1],
                    value=float(value),
                )
                for name, value in _in_order(r.statistics)
            ],
            tenant_id=r.tenant_id,
        )

    @strawberry.field(description="The rated institute.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.tenant_id)
        return OrgUnit.of(unit) if unit is not None else None


@strawberry.type(description="One year's evaluation of every institute, run by HQ.")
class EvaluationRun(Node):
    year: int
    rubric_version: int
    state: RunState
    created_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None
    run_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, r: models.EvaluationRun) -> EvaluationRun:
        return cls(
            id=to_global_id("EvaluationRun", r.tenant_id, r.id),
            year=r.year,
            rubric_version=r.rubric_version,
            state=RunState(r.state),
            created_at=r.created_at,
            created_by=r.created_by_label,
            published_at=r.published_at,
            published_by=r.published_by_label,
            run_id=r.id,
        )

    @strawberry.field(description="Every institute's rating, highest score first.")
    async def ratings(self, info: Info) -> list[UnitRating]:
        ctx = info.context
        rows = await ctx.loaders.ratings_by_run.load(self.run_id)
        return [UnitRating.of(r) for r in rows if is_allowed(ctx.principal, "read", r)]
