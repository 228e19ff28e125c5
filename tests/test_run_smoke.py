"""The README's run command starts everything from an empty data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_run_from_empty_data_dir_serves_demo_users(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "APP_DATABASE_URL"}}
    env.update({"DATA_DIR": str(tmp_path / "var"), "PORT": str(port)})
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise AssertionError("the server did not become ready")
        lines = (tmp_path / "var" / "demo-users.txt").read_text().splitlines()
        username, password = lines[0].split("\t")[:2]
        login = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
                "{ ... on SignedIn { accessToken } } }",
                "variables": {"u": username, "p": password},
            },
        )
        token = login.json()["data"]["login"]["accessToken"]
        assert login.cookies.get("stsec_refresh")
        viewer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { user { username } } }"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert viewer.json() == {"data": {"viewer": {"user": {"username": username}}}}
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert "http_requests_total" in httpx.get(f"{base}/metrics").text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        # Stop the embedded PostgreSQL this run started.
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "server.cli", "embedded", "stop"],
            env=env,
            cwd=ROOT,
            check=False,
            capture_output=True,
            timeout=60,
        )
    assert "Demo sign-ins" in out, out
