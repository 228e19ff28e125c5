"""The upload endpoint streams end to end: 200 MiB through the real server, little memory added.

The server runs as its own process (`server.cli serve` against the test database, documents on
local disk). After a warm-up upload its peak RSS (VmHWM) is reset through /proc/<pid>/clear_refs
and its current RSS noted; after the big upload the peak is read again. Peak minus baseline is
the most the upload added at any moment — HTTP parsing, hashing, type detection and the write
to storage included.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

REPOSITORY = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024
FILE_MIB = 200
MAX_GROWTH_MIB = 60
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p, delivery: BODY) "
    "{ ... on SignedIn { accessToken } } }"
)
START = """mutation($u: ID!) { startUpload(input: {fileName: "big.pdf", newDocument: {
  attachedTo: {type: ORG_UNIT, id: $u}, kind: OTHER, sensitivity: INTERNAL, title: "大文件"}})
  { ... on UploadStarted { ticket { uploadUrl } } ... on UserError { code message } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _file(total_mib: int) -> Iterator[bytes]:
    yield b"%PDF-1.7\n" + b"\0" * (MiB - 9)
    block = b"\0" * MiB
    for _ in range(total_mib - 1):
        yield block


def _upload(base: str, token: str, unit: str, total_mib: int) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    started = httpx.post(
        f"{base}/graphql", json={"query": START, "variables": {"u": unit}}, headers=headers
    ).json()
    url = started["data"]["startUpload"]["ticket"]["uploadUrl"]
    return httpx.put(f"{base}{url}", content=_file(total_mib), headers=headers, timeout=300)


def _run(owner_url: str, data_dir: Path, user: Any) -> dict[str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": owner_url,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "SEED_DEMO": "0",
        "SECRET_KEY": "streaming-test-secret-key-0123456789",
        "UPLOAD_MAX_BYTES": str(300 * MiB),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise AssertionError("the server did not become ready")
        login = httpx.post(
            f"{base}/graphql",
            json={"query": LOGIN, "variables": {"u": user.username, "p": user.password}},
        )
        token = login.json()["data"]["login"]["accessToken"]
        viewer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { orgUnit { id } } }"},
            headers={"authorization": f"Bearer {token}"},
        )
        unit = viewer.json()["data"]["viewer"]["orgUnit"]["id"]
        warm = _upload(base, token, unit, 2)
        assert warm.status_code == 201, warm.text
        baseline = _status_kib(server.pid, "VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")
        big = _upload(base, token, unit, FILE_MIB)
        assert big.status_code == 201, big.text
        assert big.json()["size"] == FILE_MIB * MiB
        peak = _status_kib(server.pid, "VmHWM")
        return {"baseline_mib": baseline / 1024, "peak_mib": peak / 1024}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)


async def test_upload_endpoint_streams_a_file_far_larger_than_the_memory_it_adds(
    owner_url: str, demo_users: Any, tmp_path: Path
):
    figures = await asyncio.to_thread(
        _run, owner_url, tmp_path, demo_users["iph.coordination-leader"]
    )
    growth = figures["peak_mib"] - figures["baseline_mib"]
    print(
        f"server RSS {figures['baseline_mib']:.1f} MiB, peak {figures['peak_mib']:.1f} MiB "
        f"during a {FILE_MIB} MiB upload (+{growth:.1f} MiB)"
    )
    assert growth < MAX_GROWTH_MIB, figures
