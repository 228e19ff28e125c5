"""Permits (R-PERMIT): a project needing national approval starts only with a valid permit and
never works beyond its time limit; the permit document is attached to the project."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import Principal
from server.documents.models import Document, DocumentKind
from server.errors import InvalidInput
from server.projects.access import load
from server.projects.models import Permit


async def record_permit(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    authority: str,
    permit_number: str,
    scope: str,
    valid_from: date,
    valid_until: date,
    document_id: uuid.UUID | None,
) -> Permit:
    access = await load(session, principal, tenant_id, project_id, action="record_permit")
    if valid_until < valid_from:
        raise InvalidInput("The permit expires before it is valid.", field="validUntil")
    for value, name in (
        (authority, "authority"),
        (permit_number, "permitNumber"),
        (scope, "scope"),
    ):
        if not value.strip() or len(value) > 2000:
            raise InvalidInput(f"Give the permit's {name}.", field=name)
    if document_id is not None:
        doc = await session.get(Document, (tenant_id, document_id))
        if (
            doc is None
            or (doc.attached_type, doc.attached_id) != ("project", project_id)
            or doc.kind != DocumentKind.PERMIT.value
        ):
            raise InvalidInput(
                "Attach the permit to this project first, as a permit.", field="documentId"
            )
    permit = Permit(
        tenant_id=tenant_id,
        project_id=access.project.id,
        authority=authority.strip(),
        permit_number=permit_number.strip(),
        scope=scope.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        document_id=document_id,
        recorded_by_label=principal.label,
    )
    session.add(permit)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="permit.record",
        object_type="permit",
        object_id=permit.id,
        changes={
            "project": str(project_id),
            "authority": permit.authority,
            "number": permit.permit_number,
            "valid": [valid_from, valid_until],
        },
    )
    return permit
