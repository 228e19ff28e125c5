"""One API process as the container runs it (`serve --no-migrate`, production settings, a
process of its own), and the worker and scheduler at rest: requests per second, latency and
resident memory, the figures infra/README.md sizes replicas, requests and limits with."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from local_servers import answered, free_port
from test_bench_http import VIEWER, bearer, graphql_body

from server.config import Settings
from server.runtime import application_url

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise AssertionError("no VmRSS")


def _env(settings: Settings, owner_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return (
        keep
        | {
            "APP_ENV": "production",
            "DATA_ENCRYPTION_KEYS": ",".join(settings.data_encryption_keys),
            "SECRET_KEY": settings.secret_key,
            "APP_DATABASE_URL": application_url(settings, owner_url),
            "DATA_DIR": str(tmp),
            "IN_PROCESS_WORKERS": "false",
            "LOG_LEVEL": "WARNING",
            "LOGIN_ADDRESS_MAX_ATTEMPTS": "100000",
        }
        | extra
    )


async def _start(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_one_api_process_and_the_workers_at_rest(
    settings: Settings,
    owner_url: str,
    tokens: dict[str, str],
    load: Any,
    bench_record: Any,
    bench_settings: Any,
    tmp_path: Path,
) -> None:
    port = free_port()
    env = _env(settings, owner_url, tmp_path, PORT=str(port))
    api = await _start(["serve", "--no-migrate"], env)
    others: list[asyncio.subprocess.Process] = []
    try:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(answered, f"{base}/readyz")
        at_rest = rss_mib(api.pid)
        result = await load(
            f"{base}/graphql",
            method="POST",
            headers=bearer(tokens["iph.researcher"]),
            body=graphql_body(VIEWER),
            reject_substring='"errors"',
        )
        under_load = rss_mib(api.pid)
        for role in ("worker", "scheduler"):
            extra = {"REDIS_URL": REDIS, "REDIS_NAMESPACE": "stsec-bench-process"}
            others.append(await _start([role], _env(settings, owner_url, tmp_path, **extra)))
        await asyncio.sleep(8)
        roles = ("worker", "scheduler")
        workers = {role: rss_mib(p.pid) for role, p in zip(roles, others, strict=True)}
    finally:
        for proc in [api, *others]:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
    entry = bench_record(
        "api_process",
        {
            "description": "POST /graphql viewer against `serve --no-migrate` in a process of "
            "its own (production settings, one uvicorn worker, JSON logs at WARNING)",
            **bench_settings.describe(bench_settings.requests),
            "api_rss_mib_at_rest": at_rest,
            "api_rss_mib_after_load": under_load,
            "worker_rss_mib_at_rest": workers["worker"],
            "scheduler_rss_mib_at_rest": workers["scheduler"],
            "result": result,
        },
    )
    print(json.dumps(entry, indent=2))
    assert under_load > 0 and result["requests"] == bench_settings.requests
