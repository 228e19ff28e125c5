"""The README's run command starts everything from an empty data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
from local_servers import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_from_empty_data_dir_serves_demo_users(tmp_path):
    port = free_port()
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
        login = _login(base, username, password)
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
        _an_incident_reaches_the_branch_inbox(base, lines)
        metrics = httpx.get(f"{base}/metrics").text
        assert 'stsec_outbox_events{state="failed"} 0.0' in metrics
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


def _login(base: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
            "{ ... on SignedIn { accessToken } } }",
            "variables": {"u": username, "p": password},
        },
    )


def _sign_in(base: str, lines: list[str], username: str) -> dict[str, str]:
    password = next(line.split("\t")[1] for line in lines if line.startswith(username + "\t"))
    login = _login(base, username, password)
    return {"authorization": f"Bearer {login.json()['data']['login']['accessToken']}"}


def _an_incident_reaches_the_branch_inbox(base: str, lines: list[str]) -> None:
    """The embedded default runs broker, worker, relay and scheduler in the server process."""
    researcher = _sign_in(base, lines, "iph.researcher")
    unit = httpx.post(
        f"{base}/graphql", json={"query": "{ viewer { orgUnit { id } } }"}, headers=researcher
    ).json()["data"]["viewer"]["orgUnit"]["id"]
    reported = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($u: ID!, $i: IncidentInput!) { reportIncident(orgUnitId: $u, "
            "input: $i) { __typename } }",
            "variables": {
                "u": unit,
                "i": {
                    "title": "实验室起火",
                    "occurredAt": "2026-01-01T08:00:00+08:00",
                    "place": "3号楼",
                    "category": "SAFETY",
                    "severity": "GENERAL",
                    "immediateMeasures": "疏散人员",
                },
            },
        },
        headers=researcher,
    ).json()
    assert reported["data"]["reportIncident"]["__typename"] == "IncidentSaved", reported
    branch = _sign_in(base, lines, "bj.supervisor")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        inbox = httpx.post(
            f"{base}/graphql",
            json={"query": "{ inbox(first: 5) { nodes { title } } }"},
            headers=branch,
        ).json()["data"]["inbox"]["nodes"]
        if inbox:
            assert "实验室起火" in inbox[0]["title"]
            return
        time.sleep(0.3)
    raise AssertionError("no notice reached the branch academy's inbox")
