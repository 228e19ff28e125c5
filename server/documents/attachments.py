"""What documents attach to: a registry of object types, filled by the domains that own them.

A document links to (attached_type, attached_id) in its own tenant. The domain owning that type
registers a resolver that finds the object for a principal (None if it cannot see it) and says
whether it is locked (approved or closed: no new versions) and how the principal relates to it
(R-OWN: approver, undertaker), which the policy uses to name who may read restricted documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.principal import Principal
from server.errors import InvalidInput, NotFound
from server.tenancy.models import OrgUnit


@dataclass(frozen=True)
class AttachmentTarget:
    attached_type: str
    object_id: uuid.UUID
    tenant_id: uuid.UUID
    label: str
    locked: bool
    relations: frozenset[str] = frozenset()


Resolver = Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[AttachmentTarget | None]]
_RESOLVERS: dict[str, Resolver] = {}


def register(attached_type: str, resolver: Resolver) -> None:
    """Called once per type by the domain that owns it, at import time."""
    if attached_type in _RESOLVERS and _RESOLVERS[attached_type] is not resolver:
        raise RuntimeError(f"attachment type {attached_type} is registered twice")
    _RESOLVERS[attached_type] = resolver


def registered_types() -> list[str]:
    return sorted(_RESOLVERS)


async def resolve(
    session: AsyncSession, principal: Principal, attached_type: str, object_id: uuid.UUID
) -> AttachmentTarget:
    resolver = _RESOLVERS.get(attached_type)
    if resolver is None:
        raise InvalidInput(
            f"Documents cannot be attached to '{attached_type}'.", field="attachedType"
        )
    target = await resolver(session, principal, object_id)
    if target is None or not principal.can_see(target.tenant_id):
        raise NotFound("No such object to attach to.", field="attachedId")
    return target


async def _org_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> AttachmentTarget | None:
    """The unit itself: its emergency response plans, letters, minutes (ORG-INST-DUTY)."""
    unit = await session.get(OrgUnit, unit_id)
    if unit is None:
        return None
    return AttachmentTarget("org_unit", unit.id, unit.id, unit.name, locked=False)


register("org_unit", _org_unit)
