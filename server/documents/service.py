"""The rules of the documents domain: upload, versions, sensitivity, download links, withdrawal.

Bytes go to the object store (`storage.py`); rows record what was committed. A document row
exists only once its first version is committed; an upload in flight is a `DocumentUpload`
ticket, deleted when its bytes commit or are refused (so a refusal leaves nothing behind).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import Principal
from server.authz import authorize, is_allowed
from server.config import Settings
from server.db.base import new_id, utcnow
from server.documents import attachments, filetypes
from server.documents.errors import ChecksumMismatch, NothingUploaded, TooLarge
from server.documents.models import (
    Document,
    DocumentKind,
    DocumentUpload,
    DocumentVersion,
    Sensitivity,
    VersionState,
)
from server.documents.storage import ObjectStore, object_key
from server.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthenticated

SHA256 = re.compile(r"^[0-9a-f]{64}$")
UPLOAD_TICKET_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class DocumentAccess:
    """A document as the gate sees it: its kind of object, tenant, and the principal's relations."""

    document: Document
    target_relations: frozenset[str]

    @property
    def resource_type(self) -> str:
        return self.document.resource_type

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.document.tenant_id

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return self.document.relations_to(principal) | self.target_relations


@dataclass(frozen=True)
class NewDocument:
    attached_type: str
    attached_id: uuid.UUID
    kind: DocumentKind
    sensitivity: Sensitivity
    title: str


@dataclass(frozen=True)
class UploadTicket:
    upload: DocumentUpload
    # Direct-to-storage URL (S3 only); otherwise the client sends the bytes to the app.
    presigned_put_url: str | None


def read_action(sensitivity: str) -> str:
    return f"read_{sensitivity}"


async def _access(
    session: AsyncSession, principal: Principal, document: Document
) -> DocumentAccess:
    target = await attachments.resolve(
        session, principal, document.attached_type, document.attached_id
    )
    return DocumentAccess(document, target.relations)


async def readable_document(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, document_id: uuid.UUID
) -> Document:
    """The document if the principal may read it at its sensitivity; restricted ones it may not
    read are not found, so their titles do not leak either."""
    document = await session.get(Document, (tenant_id, document_id))
    if document is None:
        raise NotFound("No such document.")
    access = await _access(session, principal, document)
    if not is_allowed(principal, read_action(document.sensitivity), access):
        raise NotFound("No such document.")
    return document


async def list_documents(
    session: AsyncSession, principal: Principal, *, attached_type: str, attached_id: uuid.UUID
) -> Sequence[Document]:
    target = await attachments.resolve(session, principal, attached_type, attached_id)
    rows = await session.execute(
        select(Document)
        .where(
            Document.tenant_id == target.tenant_id,
            Document.attached_type == attached_type,
            Document.attached_id == attached_id,
        )
        .order_by(Document.created_at, Document.id)
    )
    return [
        d
        for d in rows.scalars()
        if is_allowed(principal, read_action(d.sensitivity), DocumentAccess(d, target.relations))
    ]


async def versions_of(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], list[DocumentVersion]]:
    """Versions of many documents in one statement, newest first (the DataLoader's batch)."""
    found: dict[tuple[uuid.UUID, uuid.UUID], list[DocumentVersion]] = {k: [] for k in keys}
    if not keys:
        return found
    rows = await session.execute(
        select(DocumentVersion)
        .where(
            DocumentVersion.tenant_id.in_({t for t, _ in keys}),
            DocumentVersion.document_id.in_({d for _, d in keys}),
        )
        .order_by(DocumentVersion.number.desc())
    )
    for v in rows.scalars():
        if (v.tenant_id, v.document_id) in found:
            found[(v.tenant_id, v.document_id)].append(v)
    return found


# ---------------------------------------------------------------------------------------------
# Upload


async def start_upload(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    store: ObjectStore,
    *,
    file_name: str,
    size: int | None,
    sha256: str | None,
    document: tuple[uuid.UUID, uuid.UUID] | None = None,
    new: NewDocument | None = None,
) -> UploadTicket:
    """Open an upload: a new version of `document`, or the first version of a `new` one."""
    if (document is None) == (new is None):
        raise InvalidInput("Name either an existing document or a new one.", field="documentId")
    name = filetypes.sanitize_file_name(file_name)
    if size is not None and not 0 < size <= settings.upload_max_bytes:
        raise InvalidInput(f"A file may have 1 to {settings.upload_max_bytes} bytes.", field="size")
    if sha256 is not None and not SHA256.match(sha256.lower()):
        raise InvalidInput("The SHA-256 is 64 hexadecimal characters.", field="sha256")
    if document is not None:
        doc = await readable_document(session, principal, *document)
        await may_upload(session, principal, doc.attached_type, doc.attached_id, replacing=True)
        meta = NewDocument(
            doc.attached_type,
            doc.attached_id,
            DocumentKind(doc.kind),
            Sensitivity(doc.sensitivity),
            doc.title,
        )
        document_id, tenant_id, is_new = doc.id, doc.tenant_id, False
    else:
        assert new is not None
        target = await may_upload(
            session, principal, new.attached_type, new.attached_id, replacing=False
        )
        meta = NewDocument(
            new.attached_type,
            new.attached_id,
            new.kind,
            new.sensitivity,
            _title(new.title),
        )
        document_id, tenant_id, is_new = new_id(), target.tenant_id, True
    if principal.actor_id is None:
        raise InvalidInput("Sign in to upload.", field="documentId")
    upload_id = new_id()
    upload = DocumentUpload(
        tenant_id=tenant_id,
        id=upload_id,
        document_id=document_id,
        new_document=is_new,
        attached_type=meta.attached_type,
        attached_id=meta.attached_id,
        kind=meta.kind.value,
        sensitivity=meta.sensitivity.value,
        title=meta.title,
        object_key=object_key(tenant_id, document_id, upload_id),
        file_name=name,
        declared_size=size,
        declared_sha256=sha256.lower() if sha256 else None,
        created_by=principal.actor_id,
        expires_at=utcnow() + UPLOAD_TICKET_TTL,
    )
    session.add(upload)
    await session.flush()
    presigned = await store.presigned_put(upload.object_key, UPLOAD_TICKET_TTL)
    return UploadTicket(upload, presigned)


