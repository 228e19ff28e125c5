"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.db.migrate import head_revision


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
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
