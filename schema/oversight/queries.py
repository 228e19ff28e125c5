"""The oversight query."""

from __future__ import annotations

import strawberry

from schema import relay
from schema.context import Info
from schema.oversight.types import Oversight
from server.oversight import service


async def oversight(info: Info, org_unit_id: strawberry.ID | None = None) -> Oversight:
    """HQ's view covers every institute, a branch academy's its own institutes, an institute's
    itself; without `orgUnitId`, the caller's own unit. A unit the caller does not supervise
    is not found."""
    ctx = info.context
    unit_id = relay.org_unit_id(org_unit_id) if org_unit_id else None
    scope = await service.scope_for(ctx.session, ctx.principal, unit_id)
    return Oversight.of(scope, relay.to_global_id("OrgUnit", scope.unit.id))


@strawberry.type
class OversightQuery:
    oversight: Oversight = strawberry.field(
        resolver=oversight,
        description="Oversight (ORG-HQ-DUTY, ORG-BRANCH): HQ's view covers every institute, a "
        "branch academy's its institutes, an institute's itself; default: your own unit.",
    )
