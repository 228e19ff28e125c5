"""Queries of the documents domain."""

from __future__ import annotations

import uuid

import strawberry

from schema.context import Info
from schema.documents.types import ATTACHABLE_NODE_TYPES, AttachableType, Document
from schema.relay import from_global_id
from server.documents import service
from server.errors import NotFound


@strawberry.input(description="An object documents are attached to.")
class AttachmentInput:
    type: AttachableType
    id: strawberry.ID


def attachment_key(target: AttachmentInput) -> tuple[str, uuid.UUID]:
    attached_type = AttachableType(target.type).value
    _, ids = from_global_id(target.id, ATTACHABLE_NODE_TYPES[attached_type])
    return attached_type, ids[-1]


async def documents(info: Info, attached_to: AttachmentInput) -> list[Document]:
    """The documents of one object that the viewer may read (restricted ones only if allowed)."""
    ctx = info.context
    attached_type, attached_id = attachment_key(attached_to)
    rows = await service.list_documents(
        ctx.session, ctx.principal, attached_type=attached_type, attached_id=attached_id
    )
    return [Document.of(d) for d in rows]


async def document(info: Info, id: strawberry.ID) -> Document | None:
    ctx = info.context
    try:
        _, (tenant_id, document_id) = from_global_id(id, "Document")
        return Document.of(
            await service.readable_document(ctx.session, ctx.principal, tenant_id, document_id)
        )
    except NotFound:
        return None


@strawberry.type
class DocumentsQuery:
    documents: list[Document] = strawberry.field(resolver=documents)
    document: Document | None = strawberry.field(resolver=document)
