"""Real worker and scheduler processes against the real PostgreSQL and the real Redis on
127.0.0.1:6379, each test in a Redis namespace of its own."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)

sys.path.insert(0, str(ROOT / "tests" / "projects"))
sys.path.insert(0, str(ROOT / "tests" / "notices"))

from project_support import Flow  # noqa: E402


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not _redis_up():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Redis on 127.0.0.1:6379 is required (REQUIRE_SERVICES=1)")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
def namespace() -> str:
    return f"stsec-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f


class Processes:
    """Start `python -m server.cli ...` with the test database; stop them all at the end."""

    def __init__(self, owner_url: str, tmp: Path, data_keys: tuple[str, ...]) -> None:
        self.owner_url = owner_url
        self.tmp = tmp
        # The test process's keys, so a worker opens the webhook secrets the tests sealed.
        self.data_keys = ",".join(data_keys)
        self.started: list[subprocess.Popen[bytes]] = []

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "SMTP"))}
        return (
            keep
            | {
                "DATABASE_URL": self.owner_url,
                "DATA_DIR": str(self.tmp / "var"),
                "SECRET_KEY": "worker-tests",
                "DATA_ENCRYPTION_KEYS": self.data_keys,
                "OUTBOX_LEASE_SECONDS": "3",
                "OUTBOX_POLL_SECONDS": "0.2",
                "OUTBOX_RETRY_BASE_SECONDS": "0.5",
                "WORKER_THREADS": "2",
                "LOG_LEVEL": "INFO",
            }
            | extra
        )

    def start(self, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        n = len(self.started)
        with (self.tmp / f"proc-{n}-{args[0]}.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", *args],
                cwd=ROOT,
                env=self.env(**extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(proc)
        return proc

    def output(self, proc: subprocess.Popen[bytes]) -> str:
        n = self.started.index(proc)
        return next(self.tmp.glob(f"proc-{n}-*.log")).read_text()

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def processes(
    owner_url: str, tmp_path: Path, demo_users: Any, settings: Any
) -> Iterator[Processes]:
    procs = Processes(owner_url, tmp_path, settings.data_encryption_keys)
    yield procs
    procs.stop_all()


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, seconds: float = 60, what: str = "condition"
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class RedisProxy:
    """A TCP proxy in front of the real Redis that can be cut and restored: the broker "down"
    and "back" for the processes that connect through it."""

    def __init__(self) -> None:
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> int:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self.port

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(REDIS)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    # Accepted just as the proxy was cut: this connection must not survive.
                    client.close()
                    upstream.close()
                    continue
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def stop(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            # Shut down first: that wakes the thread blocked in accept(), so the port is free
            # for start() to bind again at once.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[RedisProxy]:
    proxy = RedisProxy()
    yield proxy
    proxy.stop()
