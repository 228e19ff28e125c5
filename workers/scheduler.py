"""The scheduler: scans for due and overdue work every SCHEDULER_INTERVAL_SECONDS.

Several replicas may run: each step fires once (server.reminders.steps), and one replica at a
time evaluates the early-warning indicators (server.signals.evaluation).
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.outbox.retention import prune
from server.reminders.steps import Fired, run_once
from server.signals.evaluation import evaluate as evaluate_signals

log = structlog.get_logger(__name__)


class Scheduler:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    async def tick(self) -> list[Fired]:
        async with self.sessions() as session, session.begin():
            fired = await run_once(session, self.settings)
        if fired:
            log.info("scheduler_fired", steps=len(fired), topics=sorted({f.topic for f in fired}))
        # The early-warning indicators, in a transaction of their own: the steps above stay
        # fired whatever happens here (replicas take turns: server.signals.evaluation).
        async with self.sessions() as session, session.begin():
            await evaluate_signals(session)
        # Retention: one batch of long-handled outbox events per tick (server/outbox/retention).
        async with self.sessions() as session, session.begin():
            pruned = await prune(session, older_than_days=self.settings.outbox_retention_days)
        if pruned:
            log.info("outbox_pruned", events=pruned)
        return fired

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:
                log.warning("scheduler_scan_failed", error=f"{type(exc).__name__}: {exc}"[:300])
            try:
                await asyncio.wait_for(stop.wait(), self.settings.scheduler_interval_seconds)
            except TimeoutError:
                pass
