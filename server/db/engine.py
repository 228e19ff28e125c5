"""Engines and sessions.

Two connections exist: the owner (runs migrations, owns the tables) and the application role
(no BYPASSRLS, owns nothing), which every request and job uses. Rows are filtered by PostgreSQL
row-level security from the tenant set that `scope()` puts into the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

ALL_TENANTS = "*"


def asyncpg_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and point SQLAlchemy at asyncpg."""
    u = make_url(url)
    if u.drivername in {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}:
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def app_url(owner_url: str, role: str, password: str | None) -> str:
    """The application role's URL: the owner's URL with the role's name and password."""
    u = make_url(asyncpg_url(owner_url)).set(username=role, password=password)
    return u.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Statement caching stays on; SET is never used, so pooled connections carry no state.
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def tenants_literal(tenants: Iterable[uuid.UUID] | str) -> str:
    if isinstance(tenants, str):
        if tenants != ALL_TENANTS:
            raise ValueError("the only string tenant set is '*'")
        return tenants
    return "{" + ",".join(str(t) for t in sorted(tenants)) + "}"


async def scope(session: AsyncSession, tenants: Iterable[uuid.UUID] | str) -> None:
    """Make `tenants` the visible set for the current transaction only (pool-safe)."""
    await session.execute(
        text("SELECT set_config('app.tenants', :v, true)"), {"v": tenants_literal(tenants)}
    )
