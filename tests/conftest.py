"""Shared fixtures: a real PostgreSQL database per test run, the app, and signed-in clients.

The server is `DATABASE_URL` when set (as in CI), otherwise an embedded PostgreSQL in a temporary
directory. Each run gets a fresh database, migrated to head and seeded with the demo academy.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from databases import fresh_database
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.app import create_app
from server.config import Settings
from server.db import embedded
from server.db.engine import make_engine, session_factory
from server.runtime import application_url, prepare
from server.seed import DemoUser


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="stsec-test-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def server_url(data_dir: Path) -> Iterator[str]:
    """Owner URL of the PostgreSQL server the tests use."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    yield embedded.start(data_dir)
    embedded.stop(data_dir)


@pytest.fixture(scope="session")
async def owner_url(server_url: str) -> AsyncIterator[str]:
    """A fresh database for this run, created and dropped here."""
    async with fresh_database(server_url, "stsec_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(data_dir: Path, owner_url: str) -> Settings:
    os.environ.setdefault("DATA_DIR", str(data_dir))
    base = Settings.from_env()
    return replace(
        base,
        data_dir=data_dir,
        database_url=owner_url,
        secret_key=secrets.token_urlsafe(32),
        production=False,
        # Tests sign in often from one address; the throttle test sets its own limits.
        login_address_max_attempts=10_000,
        # Tests deliver outbox events themselves (tests/notices) or start real worker processes.
        in_process_workers=False,
        redis_url=None,
        smtp_host=None,
    )


@pytest.fixture(scope="session")
async def demo_users(settings: Settings, owner_url: str) -> dict[str, DemoUser]:
    users = await prepare(settings, owner_url, seed=True)
    return {u.username: u for u in users}


@pytest.fixture(scope="session")
async def app_engine(
    settings: Settings, owner_url: str, demo_users: Any
) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(application_url(settings, owner_url), pool_size=4)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(app_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(app_engine)


@pytest.fixture(scope="session")
async def owner_engine(owner_url: str, demo_users: Any) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(owner_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, owner_url: str, demo_users: Any) -> AsyncIterator[Any]:
    application = create_app(settings, owner_url)
    yield application
    await application.state.engine.dispose()


class Api:
    """A GraphQL client over the real ASGI app, optionally signed in."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a query that must succeed at the HTTP and GraphQL level; return `data`."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


LOGIN = """
mutation($u: String!, $p: String!) {
  login(username: $u, password: $p, delivery: BODY) {
    __typename
    ... on SignedIn { accessToken refreshToken }
    ... on UserError { code message }
  }
}
"""


@pytest.fixture(scope="session")
async def tokens(client: httpx.AsyncClient, demo_users: dict[str, DemoUser]) -> dict[str, str]:
    """Access tokens of every demo user, signed in once per run."""
    api = Api(client)
    out = {}
    for username, user in demo_users.items():
        data = await api(LOGIN, {"u": username, "p": user.password})
        assert data["login"]["__typename"] == "SignedIn", data
        out[username] = data["login"]["accessToken"]
    return out


@pytest.fixture(scope="session")
def as_user(client: httpx.AsyncClient, tokens: dict[str, str]) -> Any:
    def make(username: str) -> Api:
        return Api(client, tokens[username])

    return make


@pytest.fixture
def anon(client: httpx.AsyncClient) -> Api:
    return Api(client)
