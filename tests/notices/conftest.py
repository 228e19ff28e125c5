"""Fixtures of the notice tests: the project flow helpers, and delivery of pending outbox events
through the real handler without a broker (the process tests use real workers instead)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.notices.dispatch import NoticeHandler
from server.outbox.delivery import RetryPolicy, claim, process

# The project flow helpers (sign-in tokens, propose, assess, review, ...) live with the
# project tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "projects"))

from project_support import Flow

Deliver = Callable[..., Awaitable[int]]


@pytest.fixture
async def flow(client: Any, tokens: dict[str, str]) -> Flow:
    f = Flow(client, tokens)
    await f.setup()
    return f


@pytest.fixture
def deliver(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Deliver:
    """Hand every due event to the real handler until none is left; returns how many were
    handled. Handler errors are recorded on the event (as in a worker), not raised."""

    async def run(*, settings_override: Settings | None = None, rounds: int = 10) -> int:
        used = settings_override or settings
        handler = NoticeHandler(used)
        policy = RetryPolicy.from_settings(used)
        handled = 0
        failures: list[Exception] = []
        for _ in range(rounds):
            async with sessions() as session, session.begin():
                claimed = await claim(session, policy, limit=500)
            if not claimed:
                break
            for c in claimed:
                try:
                    handled += await process(sessions, handler, policy, c.tenant_id, c.event_id)
                except Exception as exc:  # recorded on the event by process(), as in a worker
                    failures.append(exc)
        return handled

    return run


@pytest.fixture
def settings_with(settings: Settings) -> Callable[..., Settings]:
    def make(**changes: Any) -> Settings:
        return replace(settings, **changes)

    return make
