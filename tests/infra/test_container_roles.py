"""The processes as the container runs them: the API with no owner credentials
(`serve --no-migrate`), unready until the migration job has run, then ready without a restart;
the migration job seeding the demo academy when SEED_DEMO is on."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from databases import fresh_database, libpq
from infra_support import ROOT
from local_servers import answered, free_port

from server.config import Settings
from server.encryption import new_key
from server.runtime import application_url


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    """Owner URL of a database no migration has touched."""
    async with fresh_database(server_url, "stsec_infra") as url:
        yield url


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "APP_DATABASE_URL", "REDIS_URL", "SMTP_HOST", "SEED_DEMO"}
    }
    return (
        keep
        | {
            "DATA_DIR": str(tmp / "var"),
            "SECRET_KEY": "container-roles-test",
            "IN_PROCESS_WORKERS": "false",
            "LOG_LEVEL": "WARNING",
        }
        | extra
    )


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_api_without_an_application_url_refuses_to_start(tmp_path: Path) -> None:
    result = _cli("serve", "--no-migrate", env=_env(tmp_path))
    assert result.returncode == 2
    assert "--no-migrate connects with APP_DATABASE_URL" in result.stderr


async def test_the_api_is_unready_until_the_migration_job_then_ready_without_a_restart(
    empty_database: str,
    settings: Settings,
    tmp_path: Path,
    serve: list[subprocess.Popen[bytes]],
) -> None:
    app_url = application_url(settings, empty_database)
    await asyncio.to_thread(_api_then_job, empty_database, app_url, tmp_path, serve)
    owner = await asyncpg.connect(libpq(empty_database))
    try:
        seeded = "SELECT count(*) FROM logins WHERE username = 'iph.researcher'"
        assert await owner.fetchval(seeded) == 1, "the job ran twice and seeded once"
    finally:
        await owner.close()


def _api_then_job(
    owner_url: str, app_url: str, tmp_path: Path, serve: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    api_env = _env(
        tmp_path,
        APP_DATABASE_URL=app_url,
        PORT=str(port),
        APP_ENV="production",
        DATA_ENCRYPTION_KEYS=new_key(),
    )
    with (tmp_path / "api.log").open("wb") as log:
        serve.append(
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--no-migrate"],
                cwd=ROOT,
                env=api_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    base = f"http://127.0.0.1:{port}"
    assert answered(f"{base}/healthz", 200).json() == {"status": "ok"}
    unready = answered(f"{base}/readyz", 503)
    assert unready.json()["status"] == "unavailable"

    # The migration job: the owner role, SEED_DEMO on (as in infra/.env.example).
    job_env = _env(tmp_path, DATABASE_URL=owner_url, SEED_DEMO="true")
    job = _cli("migrate", env=job_env)
    assert job.returncode == 0, job.stderr
    assert "migrations applied" in job.stdout
    assert "Demo sign-ins" in job.stderr and "iph.researcher" in job.stderr

    ready = answered(f"{base}/readyz", 200)
    assert ready.json()["status"] == "ready"
    # The API signs the demo researcher in: it reads the data the job wrote.
    password = next(
        line.split("\t")[1]
        for line in (tmp_path / "var/demo-users.txt").read_text().splitlines()
        if line.startswith("iph.researcher\t")
    )
    signed_in = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p, "
            "delivery: BODY) { __typename } }",
            "variables": {"u": "iph.researcher", "p": password},
        },
        timeout=30,
    ).json()
    assert signed_in["data"]["login"]["__typename"] == "SignedIn"

    # Run again (a re-applied job): nothing to do, nothing seeded twice.
    again = _cli("migrate", env=job_env)
    assert again.returncode == 0 and "migrations applied" in again.stdout
