"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.db.migrate import head_revision
from server.outbox.delivery import stats

log = structlog.get_logger(__name__)

# Read from PostgreSQL (and Redis) at scrape time, so they are the same whichever API replica
# answers and include the work of every worker process.
OUTBOX_EVENTS = Gauge(
    "stsec_outbox_events",
    "Outbox events by state: pending (due, not handed over), waiting (handed over or backing "
    "off), failed (retries exhausted, parked for an admin)",
    ["state"],
)
OUTBOX_OLDEST = Gauge(
    "stsec_outbox_oldest_pending_seconds", "Age of the oldest event not yet handled"
)
OUTBOX_LATENCY = Gauge(
    "stsec_outbox_latency_seconds",
    "Time from an event's commit to its handling, over the last hour",
    ["quantile"],
)
OUTBOX_HANDLED = Gauge("stsec_outbox_handled_last_hour", "Events handled in the last hour")
BROKER_QUEUE = Gauge("stsec_broker_queue_depth", "Messages waiting in the Redis queue")


async def healthz(request: Request) -> Response:
    """The process is up (no dependencies checked)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready to serve: the database answers and migrations are at head."""
    try:
        async with request.app.state.engine.connect() as conn:
            applied = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, status_code=503)
    expected = head_revision()
    if applied != expected:
        return JSONResponse(
            {"status": "unavailable", "migrations": {"applied": applied, "expected": expected}},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "revision": applied})


async def metrics(request: Request) -> Response:
    await _queue_metrics(request)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _queue_metrics(request: Request) -> None:
    try:
        async with request.app.state.sessions() as session, session.begin():
            s = await stats(session)
    except Exception as exc:  # the metrics page still answers with what it has
        log.warning("metrics_outbox_unavailable", error=str(exc)[:200])
        return
    OUTBOX_EVENTS.labels("pending").set(s.pending)
    OUTBOX_EVENTS.labels("waiting").set(s.waiting)
    OUTBOX_EVENTS.labels("failed").set(s.failed)
    OUTBOX_OLDEST.set(s.oldest_pending_seconds)
    OUTBOX_HANDLED.set(s.handled_last_hour)
    for quantile, value in (("0.5", s.latency_p50_seconds), ("0.95", s.latency_p95_seconds)):
        OUTBOX_LATENCY.labels(quantile).set(value if value is not None else float("nan"))
    settings = request.app.state.settings
    if settings.redis_url:
        BROKER_QUEUE.set(await _redis_queue_depth(settings))


async def _redis_queue_depth(settings: Any) -> float:
    from server.outbox.broker_keys import queue_key
    from server.outbox.redis_connection import async_redis_client

    client = async_redis_client(settings, socket_timeout=2)
    try:
        return float(await client.llen(queue_key(settings)))
    except Exception as exc:
        log.warning("metrics_broker_unavailable", error=str(exc)[:200])
        return float("nan")
    finally:
        await client.aclose()
