"""Bad input is refused cleanly: malformed documents, oversized bodies, abusive queries, bad IDs.

Platform rules (no guidance rule IDs): a request that cannot run gets a 4xx with `errors`, bad
IDs learn nothing, and a mutation that fails changes nothing.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from server.config import Settings

IPH_ADMIN = "iph.tenant-admin"
IPH_RESEARCHER = "iph.researcher"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def post_raw(
    client: httpx.AsyncClient, body: Any, *, token: str | None = None, **kwargs: Any
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return await client.post("/graphql", json=body, headers=headers, **kwargs)


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    body = response.json()
    errors = body.get("errors")
    assert errors, body
    return errors  # type: ignore[no-any-return]


async def _unit_gid(as_user: Any, username: str) -> str:
    data = await as_user(username)("{ viewer { orgUnit { id } } }")
    return data["viewer"]["orgUnit"]["id"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Documents that cannot run


async def test_malformed_document_is_400(client: httpx.AsyncClient, tokens: dict[str, str]):
    response = await post_raw(client, {"query": "{ viewer { user { username } "})
    assert response.status_code == 400, response.text
    errors = _errors(response)
    assert "Syntax Error" in errors[0]["message"]
    assert response.json().get("data") is None


async def test_unknown_field_is_400(client: httpx.AsyncClient, tokens: dict[str, str]):
    response = await post_raw(
        client, {"query": "{ viewer { passwordHash } }"}, token=tokens[IPH_RESEARCHER]
    )
    assert response.status_code == 400, response.text
    assert "passwordHash" in _errors(response)[0]["message"]
    assert response.json().get("data") is None


async def test_unknown_root_field_is_400(client: httpx.AsyncClient):
    response = await post_raw(client, {"query": "{ allUsersEverywhere { id } }"})
    assert response.status_code == 400, response.text
    assert "allUsersEverywhere" in _errors(response)[0]["message"]


async def test_wrong_variable_type_is_400(client: httpx.AsyncClient, tokens: dict[str, str]):
    query = "query($n: Int!) { users(first: $n) { nodes { id } } }"
    response = await post_raw(
        client, {"query": query, "variables": {"n": "many"}}, token=tokens[IPH_RESEARCHER]
    )
    assert response.status_code == 400, response.text
    assert "$n" in _errors(response)[0]["message"]


async def test_missing_required_variable_is_400(client: httpx.AsyncClient):
    query = "query($id: ID!) { user(id: $id) { id } }"
    response = await post_raw(client, {"query": query, "variables": {}})
    assert response.status_code == 400, response.text
    assert "$id" in _errors(response)[0]["message"]


async def test_wrong_enum_literal_is_400(client: httpx.AsyncClient):
    query = (
        'mutation { login(username: "x", password: "y", delivery: CARRIER_PIGEON) { __typename } }'
    )
    response = await post_raw(client, {"query": query})
    assert response.status_code == 400, response.text
    _errors(response)


async def test_body_that_is_not_json_is_400(client: httpx.AsyncClient):
    response = await client.post(
        "/graphql",
        content=b"{ viewer { user { id } }",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text


async def test_json_without_query_is_400(client: httpx.AsyncClient):
    response = await post_raw(client, {"variables": {}})
    assert response.status_code == 400, response.text


async def test_get_mutation_is_refused(client: httpx.AsyncClient, demo_users: Any):
    user = demo_users[IPH_RESEARCHER]
    query = (
        f'mutation {{ login(username: "{user.username}", password: "{user.password}", '
        "delivery: BODY) { __typename } }"
    )
    response = await client.get("/graphql", params={"query": query})
    assert response.status_code in {400, 405}, response.text
    assert "SignedIn" not in response.text


async def test_get_query_is_allowed(client: httpx.AsyncClient):
    response = await client.get("/graphql", params={"query": "{ roles { role } }"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["roles"]


# ---------------------------------------------------------------------------------------------
# Body size cap


async def test_oversized_body_with_content_length_is_413(
    client: httpx.AsyncClient, settings: Settings
):
    padding = "x" * (settings.max_body_bytes + 10)
    response = await post_raw(client, {"query": "{ roles { role } }", "variables": {"p": padding}})
    assert response.status_code == 413, response.text
    assert _errors(response)[0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_oversized_chunked_body_is_413(client: httpx.AsyncClient, settings: Settings):
    chunk = b"x" * 65_536
    chunks = settings.max_body_bytes // len(chunk) + 2

    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": "{ roles { role } }", "variables": {"p": "'
        for _ in range(chunks):
            yield chunk
        yield b'"}}'

    response = await client.post(
        "/graphql", content=body(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413, response.text
    assert _errors(response)[0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_bad_content_length_is_refused(client: httpx.AsyncClient):
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ roles { role } }"}',
        headers={"content-type": "application/json", "content-length": "-1"},
    )
    assert response.status_code == 413, response.text


async def test_body_just_under_the_cap_is_served(client: httpx.AsyncClient, settings: Settings):
    skeleton = len(b'{"query": "{ roles { role } }", "variables": {"p": ""}}')
    padding = "x" * (settings.max_body_bytes - skeleton - 100)
    response = await post_raw(client, {"query": "{ roles { role } }", "variables": {"p": padding}})
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------------
# Query cost limits


async def test_query_deeper_than_the_limit_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
):
    depth = settings.graphql_max_depth + 2
    query = "{ viewer { orgUnit { " + "parent { " * depth + "id" + " }" * depth + " } } }"
    response = await post_raw(client, {"query": query}, token=tokens[IPH_RESEARCHER])
    assert response.status_code == 400, response.text
    assert "depth" in _errors(response)[0]["message"].lower()
    assert response.json().get("data") is None


async def test_query_at_the_depth_limit_runs(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
):
    # viewer(1) > orgUnit(2) > parent(3..) > id: stay within the limit.
    parents = settings.graphql_max_depth - 3
    query = "{ viewer { orgUnit { " + "parent { " * parents + "id" + " }" * parents + " } } }"
    response = await post_raw(client, {"query": query}, token=tokens[IPH_RESEARCHER])
    assert response.status_code == 200, response.text
    assert not response.json().get("errors"), response.text


async def test_too_many_aliases_are_refused(client: httpx.AsyncClient, settings: Settings):
    n = settings.graphql_max_aliases + 1
    query = "{ " + " ".join(f"a{i}: roles {{ role }}" for i in range(n)) + " }"
    response = await post_raw(client, {"query": query})
    assert response.status_code == 400, response.text
    assert "alias" in _errors(response)[0]["message"].lower()


async def test_aliases_at_the_limit_run(client: httpx.AsyncClient, settings: Settings):
    n = settings.graphql_max_aliases
    query = "{ " + " ".join(f"a{i}: roles {{ role }}" for i in range(n)) + " }"
    response = await post_raw(client, {"query": query})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == n


async def test_too_many_tokens_are_refused(client: httpx.AsyncClient, settings: Settings):
    # No aliases and shallow: only the token count is over.
    query = "{ roles { " + "role " * (settings.graphql_max_tokens + 10) + "} }"
    response = await post_raw(client, {"query": query})
    assert response.status_code == 400, response.text
    assert "token" in _errors(response)[0]["message"].lower()


# ---------------------------------------------------------------------------------------------
# IDs, page sizes and cursors


def _unknown_user_ids() -> list[str]:
    return [
        "not-an-id",
        "!!!",
        "",
        "é中文",
        _b64(b"User"),
        _b64(b"User:nothex:nothex"),
        _b64(b"\xff\xfe\xfd"),
        to_global_id("User", uuid.uuid4(), uuid.uuid4()),
        to_global_id("User", uuid.uuid4()),
        to_global_id("User", uuid.uuid4(), uuid.uuid4(), uuid.uuid4()),
        to_global_id("OrgUnit", uuid.uuid4()),
        "x" * 5000,
    ]


async def test_unknown_or_malformed_user_ids_read_as_null(as_user: Any):
    api = as_user(IPH_ADMIN)
    for gid in _unknown_user_ids():
        data = await api("query($id: ID!) { user(id: $id) { id username } }", {"id": gid})
        assert data["user"] is None, gid


async def test_a_real_id_of_another_type_reads_as_null(as_user: Any):
    api = as_user(IPH_ADMIN)
    unit_gid = await _unit_gid(as_user, IPH_ADMIN)
    data = await api("query($id: ID!) { user(id: $id) { id } }", {"id": unit_gid})
    assert data["user"] is None
    me = (await api("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    data = await api("query($id: ID!) { orgUnit(id: $id) { id } }", {"id": me})
    assert data["orgUnit"] is None


async def test_unknown_or_malformed_org_unit_ids_read_as_null(as_user: Any):
    api = as_user(IPH_ADMIN)
    for gid in [
        "garbage",
        to_global_id("OrgUnit", uuid.uuid4()),
        to_global_id("OrgUnit", uuid.uuid4(), uuid.uuid4()),
        _b64(b"OrgUnit:"),
    ]:
        data = await api("query($id: ID!) { orgUnit(id: $id) { id } }", {"id": gid})
        assert data["orgUnit"] is None, gid


SET_DISABLED = """
mutation($id: ID!) {
  setUserDisabled(userId: $id, disabled: true) {
    __typename
    ... on UserError { code message field }
  }
}
"""


async def test_mutation_with_malformed_user_id_is_not_found(as_user: Any):
    api = as_user(IPH_ADMIN)
    for gid in [
        "garbage",
        "",
        _b64(b"User:zz:zz"),
        to_global_id("User", uuid.uuid4(), uuid.uuid4()),
    ]:
        data = await api(SET_DISABLED, {"id": gid})
        assert data["setUserDisabled"]["__typename"] == "NotFoundError", (gid, data)
        assert data["setUserDisabled"]["code"] == "NOT_FOUND"


async def test_mutation_with_id_of_wrong_arity_is_not_found(as_user: Any):
    """A `User` ID with one UUID (or three) is as malformed as garbage: NotFoundError."""
    api = as_user(IPH_ADMIN)
    for gid in [
        to_global_id("User", uuid.uuid4()),
        to_global_id("User", uuid.uuid4(), uuid.uuid4(), uuid.uuid4()),
        _b64(b"User"),
    ]:
        response = await api.post(SET_DISABLED, {"id": gid})
        body = response.json()
        assert response.status_code == 200, (gid, response.text)
        assert not body.get("errors"), (gid, body)
        assert body["data"]["setUserDisabled"]["__typename"] == "NotFoundError", (gid, body)


async def test_create_department_with_org_unit_id_of_wrong_arity_is_not_found(as_user: Any):
    api = as_user(IPH_ADMIN)
    gid = to_global_id("OrgUnit", uuid.uuid4(), uuid.uuid4())
    response = await api.post(
        'mutation($id: ID!) { createDepartment(orgUnitId: $id, name: "x") '
        "{ __typename ... on UserError { code } } }",
        {"id": gid},
    )
    body = response.json()
    assert response.status_code == 200, response.text
    assert not body.get("errors"), body
    assert body["data"]["createDepartment"]["__typename"] == "NotFoundError", body


async def test_mutation_with_id_of_another_type_is_not_found(as_user: Any):
    api = as_user(IPH_ADMIN)
    unit_gid = await _unit_gid(as_user, IPH_ADMIN)
    data = await api(SET_DISABLED, {"id": unit_gid})
    assert data["setUserDisabled"]["__typename"] == "NotFoundError"


async def test_page_size_over_the_max_is_an_error(as_user: Any, settings: Settings):
    api = as_user(IPH_ADMIN)
    response = await api.post("{ users(first: 1000) { nodes { id } } }")
    errors = _errors(response)
    assert str(settings.page_size_max) in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    assert not (response.json().get("data") or {}).get("users")


async def test_page_size_over_the_max_on_a_nested_list_is_an_error(
    as_user: Any, settings: Settings
):
    api = as_user(IPH_ADMIN)
    response = await api.post("{ viewer { orgUnit { users(first: 1000) { nodes { id } } } } }")
    errors = _errors(response)
    assert str(settings.page_size_max) in errors[0]["message"]


async def test_page_size_zero_or_negative_is_an_error(as_user: Any):
    api = as_user(IPH_ADMIN)
    for first in (0, -1):
        response = await api.post(
            "query($n: Int!) { users(first: $n) { nodes { id } } }", {"n": first}
        )
        assert _errors(response)[0]["extensions"]["code"] == "INVALID_INPUT", first


async def test_page_size_at_the_max_is_served(as_user: Any, settings: Settings):
    api = as_user(IPH_ADMIN)
    data = await api(
        "query($n: Int!) { users(first: $n) { nodes { id } } }", {"n": settings.page_size_max}
    )
    assert data["users"]["nodes"]


async def test_bad_cursor_is_an_error(as_user: Any):
    api = as_user(IPH_ADMIN)
    query = "query($c: String!) { users(first: 5, after: $c) { nodes { username } } }"
    for cursor in ["abc", _b64(b"\xff\xfe\xfd"), "not a cursor!"]:
        response = await api.post(query, {"c": cursor})
        body = response.json()
        assert body.get("errors"), (cursor, body)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", (cursor, body)


async def test_cursor_of_non_base64_characters_is_an_error(as_user: Any):
    """Not silently read as "from the start": a client with a corrupted cursor must be told."""
    api = as_user(IPH_ADMIN)
    query = "query($c: String!) { users(first: 5, after: $c) { nodes { username } } }"
    for cursor in ["%%%%", "????"]:
        response = await api.post(query, {"c": cursor})
        body = response.json()
        assert body.get("errors"), (cursor, body)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", (cursor, body)


async def test_cursor_round_trip_pages_forward(as_user: Any):
    api = as_user(IPH_ADMIN)
    query = """query($c: String) { users(first: 2, after: $c) {
        nodes { username } pageInfo { hasNextPage endCursor } } }"""
    first = (await api(query, {"c": None}))["users"]
    assert first["pageInfo"]["hasNextPage"]
    second = (await api(query, {"c": first["pageInfo"]["endCursor"]}))["users"]
    a = [n["username"] for n in first["nodes"]]
    b = [n["username"] for n in second["nodes"]]
    assert not set(a) & set(b)
    assert max(a) < min(b)


# ---------------------------------------------------------------------------------------------
# A failed mutation changes nothing

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on UserSaved { user { id username roles { role } } }
    ... on UserError { code message field }
  }
}
"""


