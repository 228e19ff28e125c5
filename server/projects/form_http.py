"""`GET /forms/assessments/{tenant}/{assessment}.{fmt}`: the assessment form as DOCX or PDF.

Not GraphQL: the answer is a file. The bearer token authenticates as on the upload route; who
may not read the project gets 404, as for any object outside their tenants. Each export is
written to the audit log.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import audit
from server.auth.service import principal_from_bearer
from server.config import Settings
from server.documents.storage import content_disposition
from server.errors import DomainError, NotFound, Unauthenticated
from server.http.responses import bearer_token, error_response
from server.projects.form import FormData, form_data, render_docx, render_pdf

FORMATS: dict[str, tuple[Callable[[FormData], bytes], str]] = {
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (render_pdf, "application/pdf"),
}

# reportlab and python-docx keep module-level caches; one render at a time off the event loop.
_render_lock = threading.Lock()


def _render(render: Callable[[FormData], bytes], data: FormData) -> bytes:
    with _render_lock:
        return render(data)


class FormEndpoint:
    """The Research Project Security Risk Assessment Form of one assessment version."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions

    async def handle(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        try:
            tenant_id = uuid.UUID(request.path_params["tenant"])
            assessment_id = uuid.UUID(request.path_params["assessment"])
        except ValueError:
            return error_response(NotFound("No such risk assessment."))
        async with self.sessions() as session:
            try:
                principal = await principal_from_bearer(
                    session, self.settings, bearer_token(request)
                )
                if not principal.authenticated:
                    raise Unauthenticated("Sign in first.")
                if fmt not in FORMATS:
                    raise NotFound("The form is exported as .docx or .pdf.", field="format")
                render, content_type = FORMATS[fmt]
                data = await form_data(session, principal, tenant_id, assessment_id)
                body = await run_in_threadpool(_render, render, data)
                await audit.record(
                    session,
                    principal,
                    tenant_id=data.tenant_id,
                    action="assessment.form_export",
                    object_type="risk_assessment",
                    object_id=data.assessment_id,
                    changes={
                        "format": fmt,
                        "version": data.assessment_number,
                        "project": str(data.project_id),
                        "size": len(body),
                    },
                )
                await session.commit()
            except DomainError as exc:
                await session.rollback()
                return error_response(exc)
        return Response(
            body,
            media_type=content_type,
            headers={
                "Content-Disposition": content_disposition(data.file_name(fmt)),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )
