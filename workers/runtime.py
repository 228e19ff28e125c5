"""What the actor needs to handle an event: an engine on the worker's own event loop."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.config import Settings
from server.db.engine import make_engine, session_factory
from server.notices.dispatch import NoticeHandler
from server.outbox.delivery import RetryPolicy, process


class EventRuntime:
    """Engines are bound to an event loop; Dramatiq runs async actors on a loop of its own, so
    the engine is made there, on first use."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings = settings
        self.database_url = database_url
        self.handler = NoticeHandler(settings)
        self.policy = RetryPolicy.from_settings(settings)
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def sessions(self) -> async_sessionmaker[AsyncSession]:
        loop = asyncio.get_running_loop()
        if self._sessions is None or self._loop is not loop:
            self._engine = make_engine(self.database_url, pool_size=self.settings.worker_threads)
            self._sessions = session_factory(self._engine)
            self._loop = loop
        return self._sessions

    async def handle(self, tenant_id: uuid.UUID, event_id: uuid.UUID) -> bool:
        return await process(self.sessions(), self.handler, self.policy, tenant_id, event_id)

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = self._sessions = None