def _title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= 200 or any(ord(c) < 32 for c in title):
        raise InvalidInput("Give the document a title of 1 to 200 characters.", field="title")
    return title


async def may_upload(
    session: AsyncSession,
    principal: Principal,
    attached_type: str,
    attached_id: uuid.UUID,
    *,
    replacing: bool,
) -> attachments.AttachmentTarget:
    """The gate for adding to the object's documents, and the lock on replacing them.

    A locked object (approved or closed) still takes new documents — a permit, minutes — but
    its existing documents get no new version until it is reopened.
    """
    target = await attachments.resolve(session, principal, attached_type, attached_id)
    probe = Document(tenant_id=target.tenant_id, attached_type=attached_type)
    authorize(principal, "upload", DocumentAccess(probe, target.relations))
    if replacing and target.locked:
        raise Conflict(
            f"{target.label} is approved or closed; its documents are locked until it is reopened."
        )
    return target


async def _ticket(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, upload_id: uuid.UUID
) -> DocumentUpload:
    upload = await session.get(DocumentUpload, (tenant_id, upload_id), with_for_update=True)
    # Another person's ticket is as good as none: a ticket is its creator's alone.
    if upload is None or upload.created_by != principal.actor_id:
        raise NotFound("No such upload; start it again.")
    if upload.expires_at <= utcnow():
        raise InvalidInput("The upload has expired; start it again.", field="uploadId")
    return upload


async def receive_upload(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    store: ObjectStore,
    *,
    tenant_id: uuid.UUID,
    upload_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
) -> DocumentVersion:
    """The app's streaming upload: bytes go straight to the store, then are checked."""
    upload = await _ticket(session, principal, tenant_id, upload_id)
    stored = await store.put_stream(upload.object_key, chunks, max_bytes=settings.upload_max_bytes)
    return await _commit(session, principal, settings, store, upload, stored.size, stored.sha256)


async def confirm_upload(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    store: ObjectStore,
    *,
    tenant_id: uuid.UUID,
    upload_id: uuid.UUID,
) -> DocumentVersion:
    """After a presigned PUT: check what arrived (size, checksum, type), then commit it."""
    upload = await _ticket(session, principal, tenant_id, upload_id)
    stat = await store.stat(upload.object_key)
    if stat is None:
        raise NothingUploaded("Nothing has been uploaded for this upload yet.", field="uploadId")
    # A presigned PUT cannot cap its size: the cap is applied here, before reading the bytes.
    if stat.size > settings.upload_max_bytes:
        raise TooLarge(settings.upload_max_bytes)
    checked = await store.stat(upload.object_key, verify_sha256=True)
    if checked is None or checked.sha256 is None:
        raise NothingUploaded("The upload vanished while it was checked.", field="uploadId")
    return await _commit(session, principal, settings, store, upload, checked.size, checked.sha256)


