"""The broker: Redis when REDIS_URL is set, else Dramatiq's in-process stub broker."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from server.config import Settings
from server.outbox.broker_keys import QUEUE
from server.outbox.redis_connection import redis_client

__all__ = ["QUEUE", "make_broker"]


def make_broker(settings: Settings, *, in_process: bool = False) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if settings.redis_url and not in_process:
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            client=redis_client(settings),
            namespace=settings.redis_namespace,
            # A worker that stops heartbeating for this long is dead: its unacknowledged
            # messages go back on the queue (the outbox lease is the second safety net).
            heartbeat_timeout=int(min(settings.outbox_lease_seconds, 60) * 1000),
        )
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    return broker
