"""Fixtures of the browser tests: the real server with the built web app, and Debian's chromium.

The server runs as `python -m server.cli serve` in a process of its own, on a database of its
own (created here on the test run's PostgreSQL server and seeded by `serve`), so its in-process
outbox relay and worker deliver notices as in `make run` without touching the events the other
suites deliver themselves. Browsers are never downloaded: Playwright drives `chromium` from PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from local_servers import free_port
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from portal_support import NewPage, Portal, accept_dialogs, new_page, seed_portal, sign_in
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"

# DESIGN.md, "Facts about the stack": the flags Debian's chromium runs with here.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        _missing("browser tests need Debian's chromium (apt-get install chromium)")
    assert path is not None
    if not (ROOT / "web" / "dist" / "index.html").exists():
        _missing("browser tests need the built web app (make web)")
    return path


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
async def portal_db(server_url: str, chromium_path: str) -> AsyncIterator[str]:
    """Owner URL of a fresh database for the portal's server, dropped afterwards."""
    name = f"stsec_web_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_libpq(server_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(_libpq(server_url))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="module")
def portal(portal_db: str) -> Iterator[Portal]:
    """The server on a free port, seeded with the demo academy and a returned project."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="stsec-web-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"APP_DATABASE_URL", "REDIS_URL"}}
        env.update(
            {
                "DATABASE_URL": portal_db,
                "SEED_DEMO": "1",
                "IN_PROCESS_WORKERS": "1",
                "DATA_DIR": data_dir,
                "PORT": str(port),
                "LOG_LEVEL": "WARNING",
            }
        )
        log = Path(data_dir) / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, proc, log)
            lines = (Path(data_dir) / "demo-users.txt").read_text().splitlines()
            passwords = {line.split("\t")[0]: line.split("\t")[1] for line in lines}
            portal = Portal(base, passwords)
            seed_portal(portal)
            yield portal
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server did not become ready:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield b
        await b.close()


@pytest.fixture
async def signed_in(browser: Browser, portal: Portal) -> AsyncIterator[NewPage]:
    """Sign a user in (keyboard only) in a new context; the confirmations they see are kept."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    async def open_as(user: str, width: int = 1280) -> tuple[Page, list[str]]:
        context, page = await new_page(browser, portal, problems, who=user, width=width)
        contexts.append(context)
        dialogs: list[str] = []
        accept_dialogs(page, dialogs)
        await sign_in(page, portal, user)
        return page, dialogs

    yield open_as
    for context in contexts:
        await context.close()
    assert not problems, problems
