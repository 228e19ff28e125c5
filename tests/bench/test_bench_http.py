"""The real app over real HTTP under concurrent load, and GraphQL against plain JSON for one list.

Both servers run with uvicorn in this process on loopback ports; the load generator
(`loadgen.py`, httpx) runs in a child process by default. The GraphQL/plain-JSON ratio for the
same 100 rows is the figure to watch (DESIGN.md, "Facts about the stack").
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import strawberry.schema.schema as strawberry_schema
from sql_statements import sql_statements
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from schema.relay import to_global_id
from server.db.engine import scope
from server.tenancy.models import User

pytestmark = pytest.mark.bench

VIEWER_USER = "iph.researcher"
LIST_USER = "iph.tenant-admin"
PAGE = 100

VIEWER = """
query Viewer {
  viewer {
    user { id username displayName locale }
    orgUnit { id code name }
    roles { role titleZh }
    seesAllUnits
    locale
  }
}
"""
UNIT_OF_VIEWER = "query Unit { viewer { orgUnit { id code } } }"
USERS = """
query Users($unit: ID!, $first: Int!) {
  users(orgUnitId: $unit, first: $first) { nodes { id username displayName email locale } }
}
"""
USERS_NESTED = """
query UsersNested($unit: ID!, $first: Int!) {
  users(orgUnitId: $unit, first: $first) {
    nodes { id username displayName email locale roles { role } orgUnit { code } }
  }
}
"""


def graphql_body(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": "application/json"}


@contextmanager
def db_connects(engine: AsyncEngine) -> Iterator[list[int]]:
    """Count new database connections the pool opens while the block runs."""
    opened = [0]

    def connect(dbapi_connection: Any, connection_record: Any) -> None:
        opened[0] += 1

    event.listen(engine.sync_engine, "connect", connect)
    try:
        yield opened
    finally:
        event.remove(engine.sync_engine, "connect", connect)


async def measured(engine: AsyncEngine, load: Any, url: str, **spec: Any) -> dict[str, Any]:
    """One load run, with the connections the app's pool opened meanwhile (warm-up included)."""
    with db_connects(engine) as opened:
        result: dict[str, Any] = await load(url, **spec)
    result["new_db_connections"] = opened[0]
    return result


async def validations_per_request(
    base_url: str, token: str, query: str, variables: dict[str, Any] | None = None, n: int = 20
) -> float:
    """How often graphql-core validates a document already seen, per request (0 when cached).

    Counted by wrapping the `validate` that strawberry calls; parsed and validated documents
    are meant to be cached (DESIGN.md), so anything above 0 is work repeated on every request.
    """
    await graphql(base_url, token, query, variables)
    calls = 0
    original = strawberry_schema.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(strawberry_schema, "validate", counting)
        for _ in range(n):
            await graphql(base_url, token, query, variables)
    return calls / n


