"""What every non-GraphQL endpoint shares: reading the bearer token and answering domain errors
as JSON with the conventional HTTP status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.errors import Conflict, DomainError, Forbidden, NotFound, Unauthenticated

# Most specific first: the first class that matches gives the status. Domains may put their
# own, more specific errors in front (see `error_response(extra=...)`).
STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (Conflict, 409),
]


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def error_response(
    exc: DomainError, extra: list[tuple[type[DomainError], int]] | None = None
) -> JSONResponse:
    status = next((s for cls, s in [*(extra or []), *STATUS] if isinstance(exc, cls)), 400)
    return JSONResponse(
        {
            "errors": [
                {"message": exc.message, "extensions": {"code": exc.code, "field": exc.field}}
            ]
        },
        status_code=status,
    )
