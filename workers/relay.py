"""The relay: leases due outbox events and hands them to the broker.

The lease and the hand-over share one transaction, committed only after the broker accepted
every message: with the broker down nothing is leased, the events stay pending, and they go
out once it is back. A commit lost after the send only means a duplicate message, which the
actor drops (it is keyed by the event id).
"""

from __future__ import annotations

import asyncio

import dramatiq
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.outbox.delivery import Claimed, RetryPolicy, claim

log = structlog.get_logger(__name__)


class Relay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        actor: dramatiq.Actor,  # type: ignore[type-arg]
        policy: RetryPolicy,
        *,
        poll_seconds: float,
        batch: int = 200,
    ) -> None:
        self.sessions = sessions
        self.actor = actor
        self.policy = policy
        self.poll_seconds = poll_seconds
        self.batch = batch

    def _send(self, claimed: list[Claimed]) -> None:
        for c in claimed:
            self.actor.send(str(c.tenant_id), str(c.event_id))

    async def tick(self) -> int:
        async with self.sessions() as session, session.begin():
            claimed = await claim(session, self.policy, limit=self.batch)
            if claimed:
                # The broker client blocks; keep the event loop free meanwhile.
                await asyncio.to_thread(self._send, claimed)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        failing = False
        while not stop.is_set():
            try:
                handed = await self.tick()
                if failing:
                    log.info("relay_recovered")
                failing = False
            except Exception as exc:
                if not failing:
                    log.warning("relay_unavailable", error=f"{type(exc).__name__}: {exc}"[:300])
                failing = True
                handed = 0
            if handed < self.batch:
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
