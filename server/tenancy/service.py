"""The rules of the tenancy domain: org units, departments, users and their roles.

Functions take `session, principal` first; they never commit (the request boundary does).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth import passwords
from server.auth.principal import Principal
from server.auth.service import revoke_user_sessions
from server.authz import Target, authorize, is_allowed
from server.config import Settings
from server.db.base import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.pagination import Page, paginate
from server.tenancy.models import Department, Login, Membership, OrgUnit, User
from server.tenancy.roles import ROLE_UNIT_KIND, Role, UnitKind

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
PARENT_KIND = {UnitKind.BRANCH: UnitKind.HQ, UnitKind.INSTITUTE: UnitKind.BRANCH}
LOCALES = {"zh", "en"}


def _text(value: str, field: str, *, max_len: int) -> str:
    value = value.strip()
    if not value or len(value) > max_len or any(ord(c) < 32 for c in value):
        raise InvalidInput(f"Give {field} as 1 to {max_len} printable characters.", field=field)
    return value


# ---------------------------------------------------------------------------------------------
# Org units


async def get_org_unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> OrgUnit:
    unit = await session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("No such org unit.")
    authorize(principal, "read", unit)
    return unit


async def list_org_units(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: UnitKind | None,
    parent_id: uuid.UUID | None,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[OrgUnit]:
    """Row-level security limits the rows; the gate is applied on each one that comes back."""
    stmt = select(OrgUnit)
    if kind is not None:
        stmt = stmt.where(OrgUnit.kind == kind.value)
    if parent_id is not None:
        stmt = stmt.where(OrgUnit.parent_id == parent_id)
    page = await paginate(session, stmt, OrgUnit.code, first=first, after=after, max_size=max_size)
    return page.keep(lambda unit: is_allowed(principal, "read", unit))


async def create_org_unit(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: UnitKind,
    code: str,
    name: str,
    name_en: str | None,
    parent_id: uuid.UUID | None,
) -> OrgUnit:
    if kind is UnitKind.HQ:
        raise InvalidInput(
            "There is one HQ; it is created when the platform is installed.", field="kind"
        )
    if parent_id is None:
        raise InvalidInput("Name the unit this one reports to.", field="parentId")
    parent = await get_org_unit(session, principal, parent_id)
    authorize(principal, "manage", parent)
    if parent.kind != PARENT_KIND[kind].value:
        raise InvalidInput(
            f"A {kind.value} reports to a {PARENT_KIND[kind].value}, not a {parent.kind}.",
            field="parentId",
        )
    if not CODE.match(code):
        raise InvalidInput("A code is 2 to 32 letters, digits, '-' or '_'.", field="code")
    unit = OrgUnit(
        kind=kind.value,
        code=code,
        name=_text(name, "name", max_len=200),
        name_en=_text(name_en, "nameEn", max_len=200) if name_en else None,
        parent_id=parent.id,
    )
    session.add(unit)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"The code {code} is taken.", field="code") from exc
    await audit.record(
        session,
        principal,
        tenant_id=unit.id,
        action="org_unit.create",
        object_type="org_unit",
        object_id=unit.id,
        changes={"kind": kind.value, "code": code, "name": unit.name, "parent_id": parent.id},
    )
    return unit


async def update_org_unit(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    *,
    name: str | None,
    name_en: str | None,
) -> OrgUnit:
    unit = await get_org_unit(session, principal, unit_id)
    authorize(principal, "manage", unit)
    changes: dict[str, object] = {}
    if name is not None and name.strip() != unit.name:
        unit.name = changes["name"] = _text(name, "name", max_len=200)
    if name_en is not None and name_en.strip() != (unit.name_en or ""):
        unit.name_en = changes["name_en"] = _text(name_en, "nameEn", max_len=200)
    if changes:
        await audit.record(
            session,
            principal,
            tenant_id=unit.id,
            action="org_unit.update",
            object_type="org_unit",
            object_id=unit.id,
            changes=changes,
        )
    return unit


# ---------------------------------------------------------------------------------------------
# Departments


async def list_departments(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> Sequence[Department]:
    authorize(principal, "read", Target("department", unit_id))
    rows = await session.execute(
        select(Department).where(Department.tenant_id == unit_id).order_by(Department.name)
    )
    return rows.scalars().all()


async def create_department(
    session: AsyncSession, principal: Principal, *, unit_id: uuid.UUID, name: str, kind: str
) -> Department:
    unit = await get_org_unit(session, principal, unit_id)
    authorize(principal, "manage", Target("department", unit.id))
    if unit.kind != UnitKind.INSTITUTE.value:
        raise InvalidInput("Departments belong to institutes.", field="unitId")
    dept = Department(
        tenant_id=unit.id,
        name=_text(name, "name", max_len=200),
        kind=_text(kind, "kind", max_len=32),
    )
    session.add(dept)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "The institute already has a department of that name.", field="name"
        ) from exc
    await audit.record(
        session,
        principal,
        tenant_id=unit.id,
        action="department.create",
        object_type="department",
        object_id=dept.id,
        changes={"name": dept.name, "kind": dept.kind},
    )
    return dept


# ---------------------------------------------------------------------------------------------
# Users


async def get_user(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> User:
    user = await session.get(User, (tenant_id, user_id))
    if user is None:
        raise NotFound("No such user.")
    if not (is_allowed(principal, "read", user) or is_allowed(principal, "update_self", user)):
        authorize(principal, "read", user)
    return user


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[User]:
    stmt = select(User)
    if unit_id is not None:
        authorize(principal, "read", Target("user", unit_id))
        stmt = stmt.where(User.tenant_id == unit_id)
    page = await paginate(session, stmt, User.username, first=first, after=after, max_size=max_size)
    return page.keep(lambda user: is_allowed(principal, "read", user))


async def create_user(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    *,
    unit_id: uuid.UUID,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
    locale: str = "zh",
    department_id: uuid.UUID | None = None,
    roles: Sequence[Role] = (),
) -> User:
    unit = await get_org_unit(session, principal, unit_id)
    authorize(principal, "manage", Target("user", unit.id))
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "A username is 3 to 64 lower-case letters, digits, '.', '_' or '-'.", field="username"
        )
    passwords.check_password_rules(
        password, min_length=settings.password_min_length, username=username
    )
    if locale not in LOCALES:
        raise InvalidInput("The language is zh or en.", field="locale")
    if email is not None and (len(email) > 254 or "@" not in email):
        raise InvalidInput("The e-mail address is not valid.", field="email")
    if department_id is not None:
        await _department(session, unit.id, department_id)
    for role in roles:
        _check_role_fits(role, unit)
    user = User(
        tenant_id=unit.id,
        username=username,
        display_name=_text(display_name, "displayName", max_len=200),
        email=email,
        locale=locale,
        department_id=department_id,
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
            session.add(Login(username=username, tenant_id=unit.id, user_id=user.id))
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"The username {username} is taken.", field="username") from exc
    await audit.record(
        session,
        principal,
        tenant_id=unit.id,
        action="user.create",
        object_type="user",
        object_id=user.id,
        changes={
            "username": username,
            "display_name": user.display_name,
            "email": email,
            "locale": locale,
            "department_id": department_id,
        },
    )
    for role in roles:
        await _grant(session, principal, user, role)
    return user


def _check_role_fits(role: Role, unit: OrgUnit) -> None:
    if ROLE_UNIT_KIND[role].value != unit.kind:
        raise InvalidInput(
            f"The role {role.value} is held in a {ROLE_UNIT_KIND[role].value}, not a {unit.kind}.",
            field="role",
        )


async def _department(
    session: AsyncSession, tenant_id: uuid.UUID, department_id: uuid.UUID
) -> Department:
    dept = await session.get(Department, (tenant_id, department_id))
    if dept is None:
        raise InvalidInput("No such department in this institute.", field="departmentId")
    return dept


async def update_user(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    display_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
    department_id: uuid.UUID | None = None,
) -> User:
    user = await get_user(session, principal, tenant_id, user_id)
    if is_allowed(principal, "manage", user):
        pass
    elif department_id is None and display_name is None and email is None:
        # Everyone may change their own language.
        authorize(principal, "update_self", user)
    else:
        authorize(principal, "manage", user)
    changes: dict[str, object] = {}
    if display_name is not None:
        user.display_name = changes["display_name"] = _text(
            display_name, "displayName", max_len=200
        )
    if email is not None:
        if len(email) > 254 or "@" not in email:
            raise InvalidInput("The e-mail address is not valid.", field="email")
        user.email = changes["email"] = email
    if locale is not None:
        if locale not in LOCALES:
            raise InvalidInput("The language is zh or en.", field="locale")
        user.locale = changes["locale"] = locale
    if department_id is not None:
        await _department(session, user.tenant_id, department_id)
        user.department_id = department_id
        changes["department_id"] = department_id
    if changes:
        await audit.record(
            session,
            principal,
            tenant_id=user.tenant_id,
            action="user.update",
            object_type="user",
            object_id=user.id,
            changes=changes,
        )
    return user


async def set_user_disabled(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    disabled: bool,
) -> User:
    user = await get_user(session, principal, tenant_id, user_id)
    authorize(principal, "manage", user)
    if disabled and user.id == principal.user_id:
        raise InvalidInput("You cannot disable your own account.", field="userId")
    if user.disabled != disabled:
        user.disabled = disabled
        if disabled:
            await revoke_user_sessions(session, user, "user_disabled")
        else:
            user.failed_logins = 0
            user.locked_until = None
        await audit.record(
            session,
            principal,
            tenant_id=user.tenant_id,
            action="user.disable" if disabled else "user.enable",
            object_type="user",
            object_id=user.id,
            changes={"disabled": disabled},
        )
    return user


async def set_password(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    new_password: str,
    current_password: str | None,
) -> User:
    """Your own password needs the current one; an administrator's reset does not."""
    user = await get_user(session, principal, tenant_id, user_id)
    if user.id == principal.user_id:
        authorize(principal, "update_self", user)
        if current_password is None or not passwords.verify_password(
            user.password_hash, current_password
        ):
            raise InvalidInput("The current password is wrong.", field="currentPassword")
    else:
        authorize(principal, "manage", user)
    passwords.check_password_rules(
        new_password, min_length=settings.password_min_length, username=user.username
    )
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    await revoke_user_sessions(session, user, "password_changed")
    await audit.record(
        session,
        principal,
        tenant_id=user.tenant_id,
        action="user.set_password",
        object_type="user",
        object_id=user.id,
        changes={"by_admin": user.id != principal.user_id},
    )
    return user


