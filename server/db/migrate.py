"""Apply migrations programmatically (the CLI's `migrate`, the server's start-up, the tests)."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.config import Settings
from server.db.engine import asyncpg_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(owner_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    return cfg


def upgrade(owner_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(owner_url), revision)
    settings = Settings.from_env()
    if settings.app_db_password:
        asyncio.run(_set_app_password(owner_url, settings.app_db_role, settings.app_db_password))


async def _set_app_password(owner_url: str, role: str, password: str) -> None:
    """Migrations create the application role; its password comes from APP_DB_PASSWORD."""
    engine = create_async_engine(asyncpg_url(owner_url))
    try:
        async with engine.begin() as conn:
            literal = await conn.scalar(text("SELECT quote_literal(:p)"), {"p": password})
            # ALTER ROLE takes no bind parameters; the literal is quoted by PostgreSQL itself.
            await conn.execute(text(f'ALTER ROLE "{role}" PASSWORD {literal}'))
    finally:
        await engine.dispose()


async def upgrade_async(owner_url: str, revision: str = "head") -> None:
    """env.py runs its own event loop, so migrations run in a worker thread."""
    await asyncio.to_thread(upgrade, owner_url, revision)


@cache
def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
