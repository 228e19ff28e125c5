"""Sign-in, lock-out and throttling, refresh rotation, logout, access and API tokens, passwords.

These are platform rules (account security), not guidance rules, so the tests carry no rule IDs.
Every test that changes a user's state works on a user of its own (unique username), so the
session-wide demo sign-ins in `tokens` stay valid.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import server.db.engine
from schema.relay import to_global_id
from server.app import create_app
from server.auth.principal import SYSTEM
from server.auth.tokens import issue_access_token
from server.config import Settings
from server.tenancy.models import OrgUnit
from server.tenancy.roles import Role
from server.tenancy.service import create_user

IPH_ADMIN = "iph.tenant-admin"
IOC_ADMIN = "ioc.tenant-admin"
IPH_RESEARCHER = "iph.researcher"
IOC_RESEARCHER = "ioc.researcher"
REFRESH_COOKIE = "stsec_refresh"

LOGIN = """
mutation($u: String!, $p: String!, $d: RefreshDelivery!) {
  login(username: $u, password: $p, delivery: $d) {
    __typename
    ... on SignedIn {
      accessToken refreshToken accessExpiresAt refreshExpiresAt user { id username }
    }
    ... on UserError { code message field }
    ... on ThrottledError { retryAfter }
  }
}
"""

REFRESH = """
mutation($t: String, $d: RefreshDelivery!) {
  refresh(refreshToken: $t, delivery: $d) {
    __typename
    ... on SignedIn { accessToken refreshToken user { username } }
    ... on UserError { code message }
  }
}
"""

LOGOUT = "mutation($t: String) { logout(refreshToken: $t) { ended } }"
VIEWER = "{ viewer { user { id username } orgUnit { code } roles { role } } }"


# ---------------------------------------------------------------------------------------------
# Helpers


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = {"authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
    )


async def ok(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await gql(client, query, variables, token=token, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def login(
    client: httpx.AsyncClient, username: str, password: str, delivery: str = "BODY"
) -> dict[str, Any]:
    data = await ok(client, LOGIN, {"u": username, "p": password, "d": delivery})
    return data["login"]  # type: ignore[no-any-return]


async def signed_in(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    result = await login(client, username, password)
    assert result["__typename"] == "SignedIn", result
    return result


async def refresh(
    client: httpx.AsyncClient, token: str | None, delivery: str = "BODY", **kw: Any
) -> dict[str, Any]:
    data = await ok(client, REFRESH, {"t": token, "d": delivery}, **kw)
    return data["refresh"]  # type: ignore[no-any-return]


async def assert_401(client: httpx.AsyncClient, token: str) -> httpx.Response:
    response = await gql(client, VIEWER, token=token)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    return response


def new_password() -> str:
    return f"Pw-{uuid.uuid4().hex[:10]}-Zq9"


@dataclasses.dataclass(frozen=True)
class Person:
    username: str
    password: str
    tenant_id: uuid.UUID
    user_id: uuid.UUID

    @property
    def gid(self) -> str:
        return to_global_id("User", self.tenant_id, self.user_id)


async def make_person(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    unit_code: str = "IPH",
    prefix: str = "auth",
    role: Role = Role.RESEARCHER,
) -> Person:
    """A user of its own, created through the service as SYSTEM (no audit noise for others)."""
    username = f"{prefix}-{uuid.uuid4().hex[:10]}"
    password = new_password()
    async with sessions() as session:
        await server.db.engine.scope(session, "*")
        unit = (
            await session.execute(select(OrgUnit).where(OrgUnit.code == unit_code))
        ).scalar_one()
        user = await create_user(
            session,
            SYSTEM,
            settings,
            unit_id=unit.id,
            username=username,
            display_name=f"Test {username}",
            password=password,
            roles=[role],
        )
        await session.commit()
        return Person(username, password, user.tenant_id, user.id)


@pytest.fixture
async def fresh_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookie jar, so a cookie set here never leaks into other tests."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _refresh_set_cookie(response: httpx.Response) -> str:
    found = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{REFRESH_COOKIE}=")
    ]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


async def unit_gid(client: httpx.AsyncClient, tokens: dict[str, str], username: str) -> str:
    data = await ok(client, "{ viewer { orgUnit { id } } }", token=tokens[username])
    return data["viewer"]["orgUnit"]["id"]  # type: ignore[no-any-return]


async def user_gid(client: httpx.AsyncClient, tokens: dict[str, str], username: str) -> str:
    data = await ok(client, VIEWER, token=tokens[username])
    return data["viewer"]["user"]["id"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Sign-in


async def test_login_with_cookie_delivery_sets_strict_httponly_cookie(
    fresh_client: httpx.AsyncClient, demo_users: Any, settings: Settings
):
    user = demo_users[IPH_RESEARCHER]
    # COOKIE is the default delivery: leave it out.
    response = await gql(
        fresh_client,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { __typename "
        "... on SignedIn { accessToken refreshToken refreshExpiresAt user { username } } } }",
        {"u": user.username, "p": user.password},
    )
    assert response.status_code == 200, response.text
    result = response.json()["data"]["login"]
    assert result["__typename"] == "SignedIn"
    assert result["accessToken"]
    assert result["refreshToken"] is None
    assert result["user"]["username"] == user.username

    cookie = _refresh_set_cookie(response)
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/graphql" in attributes
    assert f"max-age={settings.refresh_token_ttl}" in attributes
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert value.startswith("srt_")
    # The access token works.
    data = await ok(fresh_client, VIEWER, token=result["accessToken"])
    assert data["viewer"]["user"]["username"] == user.username


async def test_login_with_body_delivery_returns_both_tokens_and_no_cookie(
    fresh_client: httpx.AsyncClient, demo_users: Any
):
    user = demo_users[IPH_RESEARCHER]
    response = await gql(fresh_client, LOGIN, {"u": user.username, "p": user.password, "d": "BODY"})
    result = response.json()["data"]["login"]
    assert result["__typename"] == "SignedIn"
    assert result["refreshToken"].startswith("srt_")
    assert result["accessToken"].count(".") == 2  # a JWT
    assert not [h for h in response.headers.get_list("set-cookie") if REFRESH_COOKIE in h]


async def test_username_is_matched_case_and_space_insensitively(
    client: httpx.AsyncClient, demo_users: Any
):
    user = demo_users[IPH_RESEARCHER]
    result = await login(client, f"  {user.username.upper()} ", user.password)
    assert result["__typename"] == "SignedIn", result
    assert result["user"]["username"] == user.username


async def test_wrong_password_is_bad_credentials(client: httpx.AsyncClient, demo_users: Any):
    user = demo_users[IOC_RESEARCHER]
    result = await login(client, user.username, user.password + "x")
    assert result["__typename"] == "UnauthenticatedError"
    assert result["code"] == "BAD_CREDENTIALS"


async def test_unknown_username_gets_the_same_refusal_as_a_wrong_password(
    client: httpx.AsyncClient, demo_users: Any
):
    user = demo_users[IOC_RESEARCHER]
    wrong = await login(client, user.username, "Not-the-password-1")
    unknown = await login(client, f"nobody-{uuid.uuid4().hex[:8]}", "Not-the-password-1")
    assert wrong == unknown
    assert unknown["__typename"] == "UnauthenticatedError"
    assert unknown["code"] == "BAD_CREDENTIALS"


async def test_empty_password_is_refused(client: httpx.AsyncClient, demo_users: Any):
    result = await login(client, IPH_RESEARCHER, "")
    assert result["code"] == "BAD_CREDENTIALS"


async def test_account_locks_after_max_failures(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="lockout")
    for attempt in range(settings.login_max_failures):
        result = await login(client, person.username, f"Wrong-guess-{attempt}")
        assert result["code"] == "BAD_CREDENTIALS", (attempt, result)

    response = await gql(client, LOGIN, {"u": person.username, "p": person.password, "d": "BODY"})
    assert response.status_code == 200, response.text
    result = response.json()["data"]["login"]
    assert result["__typename"] == "ThrottledError", result
    assert result["code"] == "LOCKED"
    assert 0 < result["retryAfter"] <= settings.login_lockout_seconds + 1
    assert response.headers["retry-after"] == str(result["retryAfter"])

    # A wrong password while locked is refused the same way (no oracle on the password).
    result = await login(client, person.username, "Wrong-guess-again")
    assert result["code"] == "LOCKED"


async def test_success_resets_the_failure_count(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="reset")
    for _ in range(2):
        for attempt in range(settings.login_max_failures - 1):
            result = await login(client, person.username, f"Wrong-guess-{attempt}")
            assert result["code"] == "BAD_CREDENTIALS"
        await signed_in(client, person.username, person.password)


async def test_lockout_is_not_undone_by_an_error_elsewhere_in_the_document(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    """Failed sign-ins must count even when another field of the same mutation document fails.

    The endpoint rolls the whole transaction back when the result has any error; the login's
    failure counters are part of that transaction, so a guesser could append a failing field to
    each guess and never be locked out.
    """
    person = await make_person(sessions, settings, prefix="batch-lock")
    # An OrgUnit ID carrying two UUIDs: the resolver fails with an unexpected error.
    bad_unit = to_global_id("OrgUnit", uuid.uuid4(), uuid.uuid4())
    query = """
    mutation($u: String!, $p: String!, $bad: ID!) {
      guess: login(username: $u, password: $p, delivery: BODY) { __typename }
      boom: createDepartment(orgUnitId: $bad, name: "x") { __typename }
    }"""
    for attempt in range(settings.login_max_failures + 1):
        await gql(client, query, {"u": person.username, "p": f"Wrong-{attempt}", "bad": bad_unit})

    result = await login(client, person.username, person.password)
    assert result["__typename"] == "ThrottledError", result
    assert result["code"] == "LOCKED"


async def test_lockout_is_not_undone_by_a_nested_error_in_the_document(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    """Same as above without a malformed ID: a signed-in guesser makes a nested field fail."""
    guesser = await make_person(sessions, settings, prefix="guesser")
    victim = await make_person(sessions, settings, prefix="victim")
    token = (await signed_in(client, guesser.username, guesser.password))["accessToken"]
    query = """
    mutation($u: String!, $p: String!, $me: ID!) {
      guess: login(username: $u, password: $p, delivery: BODY) { __typename }
      boom: updateUser(input: {id: $me}) {
        ... on UserSaved { user { orgUnit { users(first: 100000) { nodes { id } } } } }
      }
    }"""
    for attempt in range(settings.login_max_failures + 1):
        response = await gql(
            client,
            query,
            {"u": victim.username, "p": f"Wrong-{attempt}", "me": guesser.gid},
            token=token,
        )
        assert response.json().get("errors"), response.text

    result = await login(client, victim.username, victim.password)
    assert result["__typename"] == "ThrottledError", result
    assert result["code"] == "LOCKED"


async def test_a_refresh_cookie_handed_out_always_names_a_live_session(
    fresh_client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    """A response must not carry a refresh cookie for a session that was rolled back.

    Otherwise the cookie's presence tells a guesser the password was right while the failed
    guesses before it were never counted (see the two tests above).
    """
    guesser = await make_person(sessions, settings, prefix="oracle")
    victim = await make_person(sessions, settings, prefix="oracle-victim")
    token = (await signed_in(fresh_client, guesser.username, guesser.password))["accessToken"]
    query = """
    mutation($u: String!, $p: String!, $me: ID!) {
      guess: login(username: $u, password: $p) { __typename }
      boom: updateUser(input: {id: $me}) {
        ... on UserSaved { user { orgUnit { users(first: 100000) { nodes { id } } } } }
      }
    }"""
    response = await gql(
        fresh_client,
        query,
        {"u": victim.username, "p": victim.password, "me": guesser.gid},
        token=token,
    )
    fresh_client.cookies.clear()
    cookies = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{REFRESH_COOKIE}=")
    ]
    for cookie in cookies:
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        result = await refresh(fresh_client, value)
        assert result["__typename"] == "SignedIn", (cookie, result)


async def test_failed_sign_ins_are_throttled_per_address(
    settings: Settings, owner_url: str, sessions: Any, demo_users: Any
):
    person = await make_person(sessions, settings, prefix="throttle")
    settings2 = dataclasses.replace(settings, login_address_max_attempts=3)
    app2 = create_app(settings2, owner_url)
    # An address of this run only (the table outlives a test; the database does not).
    octets = uuid.uuid4().bytes
    address = f"10.{octets[0]}.{octets[1]}.{octets[2]}"
    other = f"10.{octets[0]}.{octets[1]}.{(octets[2] + 1) % 256}"
    try:
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app2, client=(address, 1234)),
                base_url="http://testserver",
            ) as attacker,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app2, client=(other, 1234)),
                base_url="http://testserver",
            ) as neighbour,
        ):
            for attempt in range(settings2.login_address_max_attempts):
                # Unknown names count against the address too.
                result = await login(attacker, f"nobody-{uuid.uuid4().hex[:8]}", f"Bad-{attempt}1")
                assert result["code"] == "BAD_CREDENTIALS", (attempt, result)

            response = await gql(
                attacker, LOGIN, {"u": person.username, "p": person.password, "d": "BODY"}
            )
            result = response.json()["data"]["login"]
            assert result["__typename"] == "ThrottledError", result
            assert result["code"] == "THROTTLED"
            assert 0 < result["retryAfter"] <= settings2.login_address_window_seconds + 1
            assert response.headers["retry-after"] == str(result["retryAfter"])
            # The account itself is not locked by failures it did not have.
            await signed_in(neighbour, person.username, person.password)
            # Another address is unaffected, also for wrong passwords.
            result = await login(neighbour, person.username, "Wrong-password-1")
            assert result["code"] == "BAD_CREDENTIALS"
            await signed_in(neighbour, person.username, person.password)
    finally:
        await app2.state.engine.dispose()


# ---------------------------------------------------------------------------------------------
# Disabled users


SET_DISABLED = """
mutation($id: ID!, $d: Boolean!) {
  setUserDisabled(userId: $id, disabled: $d) {
    __typename
    ... on UserSaved { user { disabled } }
    ... on UserError { code field }
  }
}
"""


async def test_disabled_user_cannot_sign_in_and_loses_sessions(
    client: httpx.AsyncClient, sessions: Any, settings: Settings, tokens: dict[str, str]
):
    person = await make_person(sessions, settings, prefix="disabled")
    session = await signed_in(client, person.username, person.password)
    await ok(client, VIEWER, token=session["accessToken"])

    data = await ok(client, SET_DISABLED, {"id": person.gid, "d": True}, token=tokens[IPH_ADMIN])
    assert data["setUserDisabled"] == {"__typename": "UserSaved", "user": {"disabled": True}}

    await assert_401(client, session["accessToken"])
    result = await refresh(client, session["refreshToken"])
    assert result["__typename"] == "UnauthenticatedError"
    result = await login(client, person.username, person.password)
    assert result["__typename"] == "UnauthenticatedError"
    assert result["code"] == "DISABLED"
    # A wrong password still reads as wrong: DISABLED is only said to the holder of the password.
    result = await login(client, person.username, "Wrong-password-1")
    assert result["code"] == "BAD_CREDENTIALS"

    data = await ok(client, SET_DISABLED, {"id": person.gid, "d": False}, token=tokens[IPH_ADMIN])
    assert data["setUserDisabled"]["user"] == {"disabled": False}
    again = await signed_in(client, person.username, person.password)
    await ok(client, VIEWER, token=again["accessToken"])
    # The session from before the disabling stays ended.
    await assert_401(client, session["accessToken"])


async def test_tenant_admin_of_another_institute_cannot_disable(
    client: httpx.AsyncClient, sessions: Any, settings: Settings, tokens: dict[str, str]
):
    person = await make_person(sessions, settings, prefix="not-yours")
    data = await ok(client, SET_DISABLED, {"id": person.gid, "d": True}, token=tokens[IOC_ADMIN])
    assert data["setUserDisabled"]["__typename"] == "NotFoundError"
    await signed_in(client, person.username, person.password)


# ---------------------------------------------------------------------------------------------
# Refresh


async def test_refresh_rotates_and_reuse_revokes_the_session(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="refresh")
    first = await signed_in(client, person.username, person.password)

    second = await refresh(client, first["refreshToken"])
    assert second["__typename"] == "SignedIn", second
    assert second["refreshToken"] and second["refreshToken"] != first["refreshToken"]
    assert second["user"]["username"] == person.username
    await ok(client, VIEWER, token=second["accessToken"])

    # The old refresh token again: refused, and the session is revoked (reuse detection).
    reused = await refresh(client, first["refreshToken"])
    assert reused["__typename"] == "UnauthenticatedError"
    assert reused["code"] == "UNAUTHENTICATED"

    after = await refresh(client, second["refreshToken"])
    assert after["__typename"] == "UnauthenticatedError"
    await assert_401(client, second["accessToken"])
    await assert_401(client, first["accessToken"])

    # Other sessions of the same person are unaffected.
    other = await signed_in(client, person.username, person.password)
    await ok(client, VIEWER, token=other["accessToken"])


async def test_reuse_revocation_is_not_undone_by_an_error_elsewhere_in_the_document(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    """The revocation on reuse must be kept even when another field of the document fails."""
    other = await make_person(sessions, settings, prefix="reuse-other")
    person = await make_person(sessions, settings, prefix="reuse-batch")
    other_token = (await signed_in(client, other.username, other.password))["accessToken"]
    first = await signed_in(client, person.username, person.password)
    second = await refresh(client, first["refreshToken"])
    assert second["__typename"] == "SignedIn"
    query = """
    mutation($t: String!, $me: ID!) {
      stale: refresh(refreshToken: $t, delivery: BODY) { __typename }
      boom: updateUser(input: {id: $me}) {
        ... on UserSaved { user { orgUnit { users(first: 100000) { nodes { id } } } } }
      }
    }"""
    response = await gql(
        client, query, {"t": first["refreshToken"], "me": other.gid}, token=other_token
    )
    assert response.json().get("errors"), response.text
    after = await refresh(client, second["refreshToken"])
    assert after["__typename"] == "UnauthenticatedError", after


async def test_refresh_chain_of_several_rotations(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="chain")
    current = await signed_in(client, person.username, person.password)
    seen = {current["refreshToken"]}
    for _ in range(3):
        current = await refresh(client, current["refreshToken"])
        assert current["__typename"] == "SignedIn"
        assert current["refreshToken"] not in seen
        seen.add(current["refreshToken"])
    await ok(client, VIEWER, token=current["accessToken"])


async def test_refresh_via_cookie(
    fresh_client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="cookie")
    response = await gql(
        fresh_client, LOGIN, {"u": person.username, "p": person.password, "d": "COOKIE"}
    )
    assert response.json()["data"]["login"]["__typename"] == "SignedIn"
    old_value = _refresh_set_cookie(response).split(";", 1)[0].split("=", 1)[1]
    fresh_client.cookies.clear()

    response = await gql(
        fresh_client,
        REFRESH,
        {"t": None, "d": "COOKIE"},
        headers={"cookie": f"{REFRESH_COOKIE}={old_value}"},
    )
    result = response.json()["data"]["refresh"]
    assert result["__typename"] == "SignedIn", result
    assert result["refreshToken"] is None
    new_cookie = _refresh_set_cookie(response)
    new_value = new_cookie.split(";", 1)[0].split("=", 1)[1]
    assert new_value != old_value
    assert "httponly" in new_cookie.lower()
    await ok(fresh_client, VIEWER, token=result["accessToken"])
    fresh_client.cookies.clear()

    # The rotated-away cookie again: refused, and the cookie is cleared.
    response = await gql(
        fresh_client,
        REFRESH,
        {"t": None, "d": "COOKIE"},
        headers={"cookie": f"{REFRESH_COOKIE}={old_value}"},
    )
    assert response.json()["data"]["refresh"]["__typename"] == "UnauthenticatedError"
    cleared = _refresh_set_cookie(response)
    assert 'stsec_refresh="";' in cleared or "max-age=0" in cleared.lower()
    await assert_401(fresh_client, result["accessToken"])


async def test_refresh_without_any_token_is_refused(fresh_client: httpx.AsyncClient):
    result = await refresh(fresh_client, None)
    assert result["__typename"] == "UnauthenticatedError"
    assert result["code"] == "UNAUTHENTICATED"


async def test_malformed_refresh_tokens_are_refused(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="malformed")
    good = (await signed_in(client, person.username, person.password))["refreshToken"]
    _, tenant, row, _secret = good.split("_", 3)
    for token in [
        "garbage",
        "srt_x_y_z",
        f"stk_{tenant}_{row}_secret",
        f"srt_{uuid.uuid4().hex}_{uuid.uuid4().hex}_secret",
        f"srt_{tenant}_{uuid.uuid4().hex}_secret",
    ]:
        result = await refresh(client, token)
        assert result["__typename"] == "UnauthenticatedError", token
    # None of those touched the real session.
    result = await refresh(client, good)
    assert result["__typename"] == "SignedIn"


# ---------------------------------------------------------------------------------------------
# Logout


async def test_logout_ends_the_session(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="logout")
    session = await signed_in(client, person.username, person.password)
    other = await signed_in(client, person.username, person.password)

    data = await ok(client, LOGOUT, {"t": None}, token=session["accessToken"])
    assert data["logout"] == {"ended": True}
    await assert_401(client, session["accessToken"])
    result = await refresh(client, session["refreshToken"])
    assert result["__typename"] == "UnauthenticatedError"
    # Only that session ended.
    await ok(client, VIEWER, token=other["accessToken"])


async def test_logout_with_the_refresh_token_only(
    fresh_client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="logout-rt")
    session = await signed_in(fresh_client, person.username, person.password)
    data = await ok(fresh_client, LOGOUT, {"t": session["refreshToken"]})
    assert data["logout"] == {"ended": True}
    await assert_401(fresh_client, session["accessToken"])
    assert (await refresh(fresh_client, session["refreshToken"]))["__typename"] == (
        "UnauthenticatedError"
    )
    # Again: nothing left to end.
    data = await ok(fresh_client, LOGOUT, {"t": session["refreshToken"]})
    assert data["logout"] == {"ended": False}


async def test_logout_without_a_session_ends_nothing(fresh_client: httpx.AsyncClient):
    data = await ok(fresh_client, LOGOUT, {"t": "garbage"})
    assert data["logout"] == {"ended": False}


# ---------------------------------------------------------------------------------------------
# Access tokens


def _claims(access_token: str) -> dict[str, Any]:
    return jwt.decode(access_token, options={"verify_signature": False})  # type: ignore[no-any-return]


async def test_expired_access_token_is_401(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
):
    claims = _claims(tokens[IPH_RESEARCHER])
    expired, _ = issue_access_token(
        settings.secret_key,
        user_id=uuid.UUID(claims["sub"]),
        tenant_id=uuid.UUID(claims["tid"]),
        session_id=uuid.UUID(claims["sid"]),
        ttl=-10,
    )
    response = await assert_401(client, expired)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "expired" in response.json()["errors"][0]["message"]
    assert response.json().get("data") is None


async def test_token_signed_with_another_key_is_401(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    claims = _claims(tokens[IPH_RESEARCHER])
    forged, _ = issue_access_token(
        "an-attacker-key-of-sufficient-length-0123456789",
        user_id=uuid.UUID(claims["sub"]),
        tenant_id=uuid.UUID(claims["tid"]),
        session_id=uuid.UUID(claims["sid"]),
        ttl=900,
    )
    await assert_401(client, forged)


async def test_unsigned_and_tampered_tokens_are_401(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
):
    real = tokens[IPH_RESEARCHER]
    claims = _claims(real)
    header, _payload, signature = real.split(".")
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    await assert_401(client, unsigned)
    # Another user's claims under the real signature.
    other = _claims(tokens[IPH_ADMIN])
    swapped = jwt.encode({**claims, "sub": other["sub"]}, "x" * 32, algorithm="HS256").split(".")
    await assert_401(client, f"{header}.{swapped[1]}.{signature}")
    # A token for this app's key but another issuer.
    wrong_iss = jwt.encode(
        {**claims, "iss": "someone-else"}, settings.secret_key, algorithm="HS256"
    )
    await assert_401(client, wrong_iss)
    # Signed right, naming a session that does not exist.
    ghost, _ = issue_access_token(
        settings.secret_key,
        user_id=uuid.UUID(claims["sub"]),
        tenant_id=uuid.UUID(claims["tid"]),
        session_id=uuid.uuid4(),
        ttl=900,
    )
    await assert_401(client, ghost)


@pytest.mark.parametrize(
    "bearer", ["garbage", "a.b.c", "stk_garbage", "srt_not_an_access_token", "é" * 10]
)
async def test_garbage_bearer_is_401(client: httpx.AsyncClient, bearer: str):
    response = await client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"authorization": f"Bearer {bearer}".encode()},  # type: ignore[dict-item]
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_bearer_is_anonymous(client: httpx.AsyncClient):
    data = await ok(client, VIEWER)
    assert data["viewer"] is None


# ---------------------------------------------------------------------------------------------
# API tokens

CREATE_API_TOKEN = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    __typename
    ... on ApiTokenCreated { token apiToken { id name role revokedAt } }
    ... on UserError { code message field }
  }
}
"""
REVOKE_API_TOKEN = """
mutation($id: ID!) {
  revokeApiToken(id: $id) {
    __typename
    ... on ApiTokenRevoked { apiToken { revokedAt } }
    ... on UserError { code }
  }
}
"""


