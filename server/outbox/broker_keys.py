"""The broker queue's name, shared by the workers (which consume it) and /metrics (which
reports its depth) without the server importing the workers."""

from __future__ import annotations

from server.config import Settings

QUEUE = "events"


def queue_key(settings: Settings) -> str:
    """The Redis list that holds the queue's waiting message ids (Dramatiq's layout)."""
    return f"{settings.redis_namespace}:{QUEUE}"
