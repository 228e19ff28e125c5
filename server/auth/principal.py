"""Who is acting: a user (or an API token) with roles per org unit, and what they can see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.db.engine import ALL_TENANTS
from server.tenancy.roles import Role, UnitKind


@dataclass(frozen=True)
class Grant:
    """A role held in one org unit, with the institutes it supervises when that unit is a branch."""

    role: Role
    unit_id: uuid.UUID
    unit_kind: UnitKind
    # Institutes a branch academy supervises; empty for other kinds.
    supervised: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    label: str
    grants: tuple[Grant, ...] = ()
    session_id: uuid.UUID | None = None
    api_token_id: uuid.UUID | None = None
    locale: str = "zh"
    system: bool = False

    @property
    def authenticated(self) -> bool:
        return self.system or self.user_id is not None or self.api_token_id is not None

    @property
    def actor_id(self) -> uuid.UUID | None:
        """Who acts, for records of who did what: the user, or the API token standing in."""
        return self.user_id or self.api_token_id

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    @property
    def sees_all(self) -> bool:
        return self.system or any(g.unit_kind is UnitKind.HQ for g in self.grants)

    def visible_tenants(self) -> frozenset[uuid.UUID] | str:
        """The tenant set written into each transaction for row-level security."""
        if self.sees_all:
            return ALL_TENANTS
        seen: set[uuid.UUID] = set()
        if self.tenant_id is not None:
            seen.add(self.tenant_id)
        for g in self.grants:
            seen.add(g.unit_id)
            seen.update(g.supervised)
        return frozenset(seen)

    def can_see(self, tenant_id: uuid.UUID) -> bool:
        visible = self.visible_tenants()
        return visible == ALL_TENANTS or tenant_id in visible


ANONYMOUS = Principal(user_id=None, tenant_id=None, label="anonymous")
SYSTEM = Principal(user_id=None, tenant_id=None, label="system", system=True)
