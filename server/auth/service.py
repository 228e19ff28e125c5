"""Sign-in, token refresh and revocation, API tokens, and building the request principal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server import audit
from server.auth import passwords, tokens
from server.auth.models import ApiToken, AuthSession, LoginAttempt
from server.auth.principal import ANONYMOUS, Grant, Principal
from server.authz import Target, authorize
from server.config import Settings
from server.db.base import utcnow
from server.db.engine import scope
from server.errors import InvalidInput, NotFound, Unauthenticated
from server.tenancy.models import Membership, OrgUnit, User
from server.tenancy.roles import ROLE_UNIT_KIND, Role, UnitKind

log = structlog.get_logger(__name__)

REFRESH_PREFIX = "srt"
API_TOKEN_PREFIX = "stk"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class SignedIn:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True)
class LoginRefused:
    """A refused sign-in is a result, not an exception: its failure counters must be committed."""

    code: str
    message: str
    retry_after: int | None = None


# ---------------------------------------------------------------------------------------------
# Principal


async def principal_for_user(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    session_id: uuid.UUID | None = None,
) -> Principal | None:
    """Load a user's roles in one statement and put their visible tenants into the transaction.

    Returns None when the user is unknown or disabled, or the sign-in session is no longer valid.
    """
    await scope(session, [tenant_id])
    roles = (
        select(func.array_agg(Membership.role))
        .where(Membership.tenant_id == User.tenant_id, Membership.user_id == User.id)
        .scalar_subquery()
    )
    child = aliased(OrgUnit)
    children = (
        select(func.array_agg(child.id)).where(child.parent_id == User.tenant_id)
    ).scalar_subquery()
    stmt = (
        select(User, OrgUnit.kind, roles, children)
        .join(OrgUnit, OrgUnit.id == User.tenant_id)
        .where(User.tenant_id == tenant_id, User.id == user_id, User.disabled.is_(False))
    )
    if session_id is not None:
        stmt = stmt.join(
            AuthSession,
            and_(
                AuthSession.tenant_id == User.tenant_id,
                AuthSession.user_id == User.id,
                AuthSession.id == session_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > func.now(),
            ),
        )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    user, kind, role_names, child_ids = row
    principal = build_principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        label=user.display_name,
        unit_kind=UnitKind(kind),
        roles=[Role(r) for r in role_names or []],
        children=child_ids or [],
        session_id=session_id,
        locale=user.locale,
    )
    await scope(session, principal.visible_tenants())
    return principal


def build_principal(
    *,
    user_id: uuid.UUID | None,
    tenant_id: uuid.UUID,
    label: str,
    unit_kind: UnitKind,
    roles: list[Role],
    children: list[uuid.UUID],
    session_id: uuid.UUID | None = None,
    api_token_id: uuid.UUID | None = None,
    locale: str = "zh",
) -> Principal:
    supervised = frozenset(children) if unit_kind is UnitKind.BRANCH else frozenset()
    grants = tuple(
        Grant(role=r, unit_id=tenant_id, unit_kind=unit_kind, supervised=supervised)
        for r in sorted(set(roles))
        # A role held in the wrong kind of unit grants nothing (defence against bad data).
        if ROLE_UNIT_KIND[r] is unit_kind
    )
    return Principal(
        user_id=user_id,
        tenant_id=tenant_id,
        label=label,
        grants=grants,
        session_id=session_id,
        api_token_id=api_token_id,
        locale=locale,
    )


async def principal_from_bearer(
    session: AsyncSession, settings: Settings, bearer: str | None
) -> Principal:
    """The principal for an `Authorization: Bearer` value; anonymous without one."""
    if not bearer:
        await scope(session, [])
        return ANONYMOUS
    if bearer.startswith(API_TOKEN_PREFIX + "_"):
        return await _principal_from_api_token(session, bearer)
    claims = tokens.read_access_token(settings.secret_key, bearer)
    principal = await principal_for_user(
        session, tenant_id=claims.tenant_id, user_id=claims.user_id, session_id=claims.session_id
    )
    if principal is None:
        raise Unauthenticated("Your sign-in is no longer valid; sign in again.")
    return principal


async def _principal_from_api_token(session: AsyncSession, token: str) -> Principal:
    tenant_id, token_id, secret = tokens.parse(API_TOKEN_PREFIX, token)
    await scope(session, [tenant_id])
    row = (
        await session.execute(
            select(ApiToken, OrgUnit.kind, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == ApiToken.tenant_id)
            .where(ApiToken.tenant_id == tenant_id, ApiToken.id == token_id)
        )
    ).one_or_none()
    if row is None or not tokens.matches(row[0].token_hash, secret):
        raise Unauthenticated("The API token is not valid.")
    api_token, kind, unit_name = row
    now = utcnow()
    if api_token.revoked_at is not None or (api_token.expires_at and api_token.expires_at <= now):
        raise Unauthenticated("The API token has been revoked or has expired.")
    # Write at most once a minute: keeps read-only API traffic from writing every request.
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        api_token.last_used_at = now
    principal = build_principal(
        user_id=None,
        tenant_id=tenant_id,
        label=f"API token {api_token.name} ({unit_name})",
        unit_kind=UnitKind(kind),
        roles=[Role(api_token.role)],
        children=[],
        api_token_id=api_token.id,
    )
    await scope(session, principal.visible_tenants())
    return principal


# ---------------------------------------------------------------------------------------------
# Sign-in


async def login(
    session: AsyncSession,
    settings: Settings,
    *,
    username: str,
    password: str,
    address: str,
    user_agent: str | None,
) -> SignedIn | LoginRefused:
    """Check a password, with throttling per address and lock-out per account."""
    now = utcnow()
    retry = await _address_retry_after(session, settings, address, now)
    if retry:
        return LoginRefused("THROTTLED", "Too many failed sign-ins from your address.", retry)

    found = (
        await session.execute(
            text("SELECT tenant_id, user_id FROM auth_find_login(:u)"), {"u": username.strip()}
        )
    ).one_or_none()
    user: User | None = None
    if found is not None:
        await scope(session, [found.tenant_id])
        user = await session.get(User, (found.tenant_id, found.user_id), with_for_update=True)

    if user is not None and (refused := _locked(user, now)) is not None:
        return refused

    if user is None or not passwords.verify_password(user.password_hash, password):
        await _record_address_failure(session, settings, address, now)
        if user is not None:
            _record_user_failure(settings, user, now)
        return LoginRefused("BAD_CREDENTIALS", "Wrong username or password.")

    if user.disabled:
        return LoginRefused("DISABLED", "The account is disabled; ask your unit's administrator.")

    user.failed_logins = 0
    user.locked_until = None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return await _open_session(session, settings, user, address=address, user_agent=user_agent)


def _record_user_failure(settings: Settings, user: User, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
        user.failed_logins = 0
        log.warning("account_locked", user_id=str(user.id), tenant_id=str(user.tenant_id))


def _locked(user: User, now: datetime) -> LoginRefused | None:
    if user.locked_until is not None and user.locked_until > now:
        retry_after = int((user.locked_until - now).total_seconds()) + 1
        return LoginRefused("LOCKED", "The account is locked after failed sign-ins.", retry_after)
    return None


async def check_own_password(
    session: AsyncSession, settings: Settings, principal: Principal, password: str
) -> LoginRefused | None:
    """Check the signed-in user's current password under the sign-in lock-out rules.

    A stolen access token must not become an unlimited password oracle: wrong answers count
    towards the same lock-out as failed sign-ins. None means the password is right.
    """
    if principal.user_id is None or principal.tenant_id is None:
        return LoginRefused("BAD_CREDENTIALS", "Only a signed-in person has a password.")
    await scope(session, [principal.tenant_id])
    user = await session.get(User, (principal.tenant_id, principal.user_id), with_for_update=True)
    now = utcnow()
    if user is None:
        return LoginRefused("BAD_CREDENTIALS", "The current password is wrong.")
    refused = _locked(user, now)
    if refused is not None:
        return refused
    if not passwords.verify_password(user.password_hash, password):
        _record_user_failure(settings, user, now)
        return LoginRefused("BAD_CREDENTIALS", "The current password is wrong.")
    return None


async def _address_retry_after(
    session: AsyncSession, settings: Settings, address: str, now: datetime
) -> int:
    row = await session.get(LoginAttempt, address)
    if row is None:
        return 0
    window_end = row.window_start + timedelta(seconds=settings.login_address_window_seconds)
    if window_end <= now or row.failures < settings.login_address_max_attempts:
        return 0
    return int((window_end - now).total_seconds()) + 1


async def _record_address_failure(
    session: AsyncSession, settings: Settings, address: str, now: datetime
) -> None:
    window_open = now - timedelta(seconds=settings.login_address_window_seconds)
    stmt = insert(LoginAttempt).values(address=address, window_start=now, failures=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginAttempt.address],
        set_={
            "failures": case(
                (LoginAttempt.window_start < window_open, 1), else_=LoginAttempt.failures + 1
            ),
            "window_start": case(
                (LoginAttempt.window_start < window_open, now), else_=LoginAttempt.window_start
            ),
        },
    )
    await session.execute(stmt)


async def _open_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    address: str | None,
    user_agent: str | None,
) -> SignedIn:
    secret, secret_digest = tokens.new_secret()
    expires = utcnow() + timedelta(seconds=settings.refresh_token_ttl)
    auth_session = AuthSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        refresh_hash=secret_digest,
        expires_at=expires,
        address=address,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(auth_session)
    await session.flush()
    return _tokens_for(settings, user, auth_session, secret)


def _tokens_for(settings: Settings, user: User, auth_session: AuthSession, secret: str) -> SignedIn:
    access, access_expires = tokens.issue_access_token(
        settings.secret_key,
        user_id=user.id,
        tenant_id=user.tenant_id,
        session_id=auth_session.id,
        ttl=settings.access_token_ttl,
    )
    return SignedIn(
        user=user,
        access_token=access,
        access_expires_at=access_expires,
        refresh_token=tokens.compose(REFRESH_PREFIX, user.tenant_id, auth_session.id, secret),
        refresh_expires_at=auth_session.expires_at,
    )


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> SignedIn:
    """Rotate the refresh token; a stale one presented again revokes the whole session."""
    tenant_id, session_id, secret = tokens.parse(REFRESH_PREFIX, refresh_token)
    await scope(session, [tenant_id])
    auth_session = await session.get(AuthSession, (tenant_id, session_id), with_for_update=True)
    now = utcnow()
    if auth_session is None or auth_session.revoked_at is not None:
        raise Unauthenticated("The sign-in session has ended; sign in again.")
    if auth_session.expires_at <= now:
        raise Unauthenticated("The sign-in session has expired; sign in again.")
    if not tokens.matches(auth_session.refresh_hash, secret):
        auth_session.revoked_at = now
        auth_session.revoked_reason = "refresh_token_reused"
        log.warning("refresh_token_reused", session_id=str(session_id), tenant_id=str(tenant_id))
        # Committed although the caller sees an error: see schema/auth/mutations.py.
        raise Unauthenticated("The refresh token was already used; sign in again.")
    user = await session.get(User, (tenant_id, auth_session.user_id))
    if user is None or user.disabled:
        auth_session.revoked_at = now
        auth_session.revoked_reason = "user_disabled"
        raise Unauthenticated("The account is disabled.")
    new_secret, new_digest = tokens.new_secret()
    auth_session.refresh_hash = new_digest
    auth_session.rotations += 1
    await session.flush()
    return _tokens_for(settings, user, auth_session, new_secret)


async def logout(session: AsyncSession, principal: Principal, refresh_token: str | None) -> bool:
    """End the session named by the access token (or the refresh token); idempotent."""
    if principal.session_id is not None and principal.tenant_id is not None:
        tenant_id, session_id = principal.tenant_id, principal.session_id
    elif refresh_token:
        tenant_id, session_id, _ = tokens.parse(REFRESH_PREFIX, refresh_token)
    else:
        return False
    await scope(session, [tenant_id])
    result = await session.execute(
        update(AuthSession)
        .where(
            AuthSession.tenant_id == tenant_id,
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )
    return bool(getattr(result, "rowcount", 0))


async def revoke_user_sessions(session: AsyncSession, user: User, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.tenant_id == user.tenant_id,
            AuthSession.user_id == user.id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


# ---------------------------------------------------------------------------------------------
# API tokens


@dataclass(frozen=True)
class IssuedApiToken:
    api_token: ApiToken
    token: str  # shown once; only its digest is stored


async def create_api_token(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: uuid.UUID,
    name: str,
    role: Role,
    expires_at: datetime | None,
) -> IssuedApiToken:
    authorize(principal, "manage", Target("api_token", tenant_id))
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", field="name")
    unit = await session.get(OrgUnit, tenant_id)
    if unit is None:
        raise NotFound("No such org unit.")
    if ROLE_UNIT_KIND[role].value != unit.kind:
        raise InvalidInput(f"The role {role.value} cannot be held in this unit.", field="role")
    if role in {Role.TENANT_ADMIN, Role.PLATFORM_ADMIN}:
        raise InvalidInput("API tokens cannot carry administrator roles.", field="role")
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInput("The expiry must be in the future.", field="expiresAt")
    secret, secret_digest = tokens.new_secret()
    assert principal.user_id is not None
    row = ApiToken(
        tenant_id=tenant_id,
        name=name,
        role=role.value,
        token_hash=secret_digest,
        created_by=principal.user_id,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="api_token.create",
        object_type="api_token",
        object_id=row.id,
        changes={"name": name, "role": role.value, "expires_at": expires_at},
    )
    return IssuedApiToken(row, tokens.compose(API_TOKEN_PREFIX, tenant_id, row.id, secret))


async def revoke_api_token(
    session: AsyncSession, principal: Principal, *, tenant_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken:
    row = await session.get(ApiToken, (tenant_id, token_id))
    if row is None:
        raise NotFound("No such API token.")
    authorize(principal, "manage", Target("api_token", tenant_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await audit.record(
            session,
            principal,
            tenant_id=tenant_id,
            action="api_token.revoke",
            object_type="api_token",
            object_id=row.id,
            changes={"revoked_at": row.revoked_at},
        )
    return row
