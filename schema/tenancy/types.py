"""GraphQL types of the tenancy domain. Scalars resolve from plain attributes (cheap per field)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from schema.context import Info
from schema.relay import Connection, Node, connection, to_global_id
from server.tenancy import models, service
from server.tenancy.roles import ROLE_TITLES_ZH, ROLE_UNIT_KIND, Role, UnitKind

# The domain's enums are the GraphQL enums (registered here, used as they are everywhere).
strawberry.enum(UnitKind, name="UnitKind", description="HQ, branch or institute.")
strawberry.enum(Role, name="Role", description="Roles named after the guidance (ORG-*).")


@strawberry.type(description="A role as the guidance names it.")
class RoleInfo:
    role: Role
    title_zh: str
    unit_kind: UnitKind

    @classmethod
    def of(cls, role: Role) -> RoleInfo:
        return cls(role=role, title_zh=ROLE_TITLES_ZH[role], unit_kind=ROLE_UNIT_KIND[role])


@strawberry.type(description="A department inside an institute.")
class Department(Node):
    name: str
    kind: str

    @classmethod
    def of(cls, d: models.Department) -> Department:
        return cls(id=to_global_id("Department", d.tenant_id, d.id), name=d.name, kind=d.kind)


@strawberry.type(description="HQ (院机关), a branch academy (分院) or an institute (院属单位).")
class OrgUnit(Node):
    kind: UnitKind
    code: str
    name: str
    name_en: str | None
    parent_id: strawberry.Private[uuid.UUID | None]
    unit_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, u: models.OrgUnit) -> OrgUnit:
        return cls(
            id=to_global_id("OrgUnit", u.id),
            kind=UnitKind(u.kind),
            code=u.code,
            name=u.name,
            name_en=u.name_en,
            parent_id=u.parent_id,
            unit_id=u.id,
        )

    @strawberry.field(description="The unit this one reports to, when the viewer can see it.")
    async def parent(self, info: Info) -> OrgUnit | None:
        if self.parent_id is None:
            return None
        unit = await info.context.loaders.org_unit_by_id.load(self.parent_id)
        return OrgUnit.of(unit) if unit is not None else None

    @strawberry.field
    async def departments(self, info: Info) -> list[Department]:
        ctx = info.context
        rows = await service.list_departments(ctx.session, ctx.principal, self.unit_id)
        return [Department.of(d) for d in rows]

    @strawberry.field(description="People of this unit, by username.")
    async def users(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[User]:
        ctx = info.context
        page = await service.list_users(
            ctx.session,
            ctx.principal,
            unit_id=self.unit_id,
            first=first,
            after=after,
            max_size=ctx.settings.page_size_max,
        )
        return connection(page, User.of)


@strawberry.type(description="A person with roles in their unit.")
class User(Node):
    username: str
    display_name: str
    email: str | None
    locale: str
    disabled: bool
    created_at: datetime
    department_id: strawberry.ID | None = strawberry.field(
        description="The person's department in an institute, if one is set."
    )
    tenant_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, u: models.User) -> User:
        return cls(
            id=to_global_id("User", u.tenant_id, u.id),
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            locale=u.locale,
            disabled=u.disabled,
            created_at=u.created_at,
            department_id=to_global_id("Department", u.tenant_id, u.department_id)
            if u.department_id
            else None,
            tenant_id=u.tenant_id,
            user_id=u.id,
        )

    @strawberry.field(description="The org unit the person belongs to.")
    async def org_unit(self, info: Info) -> OrgUnit:
        unit = await info.context.loaders.org_unit_by_id.load(self.tenant_id)
        assert unit is not None, "a visible user's unit is visible"
        return OrgUnit.of(unit)

    @strawberry.field(description="Roles held in the person's unit (memberships).")
    async def roles(self, info: Info) -> list[RoleInfo]:
        rows = await info.context.loaders.memberships_by_user.load((self.tenant_id, self.user_id))
        return [RoleInfo.of(Role(m.role)) for m in rows]


@strawberry.type(description="A token for another system, bound to one unit and one role.")
class ApiToken(Node):
    name: str
    role: Role
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
