"""GraphQL types of the documents domain."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import strawberry

from schema.context import Info
from schema.relay import Node, to_global_id
from server.documents import models
from server.documents.models import DocumentKind, Sensitivity, VersionState

strawberry.enum(
    DocumentKind, name="DocumentKind", description="Kinds of document (R-ASSESS, R-PLAN, ...)."
)
strawberry.enum(Sensitivity, name="Sensitivity", description="Who may read a document.")
strawberry.enum(VersionState, name="VersionState")

# What documents attach to, as GraphQL node types (the registry in server.documents.attachments).
ATTACHABLE_NODE_TYPES = {"org_unit": "OrgUnit", "project": "Project", "hazard": "Hazard"}


@strawberry.enum(description="Kinds of object a document can be attached to.")
class AttachableType(enum.Enum):
    ORG_UNIT = "org_unit"
    PROJECT = "project"
    HAZARD = "hazard"


@strawberry.type(description="One uploaded file of a document; replacements are new versions.")
class DocumentVersion(Node):
    number: int
    size: int
    sha256: str
    content_type: str
    file_name: str
    uploaded_by: str
    created_at: datetime
    state: VersionState
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None

    @classmethod
    def of(cls, v: models.DocumentVersion) -> DocumentVersion:
        return cls(
            id=to_global_id("DocumentVersion", v.tenant_id, v.id),
            number=v.number,
            size=v.size,
            sha256=v.sha256,
            content_type=v.content_type,
            file_name=v.file_name,
            uploaded_by=v.uploaded_by_label,
            created_at=v.created_at,
            state=VersionState(v.state),
            withdrawn_at=v.withdrawn_at,
            withdrawn_by=v.withdrawn_by_label,
            withdrawn_reason=v.withdrawn_reason,
        )


@strawberry.type(description="A document attached to an object, with its versions.")
class Document(Node):
    title: str
    kind: DocumentKind
    sensitivity: Sensitivity
    attached_type: str
    attached_id: strawberry.ID
    uploaded_by: str
    created_at: datetime
    latest_version: int
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, d: models.Document) -> Document:
        return cls(
            id=to_global_id("Document", d.tenant_id, d.id),
            title=d.title,
            kind=DocumentKind(d.kind),
            sensitivity=Sensitivity(d.sensitivity),
            attached_type=d.attached_type,
            attached_id=to_global_id(ATTACHABLE_NODE_TYPES[d.attached_type], d.attached_id),
            uploaded_by=d.uploaded_by_label,
            created_at=d.created_at,
            latest_version=d.latest_version,
            key=(d.tenant_id, d.id),
        )

    @strawberry.field(description="Newest first, withdrawn ones included (marked).")
    async def versions(self, info: Info) -> list[DocumentVersion]:
        rows = await info.context.loaders.versions_by_document.load(self.key)
        return [DocumentVersion.of(v) for v in rows]


@strawberry.type(description="Where and how to send the file's bytes.")
class UploadTicket:
    upload_id: strawberry.ID
    document_id: strawberry.ID
    upload_url: str = strawberry.field(
        description="PUT the bytes here with your bearer token (streams; any store)."
    )
    presigned_put_url: str | None = strawberry.field(
        description="Or PUT them straight to object storage (S3 only), then call confirmUpload."
    )
    expires_at: datetime


@strawberry.type
class DownloadLink:
    url: str
    expires_at: datetime
    version: DocumentVersion
