"""Outbox retention: the scheduler deletes events handled more than OUTBOX_RETENTION_DAYS ago,
a batch at a time, and nothing else; the database refuses the application role anything else
(migration 0014's restrictive policy)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, text, update

from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.outbox.models import OutboxEvent
from server.outbox.retention import prune
from server.outbox.service import emit
from server.tenancy.models import OrgUnit
from workers.scheduler import Scheduler


async def _events(sessions, ages: dict[str, timedelta | None], failed: set[str] = frozenset()):
    """One event per name, handled `age` ago (None: not handled); `failed` ones parked."""
    ids: dict[str, uuid.UUID] = {}
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        tenant = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        for name, age in ages.items():
            ids[name] = await emit(session, tenant_id=tenant, topic="test.retention", payload={})
            await session.flush()
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == ids[name])
                .values(
                    dispatched_at=None if age is None else utcnow() - age,
                    failed_at=utcnow() - timedelta(days=90) if name in failed else None,
                )
            )
    return ids


async def _left(sessions, ids: dict[str, uuid.UUID]) -> set[str]:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        kept = set(
            (
                await session.scalars(
                    select(OutboxEvent.id).where(OutboxEvent.id.in_(list(ids.values())))
                )
            ).all()
        )
    return {name for name, id_ in ids.items() if id_ in kept}


async def test_only_events_handled_before_the_retention_are_deleted(sessions):
    ids = await _events(
        sessions,
        {
            "old": timedelta(days=40),
            "recent": timedelta(days=10),
            "pending": None,
            "parked": None,
        },
        failed={"parked"},
    )
    async with sessions() as session, session.begin():
        assert await prune(session, older_than_days=30) >= 1
    assert await _left(sessions, ids) == {"recent", "pending", "parked"}


async def test_pruning_goes_a_batch_at_a_time(sessions):
    ids = await _events(sessions, {f"old-{n}": timedelta(days=60 + n) for n in range(3)})
    async with sessions() as session, session.begin():
        assert await prune(session, older_than_days=30, batch=2) == 2
    # The oldest go first.
    assert await _left(sessions, ids) == {"old-0"}
    async with sessions() as session, session.begin():
        await prune(session, older_than_days=30, batch=2)
    assert await _left(sessions, ids) == set()


async def test_the_database_refuses_the_app_role_any_other_delete(sessions):
    ids = await _events(
        sessions,
        {"an-hour-ago": timedelta(hours=1), "pending": None, "parked": None},
        failed={"parked"},
    )
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        result = await session.execute(
            text("DELETE FROM outbox_events WHERE id = ANY(:ids)"), {"ids": list(ids.values())}
        )
        assert result.rowcount == 0  # type: ignore[attr-defined]
    assert await _left(sessions, ids) == set(ids)


async def test_the_scheduler_prunes_on_its_tick(sessions, settings):
    ids = await _events(sessions, {"old": timedelta(days=8), "younger": timedelta(days=6)})
    await Scheduler(sessions, replace(settings, outbox_retention_days=7)).tick()
    assert await _left(sessions, ids) == {"younger"}
