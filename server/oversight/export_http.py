"""`GET /exports/oversight.xlsx?orgUnitId=<global id>`: the oversight view as an Excel workbook.

Not GraphQL: the answer is a file. The bearer token authenticates as on the form route; a unit
outside the caller's tenants is 404, as for any object. Every export is written to the audit log
of the unit whose view it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import audit
from server.auth.service import principal_from_bearer
from server.config import Settings
from server.db.base import utcnow
from server.documents.storage import content_disposition
from server.errors import DomainError, Unauthenticated
from server.http.responses import bearer_token, error_response
from server.oversight import service, workbook


class OversightExportEndpoint:
    """The oversight view of one unit (default: the caller's own), every panel a sheet."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        unit_id_of: Callable[[str], uuid.UUID],
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        # Decodes the API's global ID of an org unit (given by the composition root, which
        # knows the GraphQL layer); raises NotFound for anything else.
        self.unit_id_of = unit_id_of

    async def handle(self, request: Request) -> Response:
        async with self.sessions() as session:
            try:
                principal = await principal_from_bearer(
                    session, self.settings, bearer_token(request)
                )
                if not principal.authenticated:
                    raise Unauthenticated("Sign in first.")
                raw = request.query_params.get("orgUnitId")
                unit_id = self.unit_id_of(raw) if raw else None
                scope = await service.scope_for(session, principal, unit_id)
                overview = await service.overview(session, scope, principal=principal)
                exported_at = utcnow()
                body = await run_in_threadpool(
                    workbook.render,
                    overview,
                    exported_by=principal.label,
                    exported_at=exported_at,
                )
                await audit.record(
                    session,
                    principal,
                    tenant_id=scope.unit.id,
                    action="oversight.export",
                    object_type="org_unit",
                    object_id=scope.unit.id,
                    changes={
                        "format": "xlsx",
                        "as_of": scope.today,
                        "institutes": len(scope.institutes),
                        "size": len(body),
                    },
                )
                await session.commit()
            except DomainError as exc:
                await session.rollback()
                return error_response(exc)
        name = f"oversight-{scope.unit.code}-{scope.today.isoformat()}.xlsx"
        return Response(
            body,
            media_type=workbook.CONTENT_TYPE,
            headers={
                "Content-Disposition": content_disposition(name),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )
