"""Queries of the tenancy domain."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.relay import Connection, connection, from_global_id
from schema.tenancy.types import OrgUnit, RoleInfo, User
from server.errors import NotFound
from server.tenancy import service
from server.tenancy.roles import Role, UnitKind


@strawberry.type(description="Who is signed in, and what they can reach.")
class Viewer:
    user: User | None
    org_unit: OrgUnit | None
    roles: list[RoleInfo]
    sees_all_units: bool
    locale: str


async def viewer(info: Info) -> Viewer | None:
    ctx = info.context
    p = ctx.principal
    if not p.authenticated or p.tenant_id is None:
        return None
    user = None
    if p.user_id is not None:
        user = User.of(await service.get_user(ctx.session, p, p.tenant_id, p.user_id))
    unit = await ctx.loaders.org_unit_by_id.load(p.tenant_id)
    return Viewer(
        user=user,
        org_unit=OrgUnit.of(unit) if unit else None,
        roles=[RoleInfo.of(r) for r in sorted(p.roles)],
        sees_all_units=p.sees_all,
        locale=p.locale,
    )


async def org_unit(info: Info, id: strawberry.ID) -> OrgUnit | None:
    ctx = info.context
    try:
        _, (unit_id,) = from_global_id(id, "OrgUnit")
        return OrgUnit.of(await service.get_org_unit(ctx.session, ctx.principal, unit_id))
    except NotFound:
        return None


async def org_units(
    info: Info,
    kind: UnitKind | None = None,
    parent_id: strawberry.ID | None = None,
    first: int = 50,
    after: str | None = None,
) -> Connection[OrgUnit]:
    ctx = info.context
    parent = from_global_id(parent_id, "OrgUnit")[1][0] if parent_id else None
    page = await service.list_org_units(
        ctx.session,
        ctx.principal,
        kind=kind,
        parent_id=parent,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, OrgUnit.of)


async def user(info: Info, id: strawberry.ID) -> User | None:
    ctx = info.context
    try:
        _, (tenant_id, user_id) = from_global_id(id, "User")
        return User.of(await service.get_user(ctx.session, ctx.principal, tenant_id, user_id))
    except NotFound:
        return None


async def users(
    info: Info, org_unit_id: strawberry.ID | None = None, first: int = 50, after: str | None = None
) -> Connection[User]:
    ctx = info.context
    unit = from_global_id(org_unit_id, "OrgUnit")[1][0] if org_unit_id else None
    page = await service.list_users(
        ctx.session,
        ctx.principal,
        unit_id=unit,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, User.of)


def roles() -> list[RoleInfo]:
    return [RoleInfo.of(r) for r in Role]


@strawberry.type
class TenancyQuery:
    viewer: Viewer | None = strawberry.field(resolver=viewer)
    org_unit: OrgUnit | None = strawberry.field(resolver=org_unit)
    org_units: Connection[OrgUnit] = strawberry.field(resolver=org_units)
    user: User | None = strawberry.field(resolver=user)
    users: Connection[User] = strawberry.field(resolver=users)
    roles: list[RoleInfo] = strawberry.field(resolver=roles, description="Every role there is.")
