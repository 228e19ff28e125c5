"""Mutations of the yearly evaluation (R-EVAL): rubric versions, runs, adjustments, publishing."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.evaluations.types import EvaluationRun, Rubric, UnitRating
from schema.relay import tenant_key
from server.errors import InvalidInput, NotFound
from server.evaluations import service
from server.evaluations.models import Level


@strawberry.input(description="How much one statistic counts: every statistic, once.")
class RubricWeightInput:
    statistic: str
    weight: float = strawberry.field(description="Percent of the score; all add up to 100.")
    cap: float = strawberry.field(description="The value at which it counts in full; above 0.")


@strawberry.input(description="Where the levels begin: 0 < yellow < orange < red ≤ 100.")
class RubricThresholdsInput:
    yellow: float
    orange: float
    red: float


@strawberry.input
class RubricInput:
    weights: list[RubricWeightInput]
    thresholds: RubricThresholdsInput
    note: str = ""


@strawberry.type
class RubricSaved:
    rubric: Rubric


@strawberry.type
class EvaluationRunSaved:
    run: EvaluationRun


@strawberry.type
class UnitRatingSaved:
    rating: UnitRating


RubricResult = Annotated[RubricSaved | MutationError, strawberry.union("RubricResult")]
EvaluationRunResult = Annotated[
    EvaluationRunSaved | MutationError, strawberry.union("EvaluationRunResult")
]
UnitRatingResult = Annotated[UnitRatingSaved | MutationError, strawberry.union("UnitRatingResult")]


def _number(value: float) -> float | int:
    """Whole numbers are kept as integers, as the first rubric version has them."""
    return int(value) if value.is_integer() else value


def _weights(given: list[RubricWeightInput]) -> dict[str, dict[str, float]]:
    weights: dict[str, dict[str, float]] = {}
    for w in given:
        if w.statistic in weights:
            raise InvalidInput(f"{w.statistic} is given twice.", field="weights")
        weights[w.statistic] = {"weight": _number(w.weight), "cap": _number(w.cap)}
    return weights


@strawberry.type
class EvaluationsMutation:
    @strawberry.mutation(description="A new rubric version (HQ); earlier versions never change.")
    async def save_rubric(self, info: Info, input: RubricInput) -> RubricResult:
        ctx = info.context

        async def work() -> RubricSaved:
            t = input.thresholds
            row = await service.save_rubric(
                ctx.session,
                ctx.principal,
                weights=_weights(input.weights),
                thresholds={
                    "yellow": _number(t.yellow),
                    "orange": _number(t.orange),
                    "red": _number(t.red),
                },
                note=input.note,
            )
            return RubricSaved(rubric=Rubric.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Rate every institute for a past or the current year as a draft (HQ); "
        "running the year again replaces the draft. Without a version: the newest rubric."
    )
    async def run_evaluation(
        self, info: Info, year: int, rubric_version: int | None = None
    ) -> EvaluationRunResult:
        ctx = info.context

        async def work() -> EvaluationRunSaved:
            run = await service.run_evaluation(
                ctx.session, ctx.principal, year=year, rubric_version=rubric_version
            )
            return EvaluationRunSaved(run=EvaluationRun.of(run))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Set a draft rating's level, with the reason recorded (HQ); the computed "
        "level and the breakdown stay beside it."
    )
    async def adjust_rating(
        self, info: Info, id: strawberry.ID, level: Level, reason: str
    ) -> UnitRatingResult:
        ctx = info.context

        async def work() -> UnitRatingSaved:
            tenant_id, rating_id = tenant_key(id, "UnitRating")
            row = await service.adjust_rating(
                ctx.session, ctx.principal, tenant_id, rating_id, level=level, reason=reason
            )
            return UnitRatingSaved(rating=UnitRating.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Publish a draft (HQ): each unit's legal representative is told its rating; "
        "orange and red units get a warning notice (警示通报) and the business departments a "
        "project-deployment recommendation; red units go on the warning list. Final."
    )
    async def publish_evaluation(self, info: Info, run_id: strawberry.ID) -> EvaluationRunResult:
        ctx = info.context

        async def work() -> EvaluationRunSaved:
            try:
                _, run = tenant_key(run_id, "EvaluationRun")
            except NotFound as exc:
                raise NotFound("No such evaluation.", field="runId") from exc
            row = await service.publish(ctx.session, ctx.principal, run)
            return EvaluationRunSaved(run=EvaluationRun.of(row))

        return await run_mutation(info, work)