async def _audit_count(owner_engine: AsyncEngine, tenant_id: uuid.UUID) -> int:
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenants', '*', true)"))
        count = await conn.scalar(
            text("SELECT count(*) FROM audit_log WHERE tenant_id = :t"), {"t": tenant_id}
        )
    return int(count or 0)


async def _unit_uuid(owner_engine: AsyncEngine, code: str) -> uuid.UUID:
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenants', '*', true)"))
        unit_id = await conn.scalar(text("SELECT id FROM org_units WHERE code = :c"), {"c": code})
    assert unit_id is not None
    return unit_id  # type: ignore[no-any-return]


async def test_failed_create_user_changes_nothing(as_user: Any, owner_engine: AsyncEngine):
    api = as_user(IPH_ADMIN)
    unit_gid = await _unit_gid(as_user, IPH_ADMIN)
    tenant = await _unit_uuid(owner_engine, "IPH")
    username = f"rollback-{uuid.uuid4().hex[:8]}"
    good = {
        "orgUnitId": unit_gid,
        "username": username,
        "displayName": "Rollback Probe",
        "password": "Kq7-vwz!Pl0ngEnough",
        "roles": ["RESEARCHER"],
    }
    before = await _audit_count(owner_engine, tenant)

    data = await api(CREATE_USER, {"input": {**good, "roles": ["RESEARCHER", "PLATFORM_ADMIN"]}})
    result = data["createUser"]
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == "role"
    assert await _audit_count(owner_engine, tenant) == before

    # The username is still free.
    data = await api(CREATE_USER, {"input": good})
    assert data["createUser"]["__typename"] == "UserSaved", data
    assert data["createUser"]["user"]["username"] == username
    assert [r["role"] for r in data["createUser"]["user"]["roles"]] == ["RESEARCHER"]
    # user.create and membership.grant.
    assert await _audit_count(owner_engine, tenant) == before + 2

    # Taken now: a Conflict, and again no audit row.
    data = await api(CREATE_USER, {"input": good})
    assert data["createUser"]["__typename"] == "ConflictError", data
    assert data["createUser"]["field"] == "username"
    assert await _audit_count(owner_engine, tenant) == before + 2


