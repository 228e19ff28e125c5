"""The image's runtime stage, assembled without Docker (CI has no daemon and no registry): the
dependencies as its `uv sync` installs them (no dev tools), and exactly the files its COPY
lines take, in a directory of their own. The API, the migration and the probes run from there,
so a file the code needs but the image leaves out, or a runtime import of a dev-only package,
fails here."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from infra_support import ROOT, dockerfile
from local_servers import answered, free_port

from server.config import Settings
from server.encryption import new_key
from server.runtime import application_url


def _stages() -> dict[str, list[dict[str, str]]]:
    stages: dict[str, list[dict[str, str]]] = {}
    current: list[dict[str, str]] = []
    for instruction in dockerfile().structure:
        if instruction["instruction"] == "FROM":
            current = stages.setdefault(instruction["value"].split()[-1], [])
        current.append(instruction)
    return stages


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/app of the runtime stage, built as the Dockerfile says."""
    stages = _stages()
    build = tmp_path_factory.mktemp("python-stage")
    app = tmp_path_factory.mktemp("runtime") / "app"
    app.mkdir()
    # Stage `python`: COPY pyproject.toml uv.lock ./ then RUN uv sync ...
    (sync,) = [i["value"] for i in stages["python"] if i["value"].startswith("uv sync")]
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, build / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env |= {
        "UV_PROJECT_ENVIRONMENT": str(app / ".venv"),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_LINK_MODE": "copy",
    }
    uv = ROOT / ".venv/bin/uv"
    subprocess.run(
        [str(uv), *shlex.split(sync)[1:], "--quiet"], cwd=build, env=env, check=True, timeout=600
    )
    # Stage `runtime`: its COPY lines.
    for instruction in stages["runtime"]:
        if instruction["instruction"] != "COPY":
            continue
        parts = shlex.split(instruction["value"])
        if parts[0] == "--from=web":
            shutil.copytree(ROOT / "web/dist", app / parts[-1])
            continue
        if parts[0].startswith("--from="):
            continue  # the virtual environment, made above
        *sources, dest = parts
        target = app / dest
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target / path.name)
    return app


def _env(**extra: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "APP_DATABASE_URL", "REDIS_URL", "PYTHONPATH", "SEED_DEMO"}
    }
    return keep | {"PYTHONDONTWRITEBYTECODE": "1", "LOG_LEVEL": "WARNING"} | extra


def test_the_runtime_holds_no_dev_tools(runtime: Path) -> None:
    python = runtime / ".venv/bin/python"
    for dev_only in ("pytest", "playwright", "moto", "ruff", "mypy"):
        found = subprocess.run(
            [str(python), "-c", f"import {dev_only}"], cwd=runtime, capture_output=True, timeout=60
        )
        assert found.returncode != 0, f"{dev_only} is in the image"
    assert not (runtime / "tests").exists() and (runtime / "web/dist/index.html").exists()


def test_the_migration_and_the_api_run_from_the_image_files(
    runtime: Path, settings: Settings, owner_url: str, tmp_path: Path, demo_users: Any
) -> None:
    python = str(runtime / ".venv/bin/python")
    job = subprocess.run(
        [python, "-m", "server.cli", "migrate"],
        cwd=runtime,
        env=_env(DATABASE_URL=owner_url, DATA_DIR=str(tmp_path), SECRET_KEY="image-test"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert job.returncode == 0 and "migrations applied" in job.stdout, job.stderr
    port = free_port()
    api_env = _env(
        APP_ENV="production",
        APP_DATABASE_URL=application_url(settings, owner_url),
        SECRET_KEY="image-test",
        DATA_ENCRYPTION_KEYS=new_key(),
        DATA_DIR=str(tmp_path),
        PORT=str(port),
        IN_PROCESS_WORKERS="false",
    )
    api = subprocess.Popen(
        [python, "-m", "server.cli", "serve", "--no-migrate"],
        cwd=runtime,
        env=api_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert answered(f"{base}/readyz").json()["status"] == "ready"
        page = httpx.get(f"{base}/projects", timeout=10)  # a deep link: the web app's page
        assert page.status_code == 200 and '<div id="root">' in page.text
        # Signing in and reading projects goes through the policy files (the one gate).
        login = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p,"
                " delivery: BODY) { ... on SignedIn { accessToken } } }",
                "variables": {"u": "iph.researcher", "p": demo_users["iph.researcher"].password},
            },
            timeout=30,
        ).json()
        assert login.get("data"), login
        token = login["data"]["login"]["accessToken"]
        projects = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { user { username } } projects(first: 1) { nodes { id } } }"},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        assert projects.get("data"), projects
        assert projects["data"]["viewer"]["user"]["username"] == "iph.researcher"
        assert isinstance(projects["data"]["projects"]["nodes"], list)
    finally:
        api.terminate()
        api.wait(timeout=30)
    probe = subprocess.run(
        [python, "-m", "server.cli", "heartbeat", "--help"],
        cwd=runtime,
        env=_env(),
        capture_output=True,
        timeout=60,
    )
    assert probe.returncode == 0
