"""Redis with Sentinel (infra/README.md): a worker finds the primary through the Sentinels, and
keeps delivering after a failover, without a restart. Real redis-server processes: a primary, a
replica and a Sentinel, each on a port of its own."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from conftest import Processes, wait_for
from local_servers import free_port
from notice_support import notices_about, report_incident
from test_processes import EXPECTED

from server.config import Settings
from server.outbox.redis_connection import redis_client

MASTER = "stsec"


@dataclass
class SentinelSet:
    primary: int
    replica: int
    sentinel: int

    def primary_port(self) -> int:
        addr = redis.Redis(port=self.sentinel).execute_command(
            "SENTINEL", "get-master-addr-by-name", MASTER
        )
        return int(addr[1])


def _up(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[SentinelSet]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed (Debian's redis-server package runs the CI's Redis)")
    ports = SentinelSet(free_port(), free_port(), free_port())
    base = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {ports.sentinel}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {ports.primary} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 5000\n"
    )
    procs = [
        subprocess.Popen([server, "--port", str(ports.primary), *base]),
        subprocess.Popen(
            [
                server,
                "--port",
                str(ports.replica),
                "--replicaof",
                "127.0.0.1",
                str(ports.primary),
                *base,
            ]
        ),
    ]
    deadline = time.monotonic() + 30
    while not (_up(ports.primary) and _up(ports.replica)) and time.monotonic() < deadline:
        time.sleep(0.1)
    procs.append(subprocess.Popen([server, str(config), "--sentinel"]))
    while time.monotonic() < deadline:
        info = redis.Redis(port=ports.replica).info("replication") if _up(ports.replica) else {}
        known = _up(ports.sentinel) and ports.primary_port() == ports.primary
        if known and info.get("master_link_status") == "up":
            break
        time.sleep(0.2)
    else:
        pytest.fail("the Sentinel set did not come up")
    yield ports
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=10)


def test_the_client_asks_the_sentinels_for_the_primary(
    sentinels: SentinelSet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "sentinel-test")
    monkeypatch.setenv("REDIS_URL", f"redis://{MASTER}/0")
    monkeypatch.setenv("REDIS_SENTINELS", f"127.0.0.1:{sentinels.sentinel}")
    settings = Settings.from_env()
    assert settings.redis_sentinels == (("127.0.0.1", sentinels.sentinel),)
    client = redis_client(settings)
    client.set("stsec-sentinel-probe", "written")
    # Written to the primary the Sentinel names, and replicated.
    assert redis.Redis(port=sentinels.primary).get("stsec-sentinel-probe") == b"written"


def test_sentinels_need_a_redis_url_and_host_port_pairs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "sentinel-test")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("REDIS_SENTINELS", "127.0.0.1:26379")
    with pytest.raises(ValueError, match="REDIS_SENTINELS needs REDIS_URL"):
        Settings.from_env()
    monkeypatch.setenv("REDIS_URL", f"redis://{MASTER}/0")
    monkeypatch.setenv("REDIS_SENTINELS", "sentinel-a:26379,redis://b:26379")
    with pytest.raises(ValueError, match="REDIS_SENTINELS lists host:port pairs"):
        Settings.from_env()


async def test_a_worker_keeps_delivering_across_a_failover(
    flow, sessions, processes: Processes, sentinels: SentinelSet, namespace: str
) -> None:
    processes.start(
        "worker",
        REDIS_URL=f"redis://{MASTER}/0",
        REDIS_SENTINELS=f"127.0.0.1:{sentinels.sentinel}",
        REDIS_NAMESPACE=namespace,
    )
    before = await report_incident(flow, title="哨兵切换之前")

    async def delivered(incident: str = before) -> bool:
        return await notices_about(sessions, incident) == EXPECTED

    await wait_for(delivered, seconds=90, what="notices through the Sentinels' primary")

    redis.Redis(port=sentinels.sentinel).execute_command("SENTINEL", "FAILOVER", MASTER)

    async def switched() -> bool:
        return await asyncio.to_thread(sentinels.primary_port) == sentinels.replica

    await wait_for(switched, seconds=60, what="the Sentinel to promote the replica")
    after = await report_incident(flow, title="哨兵切换之后")

    async def delivered_after(incident: str = after) -> bool:
        return await notices_about(sessions, incident) == EXPECTED

    await wait_for(delivered_after, seconds=180, what="notices after the failover")

    # The old primary is a read-only replica now: every message since went to the new one.
    async def demoted() -> bool:
        role = await asyncio.to_thread(redis.Redis(port=sentinels.primary).role)
        return bool(role[0] == b"slave")

    await wait_for(demoted, seconds=30, what="the old primary to follow the new one")
