"""infra/compose.yaml: valid by the Compose specification and consistent with the code."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from infra_support import (
    COMMANDS,
    INFRA,
    NOT_GIVEN,
    ROOT,
    UVICORN_VARIABLES,
    cli_accepts,
    env_example,
    http_paths,
    image_port,
    server_cli_args,
    settings_variables,
)

from server.config import Settings

COMPOSE = INFRA / "compose.yaml"
STATEFUL = {"postgres": "/var/lib/postgresql/data", "redis": "/data", "minio": "/data"}
INTERPOLATED = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def resolve(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} against `env`."""

    def one(m: re.Match[str]) -> str:
        name, rest = m.group(1), m.group(0)[len(m.group(1)) + 2 : -1]
        if name in env and env[name] != "":
            return env[name]
        if rest.startswith((":-", "-")):
            return rest.split("-", 1)[1]
        raise AssertionError(f"${{{name}}} is required and infra/.env.example does not set it")

    return INTERPOLATED.sub(one, value)


def test_the_compose_file_is_valid_by_the_compose_specification(compose: dict[str, Any]) -> None:
    import check_jsonschema

    spec = Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/compose-spec.json"
    jsonschema.validate(compose, json.loads(spec.read_text()))


def test_the_whole_stack_is_there_with_a_volume_for_every_stateful_service(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "minio",
        "minio-init",
        "mailpit",
        "migrate",
        "api",
        "worker",
        "scheduler",
    }
    for name, path in STATEFUL.items():
        mounts = {m.split(":")[1]: m.split(":")[0] for m in services[name]["volumes"]}
        assert path in mounts, f"{name} keeps {path} in no volume"
        assert mounts[path] in compose["volumes"], f"{name}'s data is not in a named volume"


def test_migrations_run_once_before_the_api_and_the_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker", "scheduler"):
        after = services[name]["depends_on"]
        assert after["migrate"]["condition"] == "service_completed_successfully", name
    assert services["api"]["depends_on"]["minio-init"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_each_process_runs_a_command_the_cli_has(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for role, command in COMMANDS.items():
        assert services[role]["command"] == command
        assert cli_accepts(command) is None
    for role in ("worker", "scheduler"):
        probe = services[role]["healthcheck"]["test"]
        assert probe[0] == "CMD"
        assert cli_accepts(server_cli_args(probe[1:])) is None, probe


def test_every_setting_is_given_to_each_process_and_nothing_unknown(
    compose: dict[str, Any],
) -> None:
    known = settings_variables() | UVICORN_VARIABLES
    for role in COMMANDS:
        env = compose["services"][role]["environment"]
        assert set(env) <= known, f"{role}: variables no code reads: {set(env) - known}"
        missing = known - NOT_GIVEN[role] - set(env) - UVICORN_VARIABLES
        assert not missing, f"{role} is not given {sorted(missing)}"
        assert not (set(env) & NOT_GIVEN[role]), f"{role} is given {set(env) & NOT_GIVEN[role]}"


def test_the_settings_parse_with_the_example_secrets(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = env_example(INFRA / ".env.example")
    for role in COMMANDS:
        for name in list(os.environ):
            if name in settings_variables():
                monkeypatch.delenv(name)
        env = {
            k: resolve(str(v), secrets) for k, v in compose["services"][role]["environment"].items()
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings.from_env()
        assert settings.production and settings.redis_url and settings.s3_endpoint
        assert not settings.in_process_workers, "the worker and scheduler services do that work"
        assert settings.smtp_host == "mailpit"
        if role != "migrate":
            assert settings.database_url is None and settings.app_database_url


def test_every_required_secret_is_in_the_example_and_the_real_file_is_ignored(
    compose: dict[str, Any],
) -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert required <= set(env_example(INFRA / ".env.example")), required
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "infra/.env"], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0, "infra/.env (real secrets) must be ignored by git"


def test_ports_and_probe_paths_match_the_app(compose: dict[str, Any], app: Any) -> None:
    services = compose["services"]
    port = services["api"]["environment"]["PORT"]
    assert port == image_port()
    assert any(p.endswith(f":{port}") for p in services["api"]["ports"])
    probe = " ".join(services["api"]["healthcheck"]["test"])
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", probe)
    assert url is not None and url.group(1) == port
    assert url.group(2) == "/readyz" and "/readyz" in http_paths(app)


def test_the_bucket_is_the_same_in_the_settings_the_policy_and_the_init_script(
    compose: dict[str, Any],
) -> None:
    bucket = compose["x-stsec-config"]["S3_BUCKET"]
    policy = json.loads((INFRA / "minio/stsec-documents-policy.json").read_text())
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    script = (INFRA / "minio/init-bucket.sh").read_text()
    assert f"mc mb --ignore-existing local/{bucket}" in script
    assert f"mc version enable local/{bucket}" in script
    mounted = {v.split(":")[1] for v in compose["services"]["minio-init"]["volumes"]}
    used = set(re.findall(r"(/[\w.-]+\.(?:json|sh))", script)) | {"/init-bucket.sh"}
    assert used <= mounted, used - mounted
