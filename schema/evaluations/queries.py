"""Queries of the yearly evaluation (R-EVAL)."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.evaluations.types import EvaluationRun, Rubric, UnitRating
from schema.relay import from_global_id
from server.evaluations import service


async def evaluation_rubrics(info: Info) -> list[Rubric]:
    """Every rubric version, newest first (HQ)."""
    rows = await service.rubrics(info.context.session, info.context.principal)
    return [Rubric.of(r) for r in rows]


async def evaluation_runs(info: Info) -> list[EvaluationRun]:
    """Every year's run, draft or published, newest year first (HQ)."""
    rows = await service.runs(info.context.session, info.context.principal)
    return [EvaluationRun.of(r) for r in rows]


async def ratings(
    info: Info, year: int, org_unit_id: strawberry.ID | None = None
) -> list[UnitRating]:
    """The ratings table of a year, highest score first: HQ sees the draft too; a branch sees
    its institutes' and an institute its own ratings once published."""
    ctx = info.context
    units = [from_global_id(org_unit_id, "OrgUnit")[1][0]] if org_unit_id else None
    rows = await service.ratings(ctx.session, ctx.principal, year=year, unit_ids=units)
    return [UnitRating.of(r) for r in rows]


@strawberry.type
class EvaluationsQuery:
    evaluation_rubrics: list[Rubric] = strawberry.field(resolver=evaluation_rubrics)
    evaluation_runs: list[EvaluationRun] = strawberry.field(resolver=evaluation_runs)
    ratings: list[UnitRating] = strawberry.field(resolver=ratings)
