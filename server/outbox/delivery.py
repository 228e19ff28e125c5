"""Handing outbox events over and recording how their handling went (DESIGN decision 5).

Generic: what an event *means* is up to the handler the worker passes in (the notices domain).
Every function here runs as the system, in a transaction that sees every tenant.

An event's life: pending (`available_at` reached) → handed to the broker, leased until
`available_at` = now + lease, `attempts` + 1 → handled (`dispatched_at`). A handler error
moves `available_at` by a backoff that doubles per attempt; a worker that dies mid-job leaves
the lease to run out, and the relay hands the event over again. Past `max_attempts` the event
is parked (`failed_at`): kept, listed for platform admins, retried only on request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import structlog
from sqlalchemy import and_, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.outbox.models import OutboxEvent

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float
    lease_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.outbox_max_attempts,
            base_seconds=settings.outbox_retry_base_seconds,
            max_seconds=settings.outbox_retry_max_seconds,
            lease_seconds=settings.outbox_lease_seconds,
        )

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(
            seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds)
        )


@dataclass(frozen=True)
class Claimed:
    tenant_id: uuid.UUID
    event_id: uuid.UUID
    topic: str
    attempts: int


PENDING = and_(OutboxEvent.dispatched_at.is_(None), OutboxEvent.failed_at.is_(None))


async def claim(session: AsyncSession, policy: RetryPolicy, *, limit: int) -> list[Claimed]:
    """Lease up to `limit` due events. The caller hands them to the broker and commits only
    once the broker took them, so a broker outage leaves them pending, untouched."""
    await scope(session, ALL_TENANTS)
    now = utcnow()
    # An event whose lease ran out after its last allowed attempt (the worker died each time,
    # say) is parked rather than handed over forever.
    await session.execute(
        update(OutboxEvent)
        .where(PENDING, OutboxEvent.available_at <= now)
        .where(OutboxEvent.attempts >= policy.max_attempts)
        .values(
            failed_at=now,
            last_error=func.coalesce(OutboxEvent.last_error, "not handled within its lease"),
        )
    )
    due = (
        select(OutboxEvent.tenant_id, OutboxEvent.id)
        .where(PENDING, OutboxEvent.available_at <= now)
        .order_by(OutboxEvent.available_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    rows = await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.tenant_id == due.c.tenant_id, OutboxEvent.id == due.c.id)
        .values(
            attempts=OutboxEvent.attempts + 1,
            available_at=now + timedelta(seconds=policy.lease_seconds),
        )
        .returning(OutboxEvent.tenant_id, OutboxEvent.id, OutboxEvent.topic, OutboxEvent.attempts)
    )
    return [Claimed(t, i, topic, attempts) for t, i, topic, attempts in rows]


class Handler(Protocol):
    """What the worker does with an event; the notices domain provides it."""

    async def handle(self, session: AsyncSession, event: OutboxEvent) -> None: ...

    async def failed(
        self, session: AsyncSession, event: OutboxEvent, error: str, *, parked: bool
    ) -> None: ...


async def process(
    sessions: async_sessionmaker[AsyncSession],
    handler: Handler,
    policy: RetryPolicy,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
) -> bool:
    """Handle one event exactly once however often its message arrives (keyed by the event id).

    The row is locked for the whole handling, so a duplicate message waits and then finds it
    done. Returns whether this call handled it.
    """
    try:
        async with sessions() as session, session.begin():
            await scope(session, ALL_TENANTS)
            event = await session.get(OutboxEvent, (tenant_id, event_id), with_for_update=True)
            if event is None or event.dispatched_at is not None or event.failed_at is not None:
                return False
            await handler.handle(session, event)
            event.dispatched_at = utcnow()
            event.last_error = None
        return True
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("outbox_event_failed", event_id=str(event_id), error=error)
        await _record_failure(sessions, handler, policy, tenant_id, event_id, error)
        raise


async def _record_failure(
    sessions: async_sessionmaker[AsyncSession],
    handler: Handler,
    policy: RetryPolicy,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    error: str,
) -> None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        event = await session.get(OutboxEvent, (tenant_id, event_id), with_for_update=True)
        if event is None or event.dispatched_at is not None:
            return
        now = utcnow()
        event.last_error = error
        parked = event.attempts >= policy.max_attempts
        if parked:
            event.failed_at = now
        else:
            event.available_at = now + policy.backoff(event.attempts)
        await handler.failed(session, event, error, parked=parked)


async def requeue(session: AsyncSession, event: OutboxEvent) -> None:
    """Give a parked event a fresh set of attempts, due now."""
    event.failed_at = None
    event.attempts = 0
    event.available_at = utcnow()


@dataclass(frozen=True)
class OutboxStats:
    pending: int  # due now, not yet handed over
    waiting: int  # handed over and not done yet, or backing off after an error
    failed: int  # parked after exhausting retries
    oldest_pending_seconds: float
    latency_p50_seconds: float | None  # created → handled, events handled in the last hour
    latency_p95_seconds: float | None
    handled_last_hour: int


STATS_SQL = text(
    """
    SELECT
      count(*) FILTER (WHERE dispatched_at IS NULL AND failed_at IS NULL
                       AND available_at <= now()) AS pending,
      count(*) FILTER (WHERE dispatched_at IS NULL AND failed_at IS NULL
                       AND available_at > now()) AS waiting,
      count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
      coalesce(extract(epoch FROM now() - min(created_at) FILTER (
        WHERE dispatched_at IS NULL AND failed_at IS NULL)), 0) AS oldest,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - created_at))
        FILTER (WHERE dispatched_at > now() - interval '1 hour') AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - created_at))
        FILTER (WHERE dispatched_at > now() - interval '1 hour') AS p95,
      count(*) FILTER (WHERE dispatched_at > now() - interval '1 hour') AS handled
    FROM outbox_events
    WHERE dispatched_at IS NULL OR dispatched_at > now() - interval '1 hour'
    """
)


async def stats(session: AsyncSession) -> OutboxStats:
    await scope(session, ALL_TENANTS)
    row = (await session.execute(STATS_SQL)).one()
    return OutboxStats(
        pending=row.pending,
        waiting=row.waiting,
        failed=row.failed,
        oldest_pending_seconds=float(row.oldest),
        latency_p50_seconds=None if row.p50 is None else float(row.p50),
        latency_p95_seconds=None if row.p95 is None else float(row.p95),
        handled_last_hour=row.handled,
    )
