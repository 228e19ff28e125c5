"""Start-up steps shared by the CLI and the tests: find the database, migrate, seed."""

from __future__ import annotations

import structlog

from server.config import Settings
from server.db import embedded
from server.db.engine import app_url, make_engine, session_factory
from server.db.migrate import upgrade_async
from server.seed import DemoUser, read_credentials, seed_demo, write_credentials

log = structlog.get_logger(__name__)


def owner_url(settings: Settings) -> str:
    """`DATABASE_URL`, or the embedded server in the data directory (started if needed)."""
    if settings.database_url:
        return settings.database_url
    return embedded.start(settings.data_dir)


def application_url(settings: Settings, owner: str) -> str:
    return settings.app_database_url or app_url(
        owner, settings.app_db_role, settings.app_db_password
    )


async def prepare(settings: Settings, owner: str, *, seed: bool) -> list[DemoUser]:
    """Apply migrations; seed the demo academy on first start; return the demo sign-ins."""
    await upgrade_async(owner)
    if not seed:
        return []
    engine = make_engine(application_url(settings, owner), pool_size=1)
    try:
        async with session_factory(engine)() as session:
            created = await seed_demo(session, settings)
            await session.commit()
    finally:
        await engine.dispose()
    if created:
        write_credentials(settings.data_dir, created)
        log.info("demo_data_seeded", users=len(created))
    return read_credentials(settings.data_dir)
