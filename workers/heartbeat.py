"""Liveness of the processes that serve no HTTP (the worker and the scheduler).

A container orchestrator can only ask such a process "are you alive?" through a command. The
process's event loop rewrites a small file every few seconds while its parts are alive (the
worker's Dramatiq threads, the scheduler's scan loop); `server.cli heartbeat` answers from the
file's age. A wedged loop or a dead thread stops the beats, and the probe fails. A database or
broker outage does not: the loop keeps running and reports it in the logs and metrics, and
restarting the process would not bring the database back.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

BEAT_SECONDS = 5.0


def beat(path: Path) -> None:
    """Write the time atomically, so a probe never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(f"{time.time():.3f}\n")
    os.replace(tmp, path)


async def keep_beating(
    path: Path, stop: asyncio.Event, alive: Callable[[], bool], every: float = BEAT_SECONDS
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    silent = False
    while not stop.is_set():
        if alive():
            beat(path)
            silent = False
        elif not silent:
            log.error("heartbeat_stopped", file=str(path))
            silent = True
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass


def age_seconds(path: Path) -> float | None:
    """Seconds since the last beat, or None when there was none."""
    try:
        written = float(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return max(0.0, time.time() - written)
