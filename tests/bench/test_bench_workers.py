"""Workers: how fast events become notices, in-process and through Redis with a real worker
process, and how long a scheduler scan takes over many open hazards."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from server import clock
from server.auth.principal import SYSTEM
from server.db.engine import ALL_TENANTS, scope
from server.notices.dispatch import NoticeHandler
from server.outbox.delivery import RetryPolicy, claim, process
from server.outbox.service import emit
from server.projects.service import ProjectInput, create_project
from server.reminders.steps import run_once
from server.tenancy.models import Department, OrgUnit, User

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
EVENTS = int(os.environ.get("BENCH_EVENTS", "") or 400)
HAZARDS = int(os.environ.get("BENCH_HAZARDS", "") or 2000)


async def _emit(sessions: Any, n: int, marker: str) -> None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        assert iph is not None
        for i in range(n):
            await emit(
                session, tenant_id=iph, topic="incident.reported", payload={"m": marker, "n": i}
            )


async def _latency(sessions: Any, marker: str) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        row = (
            await session.execute(
                text(
                    """SELECT count(*) FILTER (WHERE dispatched_at IS NOT NULL),
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY
                        extract(epoch FROM dispatched_at - created_at)),
                      percentile_cont(0.95) WITHIN GROUP (ORDER BY
                        extract(epoch FROM dispatched_at - created_at))
                    FROM outbox_events WHERE payload->>'m' = :m"""
                ),
                {"m": marker},
            )
        ).one()
    return {
        "handled": row[0],
        "latency_p50_s": round(row[1] or 0, 3),
        "latency_p95_s": round(row[2] or 0, 3),
    }


async def _drain(sessions: Any, settings: Any) -> None:
    """Hand every event already pending to the handler, so the measurement starts clean."""
    handler, policy = NoticeHandler(settings), RetryPolicy.from_settings(settings)
    while True:
        async with sessions() as session, session.begin():
            claimed = await claim(session, policy, limit=1000)
        if not claimed:
            return
        for c in claimed:
            await process(sessions, handler, policy, c.tenant_id, c.event_id)


async def test_events_to_notices_in_process(sessions, settings, bench_record):
    await _drain(sessions, settings)
    marker = uuid.uuid4().hex
    await _emit(sessions, EVENTS, marker)
    handler, policy = NoticeHandler(settings), RetryPolicy.from_settings(settings)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        claimed = await claim(session, policy, limit=EVENTS)
    for c in claimed:
        await process(sessions, handler, policy, c.tenant_id, c.event_id)
    seconds = time.perf_counter() - started
    figures = await _latency(sessions, marker)
    assert figures["handled"] == EVENTS
    entry = bench_record(
        "workers_in_process",
        {
            "description": "incident.reported events routed one after another by the real "
            "handler (2 inbox notices each), no broker",
            "events": EVENTS,
            "seconds": round(seconds, 3),
            "events_per_second": round(EVENTS / seconds, 1),
        },
    )
    print(f"in-process: {entry['events_per_second']} events/s")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_events_to_notices_through_redis_and_a_worker_process(
    sessions, settings, owner_url, tmp_path, bench_record
):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    await _drain(sessions, settings)
    env = os.environ | {
        "DATABASE_URL": owner_url,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "bench",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "REDIS_NAMESPACE": f"stsec-bench-{uuid.uuid4().hex[:8]}",
        "OUTBOX_POLL_SECONDS": "0.1",
        "WORKER_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(  # noqa: ASYNC220 - started once, outside the measurement
            [sys.executable, "-m", "server.cli", "worker"], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        await asyncio.sleep(2)  # started and idle
        marker = uuid.uuid4().hex
        started = time.perf_counter()
        await _emit(sessions, EVENTS, marker)
        while (await _latency(sessions, marker))["handled"] < EVENTS:
            assert time.perf_counter() - started < 300, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.1)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    figures = await _latency(sessions, marker)
    entry = bench_record(
        "workers_redis",
        {
            "description": "incident.reported events committed in one transaction, then relayed "
            "through Redis to one worker process (4 threads); 2 inbox notices each",
            "events": EVENTS,
            "seconds": round(seconds, 3),
            "events_per_second": round(EVENTS / seconds, 1),
            **figures,
        },
    )
    print(f"redis: {entry['events_per_second']} events/s, p95 {entry['latency_p95_s']} s")


async def test_scheduler_scan_over_many_open_hazards(sessions, settings, bench_record):
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        assert iph is not None
        department = await session.scalar(select(Department.id).where(Department.tenant_id == iph))
        pi = await session.scalar(select(User.id).where(User.username == "iph.researcher"))
        assert department is not None and pi is not None
        project = await create_project(
            session,
            SYSTEM,
            unit_id=iph,
            data=ProjectInput(
                title="调度基准", department_id=department, pi_user_id=pi,
                start_date=clock.today(), end_date=clock.today() + timedelta(days=365),
            ),
        )  # fmt: skip
        await session.execute(
            text(
                """
                INSERT INTO hazards (tenant_id, id, project_id, source, title, description,
                  severity, state, reported_by_label, owner_user_id, deadline, plan, rejections,
                  reopened, lock_version, created_at)
                SELECT :t, gen_random_uuid(), :p, 'self_report', '隐患 ' || n, '描述',
                  'general', 'rectifying', 'bench', :pi, CURRENT_DATE - (n % 30), '整改', 0, 0, 1,
                  now()
                FROM generate_series(1, :n) AS n
                """
            ),
            {"n": HAZARDS, "t": iph, "p": project.id, "pi": pi},
        )
    timings = []
    fired = []
    for _ in range(2):
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            fired.append(len(await run_once(session, settings)))
        timings.append(time.perf_counter() - started)
    entry = bench_record(
        "scheduler_scan",
        {
            "description": "one scheduler scan over every unit, with this many open late hazards "
            "(deadlines 0-29 days ago); first scan fires the steps, the second finds them fired",
            "open_hazards": HAZARDS,
            "first_scan_seconds": round(timings[0], 3),
            "first_scan_steps_fired": fired[0],
            "second_scan_seconds": round(timings[1], 3),
            "second_scan_steps_fired": fired[1],
        },
    )
    assert fired[1] == 0
    print(f"scheduler: {entry}")
