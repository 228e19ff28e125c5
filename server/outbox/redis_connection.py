"""Connections to the broker's Redis: the server at REDIS_URL, or, with REDIS_SENTINELS set,
whichever server the Sentinels name primary.

With Sentinels, REDIS_URL's host is the name the Sentinels monitor (`redis://:pw@stsec/0`
means "the primary of `stsec`"); its password, database number and scheme (`rediss://` for
TLS) apply to the primary and to the Sentinels alike. The clients ask the Sentinels again when a
connection to the old primary fails, so a failover needs no restart: messages handed over
during it are handed over again by the relay once their lease runs out (the outbox in
PostgreSQL is the record of every event).
"""

from __future__ import annotations

from typing import Any, cast

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel
from redis.connection import SSLConnection, parse_url

from server.config import Settings


def _primary(settings: Settings, sentinel_class: Any, socket_timeout: float | None) -> Any:
    """A client of the primary the Sentinels name (redis-py's Sentinel is not typed)."""
    assert settings.redis_url
    parsed = parse_url(settings.redis_url)  # type: ignore[no-untyped-call]
    auth: dict[str, Any] = {k: parsed[k] for k in ("username", "password") if parsed.get(k)}
    if parsed.get("connection_class") is SSLConnection:
        auth["ssl"] = True
    sentinel = sentinel_class(
        list(settings.redis_sentinels),
        socket_timeout=socket_timeout,
        sentinel_kwargs=dict(auth),
        **auth,
    )
    return sentinel.master_for(
        str(parsed["host"]), db=parsed.get("db", 0), socket_timeout=socket_timeout
    )


def redis_client(settings: Settings, *, socket_timeout: float | None = None) -> redis.Redis:
    """A client of the primary, for the broker (Dramatiq uses the synchronous client)."""
    assert settings.redis_url
    if settings.redis_sentinels:
        return cast(redis.Redis, _primary(settings, redis.sentinel.Sentinel, socket_timeout))
    return redis.Redis.from_url(settings.redis_url, socket_timeout=socket_timeout)


def async_redis_client(settings: Settings, *, socket_timeout: float) -> redis.asyncio.Redis:
    """The same primary for asyncio code (the queue depth in /metrics)."""
    assert settings.redis_url
    if settings.redis_sentinels:
        primary = _primary(settings, redis.asyncio.sentinel.Sentinel, socket_timeout)
        return cast(redis.asyncio.Redis, primary)
    return redis.asyncio.Redis.from_url(settings.redis_url, socket_timeout=socket_timeout)
