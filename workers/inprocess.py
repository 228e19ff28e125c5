"""The embedded default: broker, worker, relay and scheduler inside the API process, fed from
the same outbox as in production, so `make run` needs nothing else."""

from __future__ import annotations

import asyncio

import dramatiq
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.outbox.delivery import RetryPolicy
from workers.actors import declare
from workers.broker import make_broker
from workers.relay import Relay
from workers.runtime import EventRuntime
from workers.scheduler import Scheduler


class InProcessWorkers:
    def __init__(
        self, settings: Settings, database_url: str, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self.settings = settings
        self.broker = make_broker(settings, in_process=True)
        self.runtime = EventRuntime(settings, database_url)
        self.actor = declare(self.broker, self.runtime)
        self.worker = dramatiq.Worker(self.broker, worker_threads=2)
        self.relay = Relay(
            sessions,
            self.actor,
            RetryPolicy.from_settings(settings),
            poll_seconds=settings.outbox_poll_seconds,
        )
        self.scheduler = Scheduler(sessions, settings)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.worker.start()
        self._tasks = [
            asyncio.create_task(self.relay.run(self._stop)),
            asyncio.create_task(self.scheduler.run(self._stop)),
        ]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        from dramatiq.asyncio import get_event_loop_thread

        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            await asyncio.to_thread(loop_thread.run_coroutine, self.runtime.aclose())
        await asyncio.to_thread(self.worker.stop)
        self.broker.close()
