"""Write and verify the per-tenant hash chain of audit entries."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEntry, AuditHead
from server.auth.principal import Principal
from server.authz import Target, authorize
from server.db.base import utcnow
from server.logging import request_id_var
from server.pagination import Page, paginate

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not recorded in the audit log")


def entry_hash(
    *,
    prev_hash: str,
    tenant_id: uuid.UUID,
    seq: int,
    occurred_at: datetime,
    actor_user_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict[str, Any],
) -> str:
    """SHA-256 over a canonical JSON of the entry and the previous link."""
    body = json.dumps(
        {
            "prev": prev_hash,
            "tenant": str(tenant_id),
            "seq": seq,
            "at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": str(actor_user_id) if actor_user_id else None,
            "action": action,
            "object": [object_type, object_id],
            "changes": changes,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_canonical,
    )
    return hashlib.sha256(body.encode()).hexdigest()


async def record(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: uuid.UUID,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to `tenant_id`'s chain, in the caller's transaction."""
    changes = json.loads(json.dumps(changes or {}, default=_canonical, ensure_ascii=False))
    # Lock this tenant's chain head so concurrent writers link one after another.
    await session.execute(
        insert(AuditHead)
        .values(tenant_id=tenant_id, seq=0, hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    head = (
        await session.execute(
            select(AuditHead).where(AuditHead.tenant_id == tenant_id).with_for_update()
        )
    ).scalar_one()
    seq = head.seq + 1
    occurred_at = utcnow()
    digest = entry_hash(
        prev_hash=head.hash,
        tenant_id=tenant_id,
        seq=seq,
        occurred_at=occurred_at,
        actor_user_id=principal.user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes,
    )
    entry = AuditEntry(
        tenant_id=tenant_id,
        seq=seq,
        occurred_at=occurred_at,
        actor_tenant_id=principal.tenant_id,
        actor_user_id=principal.user_id,
        actor_label=principal.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes,
        request_id=request_id_var.get(),
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq = seq
    head.hash = digest
    await session.flush()
    return entry


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    *,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[AuditEntry]:
    """A tenant's entries, newest first (paged on the chain's sequence number)."""
    authorize(principal, "read", Target("audit_entry", tenant_id))
    stmt = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    return await paginate(
        session,
        stmt,
        AuditEntry.seq,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
    )


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: uuid.UUID
    seq: int
    reason: str


async def verify(session: AsyncSession) -> tuple[int, list[ChainBreak]]:
    """Recompute every visible tenant's chain; return the entries checked and every break found."""
    breaks: list[ChainBreak] = []
    checked = 0
    tenants: Sequence[uuid.UUID] = (
        (await session.execute(text("SELECT DISTINCT tenant_id FROM audit_log"))).scalars().all()
    )
    for tenant_id in tenants:
        prev = GENESIS
        expected_seq = 1
        rows = await session.stream_scalars(
            select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
        )
        async for row in rows:
            checked += 1
            if row.seq != expected_seq:
                breaks.append(ChainBreak(tenant_id, row.seq, f"expected entry {expected_seq}"))
            if row.prev_hash != prev:
                breaks.append(ChainBreak(tenant_id, row.seq, "link to previous entry broken"))
            digest = entry_hash(
                prev_hash=row.prev_hash,
                tenant_id=row.tenant_id,
                seq=row.seq,
                occurred_at=row.occurred_at,
                actor_user_id=row.actor_user_id,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                changes=row.changes,
            )
            if digest != row.hash:
                breaks.append(ChainBreak(tenant_id, row.seq, "content does not match its hash"))
            prev = row.hash
            expected_seq = row.seq + 1
        head = await session.get(AuditHead, tenant_id)
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
            breaks.append(
                ChainBreak(tenant_id, head.seq, "entries missing at the end of the chain")
            )
    return checked, breaks