async def test_failed_mutation_next_to_a_good_one_keeps_only_the_good_one(
    as_user: Any, owner_engine: AsyncEngine
):
    """Each mutation field is its own savepoint: a typed error undoes only its own changes."""
    api = as_user(IPH_ADMIN)
    unit_gid = await _unit_gid(as_user, IPH_ADMIN)
    tenant = await _unit_uuid(owner_engine, "IPH")
    ok_name = f"pair-ok-{uuid.uuid4().hex[:8]}"
    bad_name = f"pair-bad-{uuid.uuid4().hex[:8]}"
    before = await _audit_count(owner_engine, tenant)
    query = """
    mutation($ok: CreateUserInput!, $bad: CreateUserInput!) {
      ok: createUser(input: $ok) { __typename }
      bad: createUser(input: $bad) { __typename ... on UserError { field } }
    }"""
    base = {"orgUnitId": unit_gid, "displayName": "Pair", "password": "Kq7-vwz!Pl0ngEnough"}
    data = await api(
        query,
        {
            "ok": {**base, "username": ok_name},
            "bad": {**base, "username": bad_name, "locale": "fr"},
        },
    )
    assert data["ok"]["__typename"] == "UserSaved"
    assert data["bad"] == {"__typename": "InvalidInputError", "field": "locale"}
    assert await _audit_count(owner_engine, tenant) == before + 1
    data = await api(CREATE_USER, {"input": {**base, "username": bad_name}})
    assert data["createUser"]["__typename"] == "UserSaved"


async def test_forbidden_mutation_changes_nothing(as_user: Any, owner_engine: AsyncEngine):
    api = as_user(IPH_RESEARCHER)
    unit_gid = await _unit_gid(as_user, IPH_ADMIN)
    tenant = await _unit_uuid(owner_engine, "IPH")
    username = f"forbidden-{uuid.uuid4().hex[:8]}"
    before = await _audit_count(owner_engine, tenant)
    data = await api(
        CREATE_USER,
        {
            "input": {
                "orgUnitId": unit_gid,
                "username": username,
                "displayName": "Nope",
                "password": "Kq7-vwz!Pl0ngEnough",
            }
        },
    )
    assert data["createUser"]["__typename"] == "ForbiddenError"
    assert await _audit_count(owner_engine, tenant) == before
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenants', '*', true)"))
        found = await conn.scalar(
            text("SELECT count(*) FROM users WHERE username = :u"), {"u": username}
        )
    assert found == 0
