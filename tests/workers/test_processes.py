"""Proof that nothing is lost (issue 6): real worker and scheduler processes, the real Redis,
the real PostgreSQL.

- a worker killed in the middle of a job still leads to exactly one inbox notice;
- with the broker down, domain changes still commit, and their notices arrive once it is back;
- a message delivered twice creates one notice;
- two scheduler processes at once fire each escalation step once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import uuid
from datetime import timedelta
from typing import Any

import dramatiq
from conftest import Processes, RedisProxy, wait_for
from dramatiq.brokers.redis import RedisBroker
from notice_support import notices_about, report_incident
from sqlalchemy import func, select, text

from server import clock
from server.db.engine import ALL_TENANTS, scope
from server.notices.audiences import resolve
from server.notices.models import Notice, ScheduledStep
from server.notices.routing import ROUTES
from server.notices.subjects import load
from server.outbox.models import OutboxEvent


async def _event(sessions: Any, incident: str) -> OutboxEvent:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        return (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.topic == "incident.reported",
                    OutboxEvent.payload["incident_id"].astext == incident,
                )
            )
        ).one()


def _handled(sessions: Any, event: OutboxEvent) -> Any:
    async def check() -> bool:
        async with sessions() as session, session.begin():
            await scope(session, ALL_TENANTS)
            row = await session.get(OutboxEvent, (event.tenant_id, event.id))
            return row is not None and row.dispatched_at is not None

    return check


EXPECTED = [
    ("bj.supervisor", "incident.reported"),
    ("hq.safety-committee-office", "incident.reported"),
]


async def test_a_worker_killed_mid_job_still_gives_exactly_one_notice(
    flow, sessions, processes: Processes, redis_url, namespace
):
    incident = await report_incident(flow, title="处理中断")
    event = await _event(sessions, incident)
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        subject = await load(session, event.tenant_id, event.payload)
        recipients = await resolve(session, subject, ROUTES[event.topic].audiences)
    last = recipients[-1]
    # Hold the last recipient's notice in an open transaction: the worker makes the first
    # recipient's notice, then waits on this one — in the middle of its job — and is killed.
    async with sessions() as blocker:
        await scope(blocker, ALL_TENANTS)
        blocker.add(
            Notice(
                tenant_id=last.tenant_id,
                user_id=last.user_id,
                source_id=event.id,
                topic=event.topic,
                params={},
            )
        )
        await blocker.flush()
        worker = processes.start("worker", REDIS_URL=redis_url, REDIS_NAMESPACE=namespace)

        async def stuck() -> bool:
            # Asked in a transaction of its own: the activity view is a snapshot per transaction.
            async with sessions() as probe, probe.begin():
                waiting = await probe.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE 'INSERT INTO notices%'"
                    )
                )
            return bool(waiting)

        await wait_for(stuck, what="the worker to block mid-job")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        await blocker.rollback()
    # The dead worker's transaction never committed: nothing of its job remains.
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        row = await session.get(OutboxEvent, (event.tenant_id, event.id))
        assert row is not None and row.dispatched_at is None
    processes.start("worker", REDIS_URL=redis_url, REDIS_NAMESPACE=namespace)
    await wait_for(_handled(sessions, event), what="a new worker to take the job over")
    assert await notices_about(sessions, incident) == EXPECTED


async def test_with_the_broker_down_changes_commit_and_notices_follow_when_it_is_back(
    flow, sessions, processes: Processes, redis_proxy: RedisProxy, namespace
):
    port = redis_proxy.start()
    processes.start("worker", REDIS_URL=f"redis://127.0.0.1:{port}/0", REDIS_NAMESPACE=namespace)
    redis_proxy.stop()  # the broker goes down
    incident = await report_incident(flow, title="消息中间件中断")  # still commits
    event = await _event(sessions, incident)
    await asyncio.sleep(2)
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        row = await session.get(OutboxEvent, (event.tenant_id, event.id))
        # Not handed over (the relay's lease rolled back with the failed send), not lost.
        assert row is not None and row.dispatched_at is None and row.attempts == 0
    assert await notices_about(sessions, incident) == []
    redis_proxy.start()  # the broker is back, on the same address
    await wait_for(_handled(sessions, event), what="the notices once the broker is back")
    assert await notices_about(sessions, incident) == EXPECTED


async def test_a_message_delivered_twice_creates_one_notice(
    flow, sessions, processes: Processes, redis_url, namespace
):
    # This worker only consumes; the test plays the relay and sends the message twice.
    processes.start("worker", "--no-relay", REDIS_URL=redis_url, REDIS_NAMESPACE=namespace)
    incident = await report_incident(flow, title="重复消息")
    event = await _event(sessions, incident)
    broker = RedisBroker(url=redis_url, namespace=namespace)
    try:
        handle = dramatiq.actor(actor_name="handle_event", queue_name="events", broker=broker)(
            lambda tenant_id, event_id: None
        )
        for _ in range(2):
            handle.send(str(event.tenant_id), str(event.id))
        await wait_for(_handled(sessions, event), what="the worker to handle the event")
        await asyncio.sleep(1)  # let the second copy be handled too
    finally:
        broker.close()
    assert await notices_about(sessions, incident) == EXPECTED


async def test_two_schedulers_at_once_fire_each_escalation_step_once(
    flow, sessions, owner_engine, processes: Processes
):
    project = await flow.approved()
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["__typename"] == "ProjectSaved"
    marker = f"批量隐患 {uuid.uuid4().hex[:6]}"
    async with owner_engine.begin() as conn:
        # Many late hazards, so that the two scans overlap in time.
        await conn.execute(
            text(
                """
                INSERT INTO hazards (tenant_id, id, project_id, source, title, description,
                  severity, state, reported_by_label, owner_user_id, deadline, plan, rejections,
                  reopened, lock_version, created_at)
                SELECT p.tenant_id, gen_random_uuid(), p.id, 'self_report', :title || n, '描述',
                  'general', 'rectifying', '测试', p.pi_user_id, :deadline, '整改', 0, 0, 1, now()
                FROM projects p, generate_series(1, 300) AS n
                WHERE p.id = CAST(:p AS uuid)
                """
            ),
            {
                "title": marker,
                "deadline": clock.today() - timedelta(days=30),
                "p": _uuid(project["id"]),
            },
        )
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        before = await session.scalar(select(func.count()).select_from(ScheduledStep))
    first = processes.start("scheduler", "--once")
    second = processes.start("scheduler", "--once")
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    fired = [
        int(re.search(r"(\d+) steps fired", processes.output(p)).group(1))  # type: ignore[union-attr]
        for p in (first, second)
    ]
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        after = await session.scalar(select(func.count()).select_from(ScheduledStep))
        per_hazard = await session.execute(
            text(
                """
                SELECT h.id, e.topic, count(e.id)
                FROM hazards h JOIN outbox_events e
                  ON e.tenant_id = h.tenant_id AND e.payload->>'hazard_id' = h.id::text
                WHERE h.title LIKE :title || '%' AND e.topic LIKE 'hazard.%'
                GROUP BY h.id, e.topic
                """
            ),
            {"title": marker},
        )
        counts = [(topic, n) for _, topic, n in per_hazard]
    # The two processes together fired each new step once: no step was announced twice.
    assert sum(fired) == after - before
    assert len(counts) == 300 * 3
    assert {n for _, n in counts} == {1}
    assert sorted({t for t, _ in counts}) == [
        "hazard.escalated_branch",
        "hazard.escalated_hq",
        "hazard.overdue",
    ]


def _uuid(global_id: str) -> str:
    from schema.relay import from_global_id

    return str(from_global_id(global_id)[1][1])