async def _create_api_token(
    client: httpx.AsyncClient, token: str, org_unit_id: str, role: str = "RESEARCH_MANAGEMENT"
) -> dict[str, Any]:
    data = await ok(
        client,
        CREATE_API_TOKEN,
        {
            "input": {
                "orgUnitId": org_unit_id,
                "name": f"portal-{uuid.uuid4().hex[:6]}",
                "role": role,
            }
        },
        token=token,
    )
    return data["createApiToken"]  # type: ignore[no-any-return]


async def test_api_token_acts_with_its_role_in_its_unit(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph)
    assert created["__typename"] == "ApiTokenCreated", created
    assert created["token"].startswith("stk_")
    assert created["apiToken"]["role"] == "RESEARCH_MANAGEMENT"

    data = await ok(
        client, "{ viewer { user { id } roles { role } orgUnit { code } } }", token=created["token"]
    )
    assert data["viewer"] == {
        "user": None,
        "roles": [{"role": "RESEARCH_MANAGEMENT"}],
        "orgUnit": {"code": "IPH"},
    }
    # Colleagues in its own institute are visible...
    own = await user_gid(client, tokens, IPH_RESEARCHER)
    data = await ok(
        client,
        "query($id: ID!) { user(id: $id) { username } }",
        {"id": own},
        token=created["token"],
    )
    assert data["user"] == {"username": IPH_RESEARCHER}
    # ...another institute's are not.
    foreign = await user_gid(client, tokens, IOC_RESEARCHER)
    data = await ok(
        client,
        "query($id: ID!) { user(id: $id) { username } }",
        {"id": foreign},
        token=created["token"],
    )
    assert data["user"] is None


