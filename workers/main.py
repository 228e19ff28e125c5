"""Process entry points the CLI starts: `worker` (Dramatiq worker plus the relay) and
`scheduler`. Both stop cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal

import dramatiq
import structlog
from dramatiq.asyncio import get_event_loop_thread

from server.config import Settings
from server.db.engine import make_engine, session_factory
from server.outbox.delivery import RetryPolicy
from workers.actors import declare
from workers.broker import make_broker
from workers.relay import Relay
from workers.runtime import EventRuntime
from workers.scheduler import Scheduler

log = structlog.get_logger(__name__)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


def run_worker(settings: Settings, database_url: str, *, relay: bool = True) -> None:
    broker = make_broker(settings)
    runtime = EventRuntime(settings, database_url)
    actor = declare(broker, runtime)
    worker = dramatiq.Worker(broker, worker_threads=settings.worker_threads)
    worker.start()
    log.info("worker_started", threads=settings.worker_threads, relay=relay)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        if not relay:
            await stop.wait()
            return
        engine = make_engine(database_url, pool_size=2)
        try:
            await Relay(
                session_factory(engine),
                actor,
                RetryPolicy.from_settings(settings),
                poll_seconds=settings.outbox_poll_seconds,
            ).run(stop)
        finally:
            await engine.dispose()

    try:
        asyncio.run(main())
    finally:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(runtime.aclose())
        worker.stop()
        broker.close()
        log.info("worker_stopped")


def run_scheduler(settings: Settings, database_url: str, *, once: bool = False) -> int:
    """Run the scan loop, or one scan (`once`); returns how many steps the last scan fired."""

    async def main() -> int:
        engine = make_engine(database_url, pool_size=2)
        scheduler = Scheduler(session_factory(engine), settings)
        try:
            if once:
                return len(await scheduler.tick())
            stop = asyncio.Event()
            _stop_on_signals(stop)
            log.info("scheduler_started", interval=settings.scheduler_interval_seconds)
            await scheduler.run(stop)
            return 0
        finally:
            await engine.dispose()

    return asyncio.run(main())
