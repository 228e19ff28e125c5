"""A JSON answer for unexpected failures, carrying the request id so support can find the log."""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.logging import request_id_var

log = structlog.get_logger("server.http")


async def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path)
    return JSONResponse(
        {
            "errors": [
                {
                    "message": "Something went wrong on our side; nothing was saved.",
                    "extensions": {"code": "INTERNAL", "requestId": request_id_var.get()},
                }
            ]
        },
        status_code=500,
    )
