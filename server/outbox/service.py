"""The one helper domain services call to emit an event inside their own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.base import utcnow
from server.outbox.models import OutboxEvent


async def emit(
    session: AsyncSession, *, tenant_id: uuid.UUID, topic: str, payload: dict[str, Any]
) -> uuid.UUID:
    """Write an outbox row in the caller's transaction; it is delivered only if that commits."""
    now = utcnow()
    event = OutboxEvent(
        tenant_id=tenant_id, topic=topic, payload=payload, available_at=now, created_at=now
    )
    session.add(event)
    await session.flush()
    return event.id


@dataclass(frozen=True)
class Event:
    tenant_id: uuid.UUID
    topic: str
    payload: dict[str, Any]


async def emit_many(session: AsyncSession, events: Sequence[Event], *, chunk: int = 1000) -> None:
    """Write many outbox rows in the caller's transaction, in bulk (the scheduler's steps)."""
    now = utcnow()
    for start in range(0, len(events), chunk):
        await session.execute(
            insert(OutboxEvent),
            [
                {
                    "tenant_id": e.tenant_id,
                    "id": uuid.uuid4(),
                    "topic": e.topic,
                    "payload": e.payload,
                    "available_at": now,
                    "created_at": now,
                    "attempts": 0,
                }
                for e in events[start : start + chunk]
            ],
        )