async def test_api_token_cannot_administer(client: httpx.AsyncClient, tokens: dict[str, str]):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph)
    data = await ok(
        client,
        "mutation($input: CreateUserInput!) { createUser(input: $input) { __typename } }",
        {
            "input": {
                "orgUnitId": iph,
                "username": f"via-token-{uuid.uuid4().hex[:6]}",
                "displayName": "x",
                "password": new_password(),
            }
        },
        token=created["token"],
    )
    assert data["createUser"]["__typename"] == "ForbiddenError"
    again = await _create_api_token(client, created["token"], iph)
    assert again["__typename"] == "ForbiddenError"


async def test_revoked_api_token_is_401(client: httpx.AsyncClient, tokens: dict[str, str]):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph)
    await ok(client, VIEWER, token=created["token"])
    data = await ok(
        client, REVOKE_API_TOKEN, {"id": created["apiToken"]["id"]}, token=tokens[IPH_ADMIN]
    )
    assert data["revokeApiToken"]["__typename"] == "ApiTokenRevoked"
    assert data["revokeApiToken"]["apiToken"]["revokedAt"]
    await assert_401(client, created["token"])


async def test_api_token_with_a_wrong_secret_is_401(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph)
    prefix, tenant, row, _ = created["token"].split("_", 3)
    await assert_401(client, f"{prefix}_{tenant}_{row}_not-the-secret")
    await assert_401(client, f"{prefix}_{tenant}_{uuid.uuid4().hex}_not-the-secret")
    await ok(client, VIEWER, token=created["token"])


