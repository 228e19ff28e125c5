"""Fixtures of the oversight tests: the project flow helpers (for data made through the API in
the demo academy), and a small generated academy in a database of its own, so that its figures
are exact whatever the other tests write."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from databases import fresh_database
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.config import Settings
from server.datagen import AcademySpec, Manifest, generate
from server.db.engine import make_engine
from server.runtime import prepare
from server.seed import DemoUser

# The project flow helpers (sign-in tokens, propose, assess, review, ...) live with the
# project tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "projects"))

from oversight_support import GENERATED_PASSWORD, SMALL, Api
from project_support import Flow

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p, delivery: BODY)
  { __typename ... on SignedIn { accessToken } ... on UserError { code message } } }"""


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f


@dataclass
class Academy:
    """The generated academy's database, app and client; `manifest` counts everything generated
    into it so far (a test that appends more data absorbs the new manifest)."""

    url: str
    settings: Settings
    app: Any
    client: httpx.AsyncClient
    owner: AsyncEngine
    manifest: Manifest
    demo: dict[str, DemoUser]
    tokens: dict[str, str] = field(default_factory=dict)

    async def api(self, username: str) -> Api:
        if username not in self.tokens:
            password = self.demo[username].password if username in self.demo else None
            response = await self.client.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"u": username, "p": password or GENERATED_PASSWORD},
                },
            )
            signed_in = response.json()["data"]["login"]
            assert signed_in["__typename"] == "SignedIn", signed_in
            self.tokens[username] = signed_in["accessToken"]
        return Api(self.client, self.tokens[username])

    @property
    def engine(self) -> AsyncEngine:
        """The app's engine: every statement a request sends goes through it."""
        return self.app.state.engine  # type: ignore[no-any-return]

    async def append(self, spec: AcademySpec) -> Manifest:
        more = await generate(self.owner, replace(spec, append=True))
        self.manifest.absorb(more)
        return more


@pytest.fixture(scope="session")
async def academy(
    server_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Academy]:
    """The demo academy plus a generated one (SMALL), in a database created for these tests."""
    async with fresh_database(server_url, "stsec_test_academy") as url:
        own = replace(settings, database_url=url, data_dir=tmp_path_factory.mktemp("academy"))
        demo = {u.username: u for u in await prepare(own, url, seed=True)}
        owner = make_engine(url, pool_size=2)
        manifest = await generate(owner, SMALL)
        app = create_app(own, url)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Academy(url, own, app, client, owner, manifest, demo)
        await app.state.engine.dispose()
        await owner.dispose()
