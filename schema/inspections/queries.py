"""Queries of the hazard register."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.inspections.types import Hazard
from schema.relay import Connection, connection, from_global_id
from server import clock
from server.errors import NotFound
from server.inspections import hazards as service
from server.inspections.models import Hazard as HazardRow
from server.inspections.models import HazardSeverity, HazardState
from server.pagination import paginate


@strawberry.input
class HazardFilter:
    project_id: strawberry.ID | None = None
    states: list[HazardState] | None = None
    severities: list[HazardSeverity] | None = None
    overdue: bool | None = None


async def hazards(
    info: Info, filter: HazardFilter | None = None, first: int = 50, after: str | None = None
) -> Connection[Hazard]:
    """The register, newest first; row-level security bounds it to the viewer's units."""
    ctx = info.context
    f = filter or HazardFilter()
    project = from_global_id(f.project_id, "Project")[1][1] if f.project_id else None
    stmt = service.filtered(
        service.HazardFilter(
            project_id=project,
            states=f.states or (),
            severities=f.severities or (),
            overdue=f.overdue,
        ),
        clock.today(),
    )
    page = await paginate(
        ctx.session,
        stmt,
        HazardRow.created_at,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
        descending=True,
        tiebreak=HazardRow.id,
    )
    return connection(page.keep(lambda h: service.may_read(ctx.principal, h)), Hazard.of)


async def hazard(info: Info, id: strawberry.ID) -> Hazard | None:
    ctx = info.context
    try:
        _, (tenant_id, hazard_id) = from_global_id(id, "Hazard")
        access, _ = await service.load_hazard(ctx.session, ctx.principal, tenant_id, hazard_id)
        return Hazard.of(access.hazard)
    except NotFound:
        return None


@strawberry.type
class HazardsQuery:
    hazards: Connection[Hazard] = strawberry.field(resolver=hazards)
    hazard: Hazard | None = strawberry.field(resolver=hazard)
