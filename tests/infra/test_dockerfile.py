"""infra/Dockerfile: multi-stage, non-root, the web app built in, one image for every process."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from infra_support import INFRA, ROOT, cli_accepts, dockerfile, http_paths, image_port

from server.app import WEB_DIST
from server.authz.gate import POLICY_DIR


def instructions(name: str) -> list[dict[str, Any]]:
    return [i for i in dockerfile().structure if i["instruction"] == name]


def final_stage() -> list[dict[str, Any]]:
    structure = dockerfile().structure
    starts = [n for n, i in enumerate(structure) if i["instruction"] == "FROM"]
    return structure[starts[-1] :]  # type: ignore[no-any-return]


def test_it_builds_in_stages_and_runs_without_root() -> None:
    stages = [i["value"].split() for i in instructions("FROM")]
    assert len(stages) >= 3 and [s[-1] for s in stages] == ["web", "python", "runtime"]
    final = final_stage()
    (user,) = [i["value"] for i in final if i["instruction"] == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "a numeric, unprivileged user"
    # Neither the compilers' stage nor Node reach the runtime: only their products are copied.
    copies = [i["value"] for i in final if i["instruction"] == "COPY"]
    assert any(c.startswith("--from=web ") and c.endswith(" web/dist") for c in copies)
    assert any(c.startswith("--from=python /app/.venv ") for c in copies)


def test_the_runtime_holds_every_file_the_code_reads_beside_itself() -> None:
    copies = " ".join(i["value"] for i in final_stage() if i["instruction"] == "COPY")
    assert WEB_DIST.relative_to(ROOT).as_posix() in copies
    for name in ("model.conf", "policy.csv"):
        assert (POLICY_DIR / name).relative_to(ROOT).as_posix() in copies
    for package in ("server/", "schema/", "workers/"):
        assert f"COPY {package} {package}" in dockerfile().content


def test_the_build_context_admits_every_copied_source() -> None:
    patterns = [
        line
        for line in (INFRA / "Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    def admitted(path: str) -> bool:
        keep = True
        for p in patterns:
            negate, p = p.startswith("!"), p.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, p) or path.startswith(f"{p}/"):
                keep = negate
        return keep

    sources = []
    for i in instructions("COPY"):
        parts = [p for p in i["value"].split() if not p.startswith("--")]
        if not i["value"].startswith("--from"):
            sources += parts[:-1]
    assert sources
    for source in sources:
        assert admitted(source.rstrip("/")), f"{source} is excluded from the build context"
    assert not admitted("tests") and not admitted(".venv") and not admitted("web/node_modules")


def test_the_entrypoint_is_the_cli_and_the_default_command_is_the_api() -> None:
    (entrypoint,) = instructions("ENTRYPOINT")
    assert json.loads(entrypoint["value"]) == ["python", "-m", "server.cli"]
    (cmd,) = instructions("CMD")
    command = json.loads(cmd["value"])
    assert command == ["serve", "--no-migrate"] and cli_accepts(command) is None


def test_the_health_check_asks_the_apps_readiness_on_its_port(app: Any) -> None:
    (check,) = instructions("HEALTHCHECK")
    url = re.search(r"http://127\.0\.0\.1:%s(/\w+)", check["value"])
    assert url is not None and url.group(1) == "/readyz" and "/readyz" in http_paths(app)
    assert "os.environ.get('PORT', '8000')" in check["value"]
    assert image_port() == "8000"
    env = dockerfile().envs
    assert env["HOST"] == "0.0.0.0" and env["APP_ENV"] == "production"  # noqa: S104
