"""Fixtures of the early-warning tests: the project flow, delivery of pending outbox events
through the real notice handler, and HQ's thresholds put back after a test changes them."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.config import Settings
from server.notices.dispatch import NoticeHandler
from server.outbox.delivery import RetryPolicy, claim, process

# The project flow helpers and the notice helpers live with their own tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "projects"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notices"))

from project_support import Flow

Deliver = Callable[[], Awaitable[int]]


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f


@pytest.fixture
def deliver(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Deliver:
    """Hand every due event to the real handler until none is left; returns how many."""

    async def run() -> int:
        handler = NoticeHandler(settings)
        policy = RetryPolicy.from_settings(settings)
        handled = 0
        for _ in range(10):
            async with sessions() as session, session.begin():
                claimed = await claim(session, policy, limit=500)
            if not claimed:
                break
            for c in claimed:
                handled += await process(sessions, handler, policy, c.tenant_id, c.event_id)
        return handled

    return run


@pytest.fixture
async def hq_thresholds(owner_engine: AsyncEngine) -> AsyncIterator[None]:
    """A test that sets thresholds gets the defaults back afterwards, for the tests after it."""
    yield
    async with owner_engine.begin() as conn:
        await conn.execute(text("DELETE FROM indicator_thresholds"))