async def test_api_token_cannot_carry_an_administrator_role(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph, role="TENANT_ADMIN")
    assert created["__typename"] == "InvalidInputError", created
    assert created["field"] == "role"
    # A role of another kind of unit is refused too.
    created = await _create_api_token(client, tokens[IPH_ADMIN], iph, role="PLATFORM_ADMIN")
    assert created["__typename"] == "InvalidInputError", created


async def test_researcher_cannot_create_an_api_token(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    created = await _create_api_token(client, tokens[IPH_RESEARCHER], iph)
    assert created["__typename"] == "ForbiddenError", created


async def test_tenant_admin_cannot_create_an_api_token_for_another_institute(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    ioc = await unit_gid(client, tokens, IOC_ADMIN)
    created = await _create_api_token(client, tokens[IPH_ADMIN], ioc)
    assert created["__typename"] == "NotFoundError", created
    assert "IOC" not in created["message"]


async def test_tenant_admin_cannot_revoke_another_institutes_api_token(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    ioc = await unit_gid(client, tokens, IOC_ADMIN)
    created = await _create_api_token(client, tokens[IOC_ADMIN], ioc)
    data = await ok(
        client, REVOKE_API_TOKEN, {"id": created["apiToken"]["id"]}, token=tokens[IPH_ADMIN]
    )
    assert data["revokeApiToken"]["__typename"] == "NotFoundError"
    await ok(client, VIEWER, token=created["token"])


async def test_anonymous_cannot_create_an_api_token(
    fresh_client: httpx.AsyncClient, client: httpx.AsyncClient, tokens: dict[str, str]
):
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    data = await ok(
        fresh_client,
        CREATE_API_TOKEN,
        {"input": {"orgUnitId": iph, "name": "anon", "role": "RESEARCH_MANAGEMENT"}},
    )
    assert data["createApiToken"]["__typename"] == "UnauthenticatedError"


# ---------------------------------------------------------------------------------------------
# Passwords

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on UserSaved { user { id username } }
    ... on UserError { code message field }
  }
}
"""
SET_PASSWORD = """
mutation($input: SetPasswordInput!) {
  setPassword(input: $input) {
    __typename
    ... on UserSaved { user { username } }
    ... on UserError { code message field }
  }
}
"""


async def _create_user(
    client: httpx.AsyncClient, tokens: dict[str, str], username: str, password: str
) -> dict[str, Any]:
    iph = await unit_gid(client, tokens, IPH_ADMIN)
    data = await ok(
        client,
        CREATE_USER,
        {
            "input": {
                "orgUnitId": iph,
                "username": username,
                "displayName": "Password Probe",
                "password": password,
                "roles": ["RESEARCHER"],
            }
        },
        token=tokens[IPH_ADMIN],
    )
    return data["createUser"]  # type: ignore[no-any-return]


async def test_short_password_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
):
    short = "Ab1-" + "x" * (settings.password_min_length - 5)
    assert len(short) == settings.password_min_length - 1
    result = await _create_user(client, tokens, f"pw-short-{uuid.uuid4().hex[:8]}", short)
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == "password"
    assert str(settings.password_min_length) in result["message"]


async def test_password_containing_the_username_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    username = f"pw-name-{uuid.uuid4().hex[:8]}"
    result = await _create_user(client, tokens, username, f"X9!{username.upper()}")
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == "password"
    assert "username" in result["message"]


async def test_password_with_too_few_character_classes_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    result = await _create_user(
        client, tokens, f"pw-classes-{uuid.uuid4().hex[:8]}", "onlylowercaseand1234"
    )
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == "password"


async def test_overlong_password_is_refused(client: httpx.AsyncClient, tokens: dict[str, str]):
    result = await _create_user(client, tokens, f"pw-long-{uuid.uuid4().hex[:8]}", "Ab1-" * 80)
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == "password"


async def test_good_password_is_accepted_and_works(
    client: httpx.AsyncClient, tokens: dict[str, str]
):
    username = f"pw-good-{uuid.uuid4().hex[:8]}"
    password = new_password()
    result = await _create_user(client, tokens, username, password)
    assert result["__typename"] == "UserSaved", result
    await signed_in(client, username, password)


async def test_changing_own_password_needs_the_current_one(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    person = await make_person(sessions, settings, prefix="setpw")
    session = await signed_in(client, person.username, person.password)
    other = await signed_in(client, person.username, person.password)
    token = session["accessToken"]
    replacement = new_password()

    data = await ok(
        client,
        SET_PASSWORD,
        {"input": {"userId": person.gid, "newPassword": replacement}},
        token=token,
    )
    assert data["setPassword"]["__typename"] == "InvalidInputError"
    assert data["setPassword"]["field"] == "currentPassword"

    data = await ok(
        client,
        SET_PASSWORD,
        {
            "input": {
                "userId": person.gid,
                "newPassword": replacement,
                "currentPassword": "Wrong-current-1",
            }
        },
        token=token,
    )
    assert data["setPassword"]["__typename"] == "InvalidInputError"
    assert data["setPassword"]["field"] == "currentPassword"

    # Right current password, new one breaking the rules: refused, nothing changed.
    data = await ok(
        client,
        SET_PASSWORD,
        {
            "input": {
                "userId": person.gid,
                "newPassword": f"Q1!{person.username}",
                "currentPassword": person.password,
            }
        },
        token=token,
    )
    assert data["setPassword"]["__typename"] == "InvalidInputError"
    assert data["setPassword"]["field"] == "password"
    await ok(client, VIEWER, token=token)

    data = await ok(
        client,
        SET_PASSWORD,
        {
            "input": {
                "userId": person.gid,
                "newPassword": replacement,
                "currentPassword": person.password,
            }
        },
        token=token,
    )
    assert data["setPassword"] == {"__typename": "UserSaved", "user": {"username": person.username}}

    # Every session from before is ended, including the one that made the change.
    await assert_401(client, token)
    await assert_401(client, other["accessToken"])
    assert (await refresh(client, other["refreshToken"]))["__typename"] == "UnauthenticatedError"
    assert (await login(client, person.username, person.password))["code"] == "BAD_CREDENTIALS"
    await signed_in(client, person.username, replacement)


async def test_tenant_admin_resets_a_password_without_the_current_one(
    client: httpx.AsyncClient, sessions: Any, settings: Settings, tokens: dict[str, str]
):
    person = await make_person(sessions, settings, prefix="reset-pw")
    session = await signed_in(client, person.username, person.password)
    replacement = new_password()
    data = await ok(
        client,
        SET_PASSWORD,
        {"input": {"userId": person.gid, "newPassword": replacement}},
        token=tokens[IPH_ADMIN],
    )
    assert data["setPassword"]["__typename"] == "UserSaved", data
    await assert_401(client, session["accessToken"])
    await signed_in(client, person.username, replacement)


async def test_colleague_cannot_change_anothers_password(
    client: httpx.AsyncClient, sessions: Any, settings: Settings, tokens: dict[str, str]
):
    person = await make_person(sessions, settings, prefix="victim-pw")
    data = await ok(
        client,
        SET_PASSWORD,
        {
            "input": {
                "userId": person.gid,
                "newPassword": new_password(),
                "currentPassword": person.password,
            }
        },
        token=tokens[IPH_RESEARCHER],
    )
    assert data["setPassword"]["__typename"] == "ForbiddenError"
    data = await ok(
        client,
        SET_PASSWORD,
        {"input": {"userId": person.gid, "newPassword": new_password()}},
        token=tokens[IOC_ADMIN],
    )
    assert data["setPassword"]["__typename"] == "NotFoundError"
    await signed_in(client, person.username, person.password)


async def test_wrong_current_passwords_count_towards_lockout(
    client: httpx.AsyncClient, sessions: Any, settings: Settings
):
    """A stolen access token is no unlimited oracle for the current password."""
    person = await make_person(sessions, settings, prefix="oracle")
    token = (await signed_in(client, person.username, person.password))["accessToken"]
    attempt = {"userId": person.gid, "newPassword": new_password(), "currentPassword": "Nope-1x"}
    for _ in range(settings.login_max_failures):
        data = await ok(client, SET_PASSWORD, {"input": attempt}, token=token)
        assert data["setPassword"]["code"] == "BAD_CREDENTIALS"
    # Locked now: even the right current password is refused, and so is signing in.
    attempt["currentPassword"] = person.password
    data = await ok(client, SET_PASSWORD, {"input": attempt}, token=token)
    assert (data["setPassword"]["code"], data["setPassword"]["field"]) == (
        "LOCKED",
        "currentPassword",
    )
    refused = await login(client, person.username, person.password)
    assert refused["code"] == "LOCKED"
