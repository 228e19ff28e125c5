"""Process entry points the CLI starts: `worker` (Dramatiq worker plus the relay) and
`scheduler`. Both stop cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import dramatiq
import structlog
from dramatiq.asyncio import get_event_loop_thread

from server.config import Settings
from server.db.engine import make_engine, session_factory
from server.outbox.delivery import RetryPolicy
from workers.actors import declare
from workers.broker import make_broker
from workers.heartbeat import keep_beating
from workers.relay import Relay
from workers.runtime import EventRuntime
from workers.scheduler import Scheduler

log = structlog.get_logger(__name__)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


def _heartbeat(
    settings: Settings, stop: asyncio.Event, alive: Callable[[], bool]
) -> asyncio.Task[None] | None:
    """Beat into HEARTBEAT_FILE while `alive()`; the liveness probe reads it (heartbeat.py)."""
    if settings.heartbeat_file is None:
        return None
    return asyncio.create_task(keep_beating(settings.heartbeat_file, stop, alive))


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
        beating = _heartbeat(settings, stop, lambda: all(t.is_alive() for t in worker.workers))
        try:
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
        finally:
            stop.set()
            if beating is not None:
                await beating

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
            scanning = asyncio.create_task(scheduler.run(stop))
            beating = _heartbeat(settings, stop, lambda: not scanning.done())
            try:
                await scanning
            finally:
                stop.set()
                if beating is not None:
                    await beating
            return 0
        finally:
            await engine.dispose()

    return asyncio.run(main())
