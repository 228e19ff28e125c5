"""Outbox retention: events handled more than OUTBOX_RETENTION_DAYS ago are deleted, a batch at
a time, by the scheduler. Their effects (notices, deliveries, audit entries) are kept; only the
queue's own record goes. Pending, waiting and parked events are never touched, which the
database enforces as well (migration 0014's restrictive policy)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.engine import ALL_TENANTS, scope

PRUNE_BATCH = 5000

_PRUNE = text(
    """
    DELETE FROM outbox_events o
     USING (SELECT tenant_id, id FROM outbox_events
             WHERE dispatched_at < now() - make_interval(days => :days)
             ORDER BY dispatched_at
             LIMIT :batch
             FOR UPDATE SKIP LOCKED) old
     WHERE o.tenant_id = old.tenant_id AND o.id = old.id
    """
)


async def prune(session: AsyncSession, *, older_than_days: int, batch: int = PRUNE_BATCH) -> int:
    """Delete up to `batch` of the oldest events handled over `older_than_days` days ago.

    SKIP LOCKED lets two scheduler replicas prune side by side without waiting on each other.
    """
    await scope(session, ALL_TENANTS)
    result = await session.execute(_PRUNE, {"days": older_than_days, "batch": batch})
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
