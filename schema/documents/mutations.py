"""Mutations of the documents domain: the upload handshake, download links, withdrawal."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.documents.queries import AttachmentInput, attachment_key
from schema.documents.types import Document, DocumentVersion, DownloadLink, UploadTicket
from schema.errors import MutationError, run_mutation, to_user_error
from schema.relay import from_global_id, to_global_id
from server.db.engine import scope
from server.documents import service
from server.documents.models import Document as DocumentRow
from server.documents.models import DocumentKind, Sensitivity
from server.errors import DomainError


@strawberry.input(description="The first version of a new document: what it is and where.")
class NewDocumentInput:
    attached_to: AttachmentInput
    kind: DocumentKind
    sensitivity: Sensitivity
    title: str


@strawberry.input(description="Announce a file: for a new document, or a new version of one.")
class StartUploadInput:
    file_name: str
    size: int | None = strawberry.field(
        default=None, description="Bytes; when given, what arrives must match."
    )
    sha256: str | None = strawberry.field(
        default=None, description="Hex SHA-256; required to confirm a presigned upload."
    )
    document_id: strawberry.ID | None = None
    new_document: NewDocumentInput | None = None


@strawberry.type
class UploadStarted:
    ticket: UploadTicket


@strawberry.type
class VersionCommitted:
    document: Document
    version: DocumentVersion


@strawberry.type
class VersionWithdrawn:
    version: DocumentVersion


@strawberry.type
class DownloadLinkIssued:
    link: DownloadLink


StartUploadResult = Annotated[UploadStarted | MutationError, strawberry.union("StartUploadResult")]
ConfirmUploadResult = Annotated[
    VersionCommitted | MutationError, strawberry.union("ConfirmUploadResult")
]
WithdrawVersionResult = Annotated[
    VersionWithdrawn | MutationError, strawberry.union("WithdrawVersionResult")
]
DownloadLinkResult = Annotated[
    DownloadLinkIssued | MutationError, strawberry.union("DownloadLinkResult")
]


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(description="Open an upload; then PUT the bytes (see the ticket).")
    async def start_upload(self, info: Info, input: StartUploadInput) -> StartUploadResult:
        ctx = info.context

        async def work() -> UploadStarted:
            document = None
            new = None
            if input.document_id is not None:
                _, (tenant_id, document_id) = from_global_id(input.document_id, "Document")
                document = (tenant_id, document_id)
            if input.new_document is not None:
                attached_type, attached_id = attachment_key(input.new_document.attached_to)
                new = service.NewDocument(
                    attached_type,
                    attached_id,
                    input.new_document.kind,
                    input.new_document.sensitivity,
                    input.new_document.title,
                )
            ticket = await service.start_upload(
                ctx.session,
                ctx.principal,
                ctx.settings,
                ctx.store,
                file_name=input.file_name,
                size=input.size,
                sha256=input.sha256,
                document=document,
                new=new,
            )
            up = ticket.upload
            return UploadStarted(
                ticket=UploadTicket(
                    upload_id=to_global_id("DocumentUpload", up.tenant_id, up.id),
                    document_id=to_global_id("Document", up.tenant_id, up.document_id),
                    upload_url=f"/uploads/{up.tenant_id}/{up.id}",
                    presigned_put_url=ticket.presigned_put_url,
                    expires_at=up.expires_at,
                )
            )

        return await run_mutation(info, work)

    @strawberry.mutation(description="After a presigned PUT: check the bytes and commit them.")
    async def confirm_upload(self, info: Info, upload_id: strawberry.ID) -> ConfirmUploadResult:
        ctx = info.context
        try:
            _, (tenant_id, uid) = from_global_id(upload_id, "DocumentUpload")
        except DomainError as exc:
            return to_user_error(exc)

        async def work() -> VersionCommitted:
            version = await service.confirm_upload(
                ctx.session,
                ctx.principal,
                ctx.settings,
                ctx.store,
                tenant_id=tenant_id,
                upload_id=uid,
            )
            row = await ctx.session.get(DocumentRow, (version.tenant_id, version.document_id))
            assert row is not None
            return VersionCommitted(document=Document.of(row), version=DocumentVersion.of(version))

        async def discard(exc: DomainError) -> None:
            if service.refusal_discards(exc):
                # Refused bytes leave nothing behind; in a transaction of its own, so that an
                # error elsewhere in the request cannot keep them.
                async with ctx.sessions() as session:
                    await scope(session, ctx.principal.visible_tenants())
                    await service.discard_upload(
                        session, ctx.store, tenant_id=tenant_id, upload_id=uid
                    )
                    await session.commit()

        return await run_mutation(info, work, on_error=discard)

    @strawberry.mutation(description="A short-lived download link for one version (audited).")
    async def create_download_link(
        self, info: Info, version_id: strawberry.ID
    ) -> DownloadLinkResult:
        ctx = info.context

        async def work() -> DownloadLinkIssued:
            _, (tenant_id, vid) = from_global_id(version_id, "DocumentVersion")
            link = await service.download_link(
                ctx.session,
                ctx.principal,
                ctx.settings,
                ctx.store,
                tenant_id=tenant_id,
                version_id=vid,
            )
            return DownloadLinkIssued(
                link=DownloadLink(
                    url=link.url,
                    expires_at=link.expires_at,
                    version=DocumentVersion.of(link.version),
                )
            )

        return await run_mutation(info, work)

    @strawberry.mutation(description="Withdraw a version: who and why are kept, and the bytes.")
    async def withdraw_document_version(
        self, info: Info, version_id: strawberry.ID, reason: str
    ) -> WithdrawVersionResult:
        ctx = info.context

        async def work() -> VersionWithdrawn:
            _, (tenant_id, vid) = from_global_id(version_id, "DocumentVersion")
            version = await service.withdraw_version(
                ctx.session, ctx.principal, tenant_id=tenant_id, version_id=vid, reason=reason
            )
            return VersionWithdrawn(version=DocumentVersion.of(version))

        return await run_mutation(info, work)
