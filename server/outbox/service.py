"""The one helper domain services call to emit an event inside their own transaction."""

from __future__ import annotations

import uuid
from typing import Any

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