async def _commit(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    store: ObjectStore,
    upload: DocumentUpload,
    size: int,
    sha256: str,
) -> DocumentVersion:
    if upload.declared_size is not None and size != upload.declared_size:
        raise ChecksumMismatch(f"{size} bytes arrived, {upload.declared_size} were announced.")
    if upload.declared_sha256 is not None and sha256 != upload.declared_sha256:
        raise ChecksumMismatch("The file's SHA-256 differs from the one announced.")
    if size == 0:
        raise InvalidInput("The file is empty.", field="file")
    head = await store.head(upload.object_key, filetypes.HEAD_BYTES)
    content_type = filetypes.detect(head, upload.file_name)
    filetypes.check_allowed(content_type, settings.upload_allowed_types)
    # Checked again as the bytes land: roles may have been taken away, or the object locked,
    # since the upload was opened.
    await may_upload(
        session,
        principal,
        upload.attached_type,
        upload.attached_id,
        replacing=not upload.new_document,
    )
    if upload.new_document:
        document = Document(
            tenant_id=upload.tenant_id,
            id=upload.document_id,
            attached_type=upload.attached_type,
            attached_id=upload.attached_id,
            kind=upload.kind,
            sensitivity=upload.sensitivity,
            title=upload.title,
            uploaded_by=principal.actor_id,
            uploaded_by_label=principal.label,
            latest_version=0,
        )
        session.add(document)
        await session.flush()
    else:
        found = await session.get(
            Document, (upload.tenant_id, upload.document_id), with_for_update=True
        )
        assert found is not None, "a ticket for an existing document outlives it"
        document = found
    document.latest_version += 1
    version = DocumentVersion(
        tenant_id=upload.tenant_id,
        id=new_id(),
        document_id=document.id,
        number=document.latest_version,
        object_key=upload.object_key,
        size=size,
        sha256=sha256,
        content_type=content_type,
        file_name=upload.file_name,
        uploaded_by=principal.actor_id,
        uploaded_by_label=principal.label,
        state=VersionState.COMMITTED.value,
    )
    session.add(version)
    await session.execute(
        delete(DocumentUpload).where(
            DocumentUpload.tenant_id == upload.tenant_id, DocumentUpload.id == upload.id
        )
    )
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=document.tenant_id,
        action="document.version_add",
        object_type="document",
        object_id=document.id,
        changes={
            "version": version.number,
            "title": document.title,
            "kind": document.kind,
            "sensitivity": document.sensitivity,
            "attached": [document.attached_type, str(document.attached_id)],
            "size": size,
            "sha256": sha256,
            "content_type": content_type,
            "file_name": upload.file_name,
        },
    )
    return version


def refusal_discards(exc: DomainError) -> bool:
    """Refused bytes are removed with their ticket; a ticket not found or not yet used stays."""
    return not isinstance(exc, (NotFound, Unauthenticated, NothingUploaded))


async def discard_upload(
    session: AsyncSession, store: ObjectStore, *, tenant_id: uuid.UUID, upload_id: uuid.UUID
) -> None:
    """After a refused upload: remove its bytes and its ticket, so nothing is left behind."""
    upload = await session.get(DocumentUpload, (tenant_id, upload_id))
    if upload is None:
        return
    await store.delete(upload.object_key)
    await session.delete(upload)
    await session.flush()


# ---------------------------------------------------------------------------------------------
# Versions: download and withdrawal


async def _version(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, version_id: uuid.UUID
) -> tuple[Document, DocumentVersion]:
    version = await session.get(DocumentVersion, (tenant_id, version_id))
    if version is None:
        raise NotFound("No such document version.")
    document = await readable_document(session, principal, tenant_id, version.document_id)
    return document, version


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime
    version: DocumentVersion


async def download_link(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    store: ObjectStore,
    *,
    tenant_id: uuid.UUID,
    version_id: uuid.UUID,
) -> DownloadLink:
    """A short-lived signed link, handed out only after the gate and always audited."""
    document, version = await _version(session, principal, tenant_id, version_id)
    if version.state == VersionState.WITHDRAWN.value:
        raise Conflict(
            f"Version {version.number} was withdrawn by {version.withdrawn_by_label}: "
            f"{version.withdrawn_reason}"
        )
    if version.state == VersionState.MISSING.value:
        raise Conflict(f"The file of version {version.number} is missing from storage.")
    ttl = timedelta(seconds=settings.download_link_ttl)
    url = await store.download_url(
        version.object_key,
        expires=ttl,
        filename=filetypes.download_file_name(version.file_name, version.content_type),
        content_type=version.content_type,
    )
    await audit.record(
        session,
        principal,
        tenant_id=document.tenant_id,
        action="document.download_link",
        object_type="document_version",
        object_id=version.id,
        changes={
            "document": str(document.id),
            "version": version.number,
            "sensitivity": document.sensitivity,
            "ttl_seconds": settings.download_link_ttl,
        },
    )
    return DownloadLink(url, utcnow() + ttl, version)


async def withdraw_version(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: uuid.UUID,
    version_id: uuid.UUID,
    reason: str,
) -> DocumentVersion:
    """Withdraw (never delete): who and why are recorded; the bytes stay in storage."""
    document, version = await _version(session, principal, tenant_id, version_id)
    access = await _access(session, principal, document)
    # The uploader of this version (not only of the document) may withdraw it.
    if principal.actor_id is not None and version.uploaded_by == principal.actor_id:
        access = DocumentAccess(document, access.target_relations | {"uploader"})
    authorize(principal, "withdraw", access)
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        raise InvalidInput("Say why, in 1 to 500 characters.", field="reason")
    if version.state != VersionState.COMMITTED.value:
        raise Conflict(f"Version {version.number} is already {version.state}.")
    version.state = VersionState.WITHDRAWN.value
    version.withdrawn_at = utcnow()
    version.withdrawn_by = principal.actor_id
    version.withdrawn_by_label = principal.label
    version.withdrawn_reason = reason
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="document.version_withdraw",
        object_type="document_version",
        object_id=version.id,
        changes={"document": str(document.id), "version": version.number, "reason": reason},
    )
    return version
