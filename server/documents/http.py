"""HTTP endpoints of the documents domain: the streaming upload and local-disk downloads.

Not GraphQL: bytes stream through these routes without ever being held whole in memory.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from server.auth.service import principal_from_bearer
from server.config import Settings
from server.db.engine import scope
from server.documents import service
from server.documents.errors import (
    DisallowedType,
    LinkExpired,
    LinkInvalid,
    TooLarge,
)
from server.documents.storage import LocalStore, ObjectStore, content_disposition
from server.errors import DomainError, NotFound, Unauthenticated
from server.http.responses import bearer_token, error_response

log = structlog.get_logger(__name__)

# Statuses of the documents' own errors, ahead of the shared ones.
STATUS: list[tuple[type[DomainError], int]] = [
    (TooLarge, 413),
    (DisallowedType, 415),
    (LinkInvalid, 403),
    (LinkExpired, 403),
]


def _error(exc: DomainError) -> JSONResponse:
    return error_response(exc, STATUS)


class UploadEndpoint:
    """`PUT /uploads/{tenant}/{upload}`: the body is the file; the bearer is the ticket's owner."""

    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], store: ObjectStore
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store

    async def handle(self, request: Request) -> Response:
        try:
            tenant_id = uuid.UUID(request.path_params["tenant"])
            upload_id = uuid.UUID(request.path_params["upload"])
        except ValueError:
            return _error(NotFound("No such upload; start it again."))
        async with self.sessions() as session:
            try:
                principal = await principal_from_bearer(
                    session, self.settings, bearer_token(request)
                )
            except Unauthenticated as exc:
                return _error(exc)
            try:
                if not principal.authenticated:
                    raise Unauthenticated("Sign in first.")
                version = await service.receive_upload(
                    session,
                    principal,
                    self.settings,
                    self.store,
                    tenant_id=tenant_id,
                    upload_id=upload_id,
                    chunks=request.stream(),
                )
                await session.commit()
            except DomainError as exc:
                await session.rollback()
                if service.refusal_discards(exc):
                    # A refused file leaves nothing behind: neither its bytes nor its ticket.
                    await scope(session, principal.visible_tenants())
                    await service.discard_upload(
                        session, self.store, tenant_id=tenant_id, upload_id=upload_id
                    )
                    await session.commit()
                return _error(exc)
        return JSONResponse(
            {
                "version": version.number,
                "size": version.size,
                "sha256": version.sha256,
                "contentType": version.content_type,
                "fileName": version.file_name,
            },
            status_code=201,
        )


class LocalDownloadEndpoint:
    """`GET /files/{token}`: the HMAC-signed, short-lived links of the local-disk store."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    async def handle(self, request: Request) -> Response:
        try:
            key, filename, content_type = self.store.verify_link(request.path_params["token"])
        except DomainError as exc:
            return _error(exc)
        if not await self.store.exists(key):
            return _error(NotFound("The file is no longer in storage."))
        return StreamingResponse(
            self.store.open_stream(key),
            media_type=content_type,
            headers={
                "Content-Disposition": content_disposition(filename),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )
