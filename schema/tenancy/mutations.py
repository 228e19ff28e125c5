"""Mutations of the tenancy domain: org units, departments, users, roles, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import InvalidInputError, MutationError, run_mutation
from schema.relay import from_global_id, to_global_id
from schema.tenancy.types import ApiToken, Department, OrgUnit, User
from server.auth import service as auth_service
from server.auth.models import ApiToken as ApiTokenRow
from server.auth.principal import Principal
from server.errors import NotFound
from server.tenancy import service
from server.tenancy.roles import Role, UnitKind


@strawberry.type
class OrgUnitSaved:
    org_unit: OrgUnit


@strawberry.type
class DepartmentCreated:
    department: Department


@strawberry.type
class UserSaved:
    user: User


@strawberry.type
class ApiTokenCreated:
    api_token: ApiToken
    token: str = strawberry.field(description="Shown once; only its digest is stored.")


@strawberry.type
class ApiTokenRevoked:
    api_token: ApiToken


OrgUnitResult = Annotated[OrgUnitSaved | MutationError, strawberry.union("OrgUnitResult")]
DepartmentResult = Annotated[
    DepartmentCreated | MutationError, strawberry.union("DepartmentResult")
]
UserResult = Annotated[UserSaved | MutationError, strawberry.union("UserResult")]
ApiTokenCreateResult = Annotated[
    ApiTokenCreated | MutationError, strawberry.union("ApiTokenCreateResult")
]
ApiTokenRevokeResult = Annotated[
    ApiTokenRevoked | MutationError, strawberry.union("ApiTokenRevokeResult")
]


@strawberry.input
class CreateOrgUnitInput:
    kind: UnitKind
    code: str
    name: str
    parent_id: strawberry.ID
    name_en: str | None = None


@strawberry.input
class UpdateOrgUnitInput:
    id: strawberry.ID
    name: str | None = None
    name_en: str | None = None


@strawberry.input
class CreateUserInput:
    org_unit_id: strawberry.ID
    username: str
    display_name: str
    password: str
    email: str | None = None
    locale: str = "zh"
    department_id: strawberry.ID | None = None
    roles: list[Role] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    display_name: str | None = None
    email: str | None = None
    locale: str | None = None
    department_id: strawberry.ID | None = None


@strawberry.input
class SetPasswordInput:
    user_id: strawberry.ID
    new_password: str
    current_password: str | None = strawberry.field(
        default=None, description="Required when changing your own password."
    )


@strawberry.input
class CreateApiTokenInput:
    org_unit_id: strawberry.ID
    name: str
    role: Role
    expires_at: datetime | None = None


def _is_self(principal: Principal, user_id: str) -> bool:
    try:
        _, key = from_global_id(user_id, "User")
    except NotFound:
        return False
    return key == [principal.tenant_id, principal.user_id]


def _api_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=to_global_id("ApiToken", row.tenant_id, row.id),
        name=row.name,
        role=Role(row.role),
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        created_at=row.created_at,
    )


@strawberry.type
class TenancyMutation:
    @strawberry.mutation(description="Create a branch academy or an institute (platform admins).")
    async def create_org_unit(self, info: Info, input: CreateOrgUnitInput) -> OrgUnitResult:
        ctx = info.context

        async def work() -> OrgUnitSaved:
            _, (parent_id,) = from_global_id(input.parent_id, "OrgUnit")
            unit = await service.create_org_unit(
                ctx.session,
                ctx.principal,
                kind=input.kind,
                code=input.code,
                name=input.name,
                name_en=input.name_en,
                parent_id=parent_id,
            )
            return OrgUnitSaved(org_unit=OrgUnit.of(unit))

        return await run_mutation(info, work)

    @strawberry.mutation
    async def update_org_unit(self, info: Info, input: UpdateOrgUnitInput) -> OrgUnitResult:
        ctx = info.context

        async def work() -> OrgUnitSaved:
            _, (unit_id,) = from_global_id(input.id, "OrgUnit")
            unit = await service.update_org_unit(
                ctx.session, ctx.principal, unit_id, name=input.name, name_en=input.name_en
            )
            return OrgUnitSaved(org_unit=OrgUnit.of(unit))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Add a department to an institute (tenant admins).")
    async def create_department(
        self, info: Info, org_unit_id: strawberry.ID, name: str, kind: str = "research"
    ) -> DepartmentResult:
        ctx = info.context

        async def work() -> DepartmentCreated:
            _, (unit_id,) = from_global_id(org_unit_id, "OrgUnit")
            dept = await service.create_department(
                ctx.session, ctx.principal, unit_id=unit_id, name=name, kind=kind
            )
            return DepartmentCreated(department=Department.of(dept))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Create a user in a unit (tenant admins, own institute).")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserResult:
        ctx = info.context

        async def work() -> UserSaved:
            _, (unit_id,) = from_global_id(input.org_unit_id, "OrgUnit")
            dept = (
                from_global_id(input.department_id, "Department")[1][1]
                if input.department_id
                else None
            )
            user = await service.create_user(
                ctx.session,
                ctx.principal,
                ctx.settings,
                unit_id=unit_id,
                username=input.username,
                display_name=input.display_name,
                password=input.password,
                email=input.email,
                locale=input.locale,
                department_id=dept,
                roles=list(input.roles),
            )
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserResult:
        ctx = info.context

        async def work() -> UserSaved:
            _, (tenant_id, user_id) = from_global_id(input.id, "User")
            dept = (
                from_global_id(input.department_id, "Department")[1][1]
                if input.department_id
                else None
            )
            user = await service.update_user(
                ctx.session,
                ctx.principal,
                tenant_id,
                user_id,
                display_name=input.display_name,
                email=input.email,
                locale=input.locale,
                department_id=dept,
            )
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Disable or re-enable a user; disabling ends their sessions.")
    async def set_user_disabled(
        self, info: Info, user_id: strawberry.ID, disabled: bool
    ) -> UserResult:
        ctx = info.context

        async def work() -> UserSaved:
            _, (tenant_id, uid) = from_global_id(user_id, "User")
            user = await service.set_user_disabled(
                ctx.session, ctx.principal, tenant_id, uid, disabled=disabled
            )
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Change your password, or reset another's (administrators).")
    async def set_password(self, info: Info, input: SetPasswordInput) -> UserResult:
        ctx = info.context
        if input.current_password is not None and _is_self(ctx.principal, input.user_id):
            # Checked in a transaction of its own so that wrong answers count even when the
            # rest of the request rolls back (see server.auth.service.check_own_password).
            async with ctx.sessions() as session:
                refused = await auth_service.check_own_password(
                    session, ctx.settings, ctx.principal, input.current_password
                )
                await session.commit()
            if refused is not None:
                return InvalidInputError(
                    code=refused.code, message=refused.message, field="currentPassword"
                )

        async def work() -> UserSaved:
            _, (tenant_id, uid) = from_global_id(input.user_id, "User")
            user = await service.set_password(
                ctx.session,
                ctx.principal,
                ctx.settings,
                tenant_id,
                uid,
                new_password=input.new_password,
                current_password=input.current_password,
            )
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Give a user a role in their unit.")
    async def grant_role(self, info: Info, user_id: strawberry.ID, role: Role) -> UserResult:
        ctx = info.context

        async def work() -> UserSaved:
            _, (tenant_id, uid) = from_global_id(user_id, "User")
            user = await service.grant_role(ctx.session, ctx.principal, tenant_id, uid, role)
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Take a role away from a user.")
    async def revoke_role(self, info: Info, user_id: strawberry.ID, role: Role) -> UserResult:
        ctx = info.context

        async def work() -> UserSaved:
            _, (tenant_id, uid) = from_global_id(user_id, "User")
            user = await service.revoke_role(ctx.session, ctx.principal, tenant_id, uid, role)
            return UserSaved(user=User.of(user))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Issue an API token for another system (shown once).")
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> ApiTokenCreateResult:
        ctx = info.context

        async def work() -> ApiTokenCreated:
            _, (unit_id,) = from_global_id(input.org_unit_id, "OrgUnit")
            issued = await auth_service.create_api_token(
                ctx.session,
                ctx.principal,
                tenant_id=unit_id,
                name=input.name,
                role=input.role,
                expires_at=input.expires_at,
            )
            return ApiTokenCreated(api_token=_api_token(issued.api_token), token=issued.token)

        return await run_mutation(info, work)

    @strawberry.mutation
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> ApiTokenRevokeResult:
        ctx = info.context

        async def work() -> ApiTokenRevoked:
            _, (tenant_id, token_id) = from_global_id(id, "ApiToken")
            row = await auth_service.revoke_api_token(
                ctx.session, ctx.principal, tenant_id=tenant_id, token_id=token_id
            )
            return ApiTokenRevoked(api_token=_api_token(row))

        return await run_mutation(info, work)
