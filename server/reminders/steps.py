"""Firing scheduler steps exactly once, however many scheduler replicas run.

Each step is inserted into `scheduled_steps` under its unique key with ON CONFLICT DO NOTHING,
in the same transaction as its outbox event: a replica that loses the race inserts nothing
(PostgreSQL makes it wait for the winner's commit, then skips) and so emits nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, outbox
from server.auth.principal import Principal
from server.config import Settings
from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.errors import DomainError
from server.inspections import hazards
from server.notices.models import ScheduledStep
from server.reminders.scans import Step, all_due

log = structlog.get_logger(__name__)

SCHEDULER = Principal(user_id=None, tenant_id=None, label="scheduler", system=True)


@dataclass(frozen=True)
class Fired:
    topic: str
    key: str


CHUNK = 1000  # rows per INSERT: well under PostgreSQL's 65,535 bind parameters


async def fire(session: AsyncSession, steps: Sequence[Step], now: datetime) -> list[Fired]:
    # Sorted, so that two replicas inserting overlapping keys wait on each other in the same
    # order and never deadlock; inserted in bulk, so a scan that finds nothing new is cheap.
    ordered = sorted({(s.tenant_id, s.key): s for s in steps}.values(), key=_order)
    new: set[tuple[uuid.UUID, str]] = set()
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = await session.execute(
            insert(ScheduledStep)
            .values(
                [
                    {
                        "tenant_id": s.tenant_id,
                        "id": uuid.uuid4(),
                        "key": s.key,
                        "topic": s.topic,
                        "fired_at": now,
                    }
                    for s in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
            .returning(ScheduledStep.tenant_id, ScheduledStep.key)
        )
        new.update((t, k) for t, k in rows)
    fired = []
    events = []
    for step in ordered:
        if (step.tenant_id, step.key) not in new:
            continue
        if step.recommend_handling and await _recommend(session, step):
            # The recommendation's own event tells the HQ business department.
            fired.append(Fired("hazard.handling_recommended", step.key))
            continue
        events.append(outbox.Event(step.tenant_id, step.topic, step.payload))
        fired.append(Fired(step.topic, step.key))
    await outbox.emit_many(session, events)
    return fired


def _order(step: Step) -> tuple[str, str]:
    return str(step.tenant_id), step.key


async def _recommend(session: AsyncSession, step: Step) -> bool:
    """R-OVERDUE: a major hazard this late goes to HQ with a project-handling recommendation."""
    try:
        async with session.begin_nested():
            await hazards.recommend_handling(
                session,
                SCHEDULER,
                step.tenant_id,
                uuid.UUID(step.payload["hazard_id"]),
                reason=(
                    f"整改逾期 {step.payload['days']} 天（期限 {step.payload['deadline']}），"
                    "按升级规则报院机关业务部门。"
                ),
            )
    except DomainError as exc:
        # One awaits HQ's decision already: the plain escalation notice goes instead.
        log.info("handling_recommendation_skipped", key=step.key, reason=str(exc))
        return False
    return True


async def run_once(
    session: AsyncSession, settings: Settings, now: datetime | None = None
) -> list[Fired]:
    """One scan of every unit; the caller commits."""
    now = now or utcnow()
    await scope(session, ALL_TENANTS)
    steps = await all_due(session, settings, clock.today(now), now)
    return await fire(session, steps, now)
