"""The outbox: an event is written in the caller's transaction and vanishes with its rollback."""

from __future__ import annotations

from sqlalchemy import select

from server.db.engine import ALL_TENANTS, scope
from server.outbox.models import OutboxEvent
from server.outbox.service import emit
from server.tenancy.models import OrgUnit


async def test_event_commits_and_rolls_back_with_the_change(sessions):
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        tenant = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        kept = await emit(session, tenant_id=tenant, topic="test.kept", payload={"n": 1})
        await session.commit()
        await scope(session, ALL_TENANTS)
        dropped = await emit(session, tenant_id=tenant, topic="test.dropped", payload={"n": 2})
        await session.rollback()
        await scope(session, ALL_TENANTS)
        ids = set((await session.execute(select(OutboxEvent.id))).scalars())
        assert kept in ids and dropped not in ids
        event = await session.get(OutboxEvent, (tenant, kept))
        assert event is not None and event.dispatched_at is None and event.payload == {"n": 1}
        await session.rollback()
