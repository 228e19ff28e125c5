"""Benchmark harness: results file, the app served over real HTTP, a load generator, demo rows.

Run with `make bench`. Figures accumulate in `var/bench/results.json` (one key per benchmark).
Knobs (environment): BENCH_CONCURRENCY (16), BENCH_REQUESTS (2000, the viewer query),
BENCH_LIST_REQUESTS (500, each run of the list comparison; lists are slow), BENCH_CLIENT
(`subprocess`, the default, runs the load generator in a child process; `inprocess` runs it on
the server's own event loop), BENCH_AUTHZ_SECONDS (time budget per authorization case, 1.0).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import loadgen
import pytest
import structlog
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import logging as app_logging
from server.auth import passwords
from server.auth.principal import SYSTEM
from server.config import Settings
from server.db.engine import ALL_TENANTS, scope
from server.tenancy import service
from server.tenancy.models import OrgUnit
from server.tenancy.roles import Role

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "var" / "bench" / "results.json"
LOADGEN = Path(loadgen.__file__).resolve()


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


CONCURRENCY = _int_env("BENCH_CONCURRENCY", 16)
REQUESTS = _int_env("BENCH_REQUESTS", 2000)
LIST_REQUESTS = _int_env("BENCH_LIST_REQUESTS", 500)
CLIENT = os.environ.get("BENCH_CLIENT", "subprocess")
AUTHZ_SECONDS = float(os.environ.get("BENCH_AUTHZ_SECONDS", "") or 1.0)


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def git_commit() -> str | None:
    """The commit the figures belong to, with `+dirty` when the work tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Merge one benchmark's figures into the results file; keep every other benchmark's."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(RESULTS.read_text())
        if not isinstance(data, dict):
            data = {}
    except (FileNotFoundError, json.JSONDecodeError):
        data = {}
    entry = {"timestamp": now(), "git_commit": git_commit(), "machine": machine(), **figures}
    data.setdefault("benchmarks", {})[name] = entry
    data["updated_at"] = entry["timestamp"]
    data["machine"] = entry["machine"]
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.replace(RESULTS)
    return entry


@pytest.fixture(scope="session")
def bench_record() -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    return record


@pytest.fixture(scope="session")
def production_logging(settings: Settings) -> Iterator[None]:
    """Log as the server does (structlog JSON, one line per request), but discard the lines.

    The rendering cost stays in the measurement; the terminal and pytest's capture stay quiet.
    """
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    app_logging.configure(settings.log_level)
    # The lines are rendered by the real formatter, then written nowhere.
    with open(os.devnull, "w") as sink:
        for handler in root.handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(sink)
        yield
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()


# ---------------------------------------------------------------------------------------------
# Real HTTP: uvicorn in this process and event loop, on a free loopback port.


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1:<free port>; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        backlog=1024,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture(scope="session")
def serve_app(production_logging: None) -> Callable[[Any], AbstractAsyncContextManager[str]]:
    return serve


@dataclass(frozen=True)
class BenchSettings:
    concurrency: int
    requests: int
    list_requests: int
    client: str
    authz_seconds: float

    def warmup(self, requests: int) -> int:
        return max(self.concurrency * 4, requests // 20)

    def describe(self, requests: int) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "requests": requests,
            "warmup_requests": self.warmup(requests),
            "client": f"httpx.AsyncClient, {self.concurrency} workers, keep-alive, "
            + ("child process" if self.client == "subprocess" else "server's event loop"),
            "server": "uvicorn in the test process (asyncio loop, httptools), one worker",
        }


@pytest.fixture(scope="session")
def bench_settings() -> BenchSettings:
    if CLIENT not in {"subprocess", "inprocess"}:
        raise pytest.UsageError("BENCH_CLIENT is subprocess or inprocess")
    return BenchSettings(CONCURRENCY, REQUESTS, LIST_REQUESTS, CLIENT, AUTHZ_SECONDS)


async def _load_in_child(spec: dict[str, Any]) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(LOADGEN),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(json.dumps(spec).encode())
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode}): {err.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.fixture(scope="session")
def load(bench_settings: BenchSettings) -> Callable[..., Awaitable[dict[str, Any]]]:
    """`await load(url, method=..., headers=..., body=..., reject_substring=...)` → figures."""

    async def run(url: str, **spec: Any) -> dict[str, Any]:
        spec.setdefault("concurrency", bench_settings.concurrency)
        spec.setdefault("total", bench_settings.requests)
        spec.setdefault("warmup", bench_settings.warmup(spec["total"]))
        if bench_settings.client == "inprocess":
            result = await loadgen.run_load(url, **spec)
        else:
            result = await _load_in_child({"url": url, **spec})
        assert result["failures"] == 0, result["first_failure"]
        assert result["requests"] == spec["total"]
        return result

    return run


# ---------------------------------------------------------------------------------------------
# Data: many users in one institute, created through the tenancy service.

BENCH_INSTITUTE = "IPH"
BENCH_ADMIN = "iph.tenant-admin"
BENCH_USER_COUNT = 120
BENCH_PASSWORD = "Bench-Pass-4711!"


@pytest.fixture(scope="session")
async def bench_users(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], demo_users: Any
) -> dict[str, Any]:
    """120 more users in IPH (usernames `bench.u000`…, sorting before the demo `iph.*` ones).

    Through `service.create_user` (audit rows, the global login directory, memberships), with
    argon2 hashed once: the service's hash call returns that hash, so seeding takes a second.
    """
    precomputed = passwords.hash_password(BENCH_PASSWORD)
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        unit = (
            await session.execute(select(OrgUnit).where(OrgUnit.code == BENCH_INSTITUTE))
        ).scalar_one()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(passwords, "hash_password", lambda _password: precomputed)
            for i in range(BENCH_USER_COUNT):
                roles = [Role.RESEARCHER] + ([Role.SAFETY_MANAGEMENT] if i % 3 == 0 else [])
                await service.create_user(
                    session,
                    SYSTEM,
                    settings,
                    unit_id=unit.id,
                    username=f"bench.u{i:03d}",
                    display_name=f"Bench User {i:03d}",
                    password=BENCH_PASSWORD,
                    email=f"bench.u{i:03d}@iph.example.org",
                    locale="en" if i % 2 else "zh",
                    roles=roles,
                )
        await session.commit()
    return {"unit_id": unit.id, "count": BENCH_USER_COUNT}