# ---------------------------------------------------------------------------------------------
# Memberships (roles)


async def memberships_of(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], list[Membership]]:
    """Roles of many users in one statement (the DataLoader's batch)."""
    found: dict[tuple[uuid.UUID, uuid.UUID], list[Membership]] = {k: [] for k in keys}
    if not keys:
        return found
    tenants = {t for t, _ in keys}
    users = {u for _, u in keys}
    rows = await session.execute(
        select(Membership)
        .where(Membership.tenant_id.in_(tenants), Membership.user_id.in_(users))
        .order_by(Membership.role)
    )
    for m in rows.scalars():
        if (m.tenant_id, m.user_id) in found:
            found[(m.tenant_id, m.user_id)].append(m)
    return found


async def grant_role(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    role: Role,
) -> User:
    user = await get_user(session, principal, tenant_id, user_id)
    await _grant(session, principal, user, role)
    return user


async def _grant(session: AsyncSession, principal: Principal, user: User, role: Role) -> None:
    authorize(principal, "manage", Target("membership", user.tenant_id))
    unit = await session.get(OrgUnit, user.tenant_id)
    assert unit is not None
    _check_role_fits(role, unit)
    exists = await session.scalar(
        select(Membership.id).where(
            Membership.tenant_id == user.tenant_id,
            Membership.user_id == user.id,
            Membership.role == role.value,
        )
    )
    if exists is not None:
        return
    m = Membership(
        tenant_id=user.tenant_id, user_id=user.id, role=role.value, granted_by=principal.user_id
    )
    session.add(m)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=user.tenant_id,
        action="membership.grant",
        object_type="user",
        object_id=user.id,
        changes={"role": role.value},
    )


async def revoke_role(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    role: Role,
) -> User:
    user = await get_user(session, principal, tenant_id, user_id)
    authorize(principal, "manage", Target("membership", user.tenant_id))
    if role in {Role.TENANT_ADMIN, Role.PLATFORM_ADMIN} and user.id == principal.user_id:
        raise InvalidInput("You cannot remove your own administrator role.", field="role")
    result = await session.execute(
        delete(Membership).where(
            Membership.tenant_id == user.tenant_id,
            Membership.user_id == user.id,
            Membership.role == role.value,
        )
    )
    if getattr(result, "rowcount", 0):
        await audit.record(
            session,
            principal,
            tenant_id=user.tenant_id,
            action="membership.revoke",
            object_type="user",
            object_id=user.id,
            changes={"role": role.value},
        )
    return user