async def graphql(
    base_url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{base_url}/graphql", content=graphql_body(query, variables), headers=bearer(token)
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    return body


def plain_json_app(sessions: async_sessionmaker[AsyncSession]) -> Starlette:
    """The baseline: the same rows as JSON from Starlette, no GraphQL, no gate, no sign-in.

    Same engine, same transaction shape as a GraphQL request (scope the tenant, select, commit),
    same ORM entities and the same response document, so only the layers in between differ.
    """

    async def users(request: Request) -> JSONResponse:
        unit = uuid.UUID(request.query_params["unit"])
        first = int(request.query_params.get("first", "100"))
        async with sessions() as session:
            await scope(session, [unit])
            stmt = select(User).where(User.tenant_id == unit).order_by(User.username).limit(first)
            rows = (await session.execute(stmt)).scalars().all()
            await session.commit()
        nodes = [
            {
                "id": to_global_id("User", u.tenant_id, u.id),
                "username": u.username,
                "displayName": u.display_name,
                "email": u.email,
                "locale": u.locale,
            }
            for u in rows
        ]
        return JSONResponse({"data": {"users": {"nodes": nodes}}})

    async def noop(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/users", users), Route("/noop", noop)])


async def test_viewer_under_load(
    app: Any,
    tokens: dict[str, str],
    serve_app: Any,
    load: Any,
    bench_record: Any,
    bench_settings: Any,
) -> None:
    token = tokens[VIEWER_USER]
    async with serve_app(app) as base:
        body = await graphql(base, token, VIEWER)
        assert body["data"]["viewer"]["user"]["username"] == VIEWER_USER
        with sql_statements(app.state.engine) as statements:
            await graphql(base, token, VIEWER)
        validations = await validations_per_request(base, token, VIEWER)
        result = await measured(
            app.state.engine,
            load,
            f"{base}/graphql",
            method="POST",
            headers=bearer(token),
            body=graphql_body(VIEWER),
            reject_substring='"errors"',
        )
    entry = bench_record(
        "graphql_viewer",
        {
            "description": f"POST /graphql viewer query as {VIEWER_USER} (sign-in check, "
            "principal from the database, user, org unit, roles)",
            **bench_settings.describe(bench_settings.requests),
            "sql_statements_per_request": len(statements),
            "sql_statements": statements,
            "graphql_validations_per_repeated_request": validations,
            "result": result,
        },
    )
    print(json.dumps(entry, indent=2))


async def test_graphql_list_vs_plain_json(
    app: Any,
    tokens: dict[str, str],
    bench_users: dict[str, Any],
    serve_app: Any,
    load: Any,
    bench_record: Any,
    bench_settings: Any,
) -> None:
    token = tokens[LIST_USER]
    engine: AsyncEngine = app.state.engine
    baseline = plain_json_app(app.state.sessions)
    async with serve_app(app) as gql_base, serve_app(baseline) as plain_base:
        unit = (await graphql(gql_base, token, UNIT_OF_VIEWER))["data"]["viewer"]["orgUnit"]
        assert unit["code"] == "IPH"
        assert unit["id"] == to_global_id("OrgUnit", bench_users["unit_id"])

        # No N+1: the statements per request do not grow with the page size.
        statements: dict[str, dict[int, list[str]]] = {"flat": {}, "nested": {}}
        for name, query in (("flat", USERS), ("nested", USERS_NESTED)):
            for first in (10, PAGE):
                with sql_statements(engine) as seen:
                    body = await graphql(
                        gql_base, token, query, {"unit": unit["id"], "first": first}
                    )
                nodes = body["data"]["users"]["nodes"]
                assert len(nodes) == first
                if name == "nested":
                    assert all(n["orgUnit"]["code"] == "IPH" and n["roles"] for n in nodes)
                statements[name][first] = seen
        for name, by_size in statements.items():
            assert len(by_size[10]) == len(by_size[PAGE]), (name, by_size)

        # The baseline serves the very same document.
        variables = {"unit": unit["id"], "first": PAGE}
        expected = await graphql(gql_base, token, USERS, variables)
        plain_url = f"{plain_base}/users?unit={bench_users['unit_id']}&first={PAGE}"
        async with httpx.AsyncClient(timeout=30) as client:
            plain_body = (await client.get(plain_url)).json()
        assert plain_body == expected

        gql_headers = bearer(token)
        n = bench_settings.list_requests
        runs = {
            "graphql_list_100": await measured(
                engine,
                load,
                f"{gql_base}/graphql",
                method="POST",
                headers=gql_headers,
                body=graphql_body(USERS, variables),
                reject_substring='"errors"',
                total=n,
            ),
            "plain_json_list_100": await measured(engine, load, plain_url, total=n),
            "graphql_list_100_nested": await measured(
                engine,
                load,
                f"{gql_base}/graphql",
                method="POST",
                headers=gql_headers,
                body=graphql_body(USERS_NESTED, variables),
                reject_substring='"errors"',
                total=n,
            ),
            "harness_ceiling_noop": await measured(engine, load, f"{plain_base}/noop", total=n),
        }
    gql_rps = runs["graphql_list_100"]["requests_per_second"]
    plain_rps = runs["plain_json_list_100"]["requests_per_second"]
    entry = bench_record(
        "graphql_vs_plain_list_100",
        {
            "description": f"{PAGE} users x 5 fields (id username displayName email locale) of "
            f"one institute: GraphQL `users` as {LIST_USER} vs the same rows and document as "
            "plain JSON from a bare Starlette route (same engine, scope, select, commit; no "
            "sign-in, no gate). `nested` adds roles { role } and orgUnit { code } per user. "
            "`harness_ceiling_noop` is a constant JSON route: the most this client and server "
            "pair can do.",
            **bench_settings.describe(bench_settings.list_requests),
            "ratio_graphql_to_plain": round(gql_rps / plain_rps, 4),
            "plain_over_graphql_x": round(plain_rps / gql_rps, 2),
            "sql_statements_per_request": {
                name: {str(first): len(seen) for first, seen in by_size.items()}
                for name, by_size in statements.items()
            },
            "sql_statements_nested_100": statements["nested"][PAGE],
            "runs": runs,
        },
    )
    print(json.dumps(entry, indent=2, ensure_ascii=False))
