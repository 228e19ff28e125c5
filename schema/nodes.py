"""`node(id:)`: one entry per node type, each going through its domain's service (and gate)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from schema.context import Info
from schema.documents import queries as documents
from schema.incidents import operations as incidents
from schema.inspections import queries as hazards
from schema.outcomes import operations as outcomes
from schema.projects import queries as projects
from schema.relay import Node, from_global_id
from schema.tenancy import queries as tenancy
from server.errors import NotFound

Resolver = Callable[[Info, strawberry.ID], Awaitable[Node | None]]

RESOLVERS: dict[str, Resolver] = {
    "OrgUnit": tenancy.org_unit,
    "User": tenancy.user,
    "Document": documents.document,
    "Project": projects.project,
    "Hazard": hazards.hazard,
    "Incident": incidents.incident,
    "OutcomeRelease": outcomes.outcome,
}


async def resolve_node(info: Info, global_id: strawberry.ID) -> Node | None:
    try:
        type_name, _ = from_global_id(global_id)
    except NotFound:
        return None
    resolver = RESOLVERS.get(type_name)
    return await resolver(info, global_id) if resolver else None
