"""What the infra checks compare the deployment files with: the variables the settings read,
the CLI's commands, and the parsed files themselves."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import click
import yaml

from server.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
CODE = (str(ROOT / "server"), str(ROOT / "workers"))

# Read by uvicorn, not by server/config.py: which proxies' X-Forwarded-For is trusted.
UVICORN_VARIABLES = {"FORWARDED_ALLOW_IPS"}


class _Recording(dict[str, str]):
    """os.environ stand-in that notes every variable the platform's own code looks up."""

    def __init__(self, base: dict[str, str]) -> None:
        super().__init__(base)
        self.read: set[str] = set()

    def _note(self, key: object) -> None:
        caller = sys._getframe(2).f_code.co_filename
        if isinstance(key, str) and caller.startswith(CODE):
            self.read.add(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


def settings_variables() -> set[str]:
    """Every environment variable the settings read, found by reading them (not by grepping)."""
    from server import clock
    from server.config import Settings

    recording = _Recording({"SECRET_KEY": "x", "HEARTBEAT_FILE": "beat"})
    with mock.patch.object(os, "environ", recording):
        Settings.from_env()
        clock.zone.__wrapped__()  # past its cache: the zone is read once per process
    return recording.read


def cli_accepts(args: list[str]) -> str | None:
    """None when `python -m server.cli <args>` parses (command and options exist), else why not."""
    ctx = cli.make_context("server.cli", list(args), resilient_parsing=False)
    command: click.Command = cli
    rest = list(args)
    try:
        while isinstance(command, click.Group):
            name, sub, rest = command.resolve_command(ctx, rest)
            if sub is None:
                return f"no command {name!r}"
            command = sub
            ctx = command.make_context(name or "", list(rest), parent=ctx)
    except click.UsageError as exc:
        return exc.format_message()
    return None


def server_cli_args(argv: list[str]) -> list[str]:
    """The CLI arguments of `python -m server.cli ...` (a probe command line)."""
    assert argv[:3] == ["python", "-m", "server.cli"], argv
    return argv[3:]


def load_all(path: Path) -> Iterator[dict[str, Any]]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            yield doc


def env_example(path: Path) -> dict[str, str]:
    """KEY=value lines of an example env file (comments and blanks skipped)."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


# What each process of the platform is deliberately not given, and why; everything else the
# settings read must be set explicitly for it, so that an operator sees every knob.
OWNER_CREDENTIALS = {"DATABASE_URL", "APP_DB_PASSWORD"}  # only the migrations hold the owner role
NOT_GIVEN = {
    "api": OWNER_CREDENTIALS | {"HEARTBEAT_FILE"},  # probed over HTTP instead
    "worker": OWNER_CREDENTIALS,
    "scheduler": OWNER_CREDENTIALS,
    "migrate": {"HEARTBEAT_FILE"},  # a one-off job: no liveness probe
}
COMMANDS = {
    "api": ["serve", "--no-migrate"],
    "worker": ["worker"],
    "scheduler": ["scheduler"],
    "migrate": ["migrate"],
}


def http_paths(app: Any) -> set[str]:
    """The paths the app answers itself (not the web app's catch-all mount)."""
    return {r.path for r in app.routes if getattr(r, "path", "")}


def dockerfile() -> Any:
    from dockerfile_parse import DockerfileParser

    return DockerfileParser(path=str(INFRA / "Dockerfile"))


def image_port() -> str:
    """The port the image listens on: its EXPOSE, which must equal its PORT."""
    parsed = dockerfile()
    exposed = [i["value"] for i in parsed.structure if i["instruction"] == "EXPOSE"]
    assert len(exposed) == 1 and parsed.envs["PORT"] == exposed[0], (exposed, parsed.envs)
    return str(exposed[0])
