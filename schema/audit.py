"""The audit log, readable by the unit's admin and legal representative and by HQ oversight."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.relay import Connection, Node, connection, from_global_id, to_global_id
from server.audit import models, service


@strawberry.type(description="One recorded state change or document download.")
class AuditEntry(Node):
    seq: int
    occurred_at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    changes: JSON
    request_id: str | None
    hash: str

    @classmethod
    def of(cls, e: models.AuditEntry) -> AuditEntry:
        return cls(
            id=to_global_id("AuditEntry", e.tenant_id, e.id),
            seq=e.seq,
            occurred_at=e.occurred_at,
            actor_label=e.actor_label,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            changes=cast(JSON, e.changes),
            request_id=e.request_id,
            hash=e.hash,
        )


async def audit_log(
    info: Info, org_unit_id: strawberry.ID, first: int = 50, after: str | None = None
) -> Connection[AuditEntry]:
    """A unit's entries, newest first."""
    ctx = info.context
    unit: uuid.UUID = from_global_id(org_unit_id, "OrgUnit")[1][0]
    page = await service.list_entries(
        ctx.session,
        ctx.principal,
        unit,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, AuditEntry.of)


@strawberry.type
class AuditQuery:
    audit_log: Connection[AuditEntry] = strawberry.field(resolver=audit_log)
