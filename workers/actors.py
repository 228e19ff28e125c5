"""The one actor: handle an outbox event, keyed by its id.

Retries are the outbox's, not Dramatiq's (`max_retries=0`): they are kept in PostgreSQL, so
they survive a broker restart, back off per event, and end in a parked event that platform
admins can see and retry.
"""

from __future__ import annotations

import uuid

import dramatiq
import structlog

from workers.broker import QUEUE
from workers.runtime import EventRuntime

log = structlog.get_logger(__name__)


def declare(broker: dramatiq.Broker, runtime: EventRuntime) -> dramatiq.Actor:  # type: ignore[type-arg]
    async def handle_event(tenant_id: str, event_id: str) -> None:
        try:
            await runtime.handle(uuid.UUID(tenant_id), uuid.UUID(event_id))
        except Exception:
            # Recorded on the event (attempts, last error, next try); the message is done.
            log.warning("event_handling_failed", event_id=event_id)

    decorate = dramatiq.actor(
        broker=broker,
        actor_name="handle_event",
        queue_name=QUEUE,
        max_retries=0,
        # Give up before the outbox lease runs out, so the handover that follows is not racing
        # a job still running.
        time_limit=int(runtime.settings.outbox_lease_seconds * 1000 * 0.9),
    )
    return decorate(handle_event)
