"""Apply migrations programmatically (the CLI's `migrate`, the server's start-up, the tests)."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(owner_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    return cfg


def upgrade(owner_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(owner_url), revision)


async def upgrade_async(owner_url: str, revision: str = "head") -> None:
    """env.py runs its own event loop, so migrations run in a worker thread."""
    await asyncio.to_thread(upgrade, owner_url, revision)


@cache
def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
