"""From an event to notices: routing, the inbox, email over a real SMTP server, signed webhooks
to a real HTTP server, idempotency, backoff and parking. The handler runs in-process here; the
worker-process proofs are in tests/workers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from local_servers import free_port
from notice_support import deliveries_about, notices_about, report_incident
from sqlalchemy import select, update

from server.db.engine import ALL_TENANTS, scope
from server.encryption import secret_box
from server.notices.dispatch import NoticeHandler, route_event
from server.notices.models import WebhookEndpoint
from server.outbox.delivery import RetryPolicy, claim, process, requeue
from server.outbox.models import OutboxEvent
from server.outbox.service import emit
from server.tenancy.models import OrgUnit, User

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _set_user(sessions: Any, username: str, **values: Any) -> None:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        await session.execute(update(User).where(User.username == username).values(**values))


async def _event(sessions: Any, topic: str, subject_id: str) -> OutboxEvent:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        return (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.topic == topic,
                    OutboxEvent.payload["incident_id"].astext == subject_id,
                )
            )
        ).one()


async def test_R_INCIDENT_a_report_tells_the_branch_and_HQ_at_once(flow, deliver, sessions):
    incident = await report_incident(flow)
    major = await report_incident(flow, severity="MAJOR", title="重大泄漏")
    await deliver()
    assert await notices_about(sessions, incident) == [
        ("bj.supervisor", "incident.reported"),
        ("hq.safety-committee-office", "incident.reported"),
    ]
    # R-INCIDENT: a major incident goes to the HQ coordination group as well.
    assert ("hq.hq-coordination-group", "incident.major") in await notices_about(sessions, major)
    # The other branch academy hears nothing.
    assert all(u != "sh.supervisor" for u, _ in await notices_about(sessions, major))


async def test_a_message_delivered_twice_creates_one_notice(flow, sessions, settings):
    incident = await report_incident(flow, title="重复投递")
    event = await _event(sessions, "incident.reported", incident)
    handler, policy = NoticeHandler(settings), RetryPolicy.from_settings(settings)
    assert await process(sessions, handler, policy, event.tenant_id, event.id) is True
    assert await process(sessions, handler, policy, event.tenant_id, event.id) is False
    # Even routing the same event again (a handler bug, a replay) adds nothing.
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        again = await session.get(OutboxEvent, (event.tenant_id, event.id))
        assert again is not None
        assert await route_event(session, settings, again) == 0
    assert len(await notices_about(sessions, incident)) == 2


class Inbox:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def test_email_goes_out_over_SMTP_in_each_readers_language(
    flow, deliver, sessions, settings_with, smtp
):
    inbox, port = smtp
    await _set_user(sessions, "bj.supervisor", email="bj@example.org", locale="en")
    await _set_user(sessions, "hq.safety-committee-office", email="sco@example.org", locale="zh")
    try:
        incident = await report_incident(flow, title="冷却水泄漏")
        used = settings_with(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        await deliver(settings_override=used)
        by_address = {m["To"]: m for m in inbox.messages if "冷却水泄漏" in _subject(m)}
        assert _subject(by_address["bj@example.org"]) == (
            "Institute of Physics reported an incident: 冷却水泄漏"
        )
        assert "报告事件事故" in _subject(by_address["sco@example.org"])
        sent = await deliveries_about(sessions, incident, "email")
        assert sorted((d.target, d.status, d.attempts) for d in sent) == [
            ("bj@example.org", "sent", 1),
            ("sco@example.org", "sent", 1),
        ]
        # Message-ID is the delivery id: a receiver can drop a resend after a crash.
        ids = {d.id for d in sent}
        assert {
            uuid.UUID(m["Message-ID"].strip("<>").split("@")[0]) for m in by_address.values()
        } == ids
    finally:
        await _set_user(sessions, "bj.supervisor", email=None, locale="zh")
        await _set_user(sessions, "hq.safety-committee-office", email=None)


async def test_without_SMTP_the_email_channel_is_skipped_and_says_why(flow, deliver, sessions):
    await _set_user(sessions, "bj.supervisor", email="bj@example.org")
    try:
        incident = await report_incident(flow, title="无邮件服务")
        await deliver()
        (delivery,) = await deliveries_about(sessions, incident, "email")
        assert (delivery.status, delivery.last_error) == (
            "skipped",
            "SMTP is not configured (SMTP_HOST)",
        )
    finally:
        await _set_user(sessions, "bj.supervisor", email=None)


async def test_a_failing_channel_backs_off_is_parked_and_can_be_retried(
    flow, deliver, sessions, settings_with, smtp
):
    inbox, port = smtp
    await _set_user(sessions, "bj.supervisor", email="bj@example.org")
    try:
        incident = await report_incident(flow, title="邮件服务中断")
        down = settings_with(
            smtp_host="127.0.0.1",
            smtp_port=free_port(),  # nothing listens there
            smtp_security="none",
            outbox_max_attempts=2,
            outbox_retry_base_seconds=0.0,
        )
        await deliver(settings_override=down)
        # The inbox notices are there whatever happens to email.
        assert len(await notices_about(sessions, incident)) == 2
        (delivery,) = await deliveries_about(sessions, incident, "email")
        assert delivery.status == "failed" and delivery.attempts == 2
        assert "SMTP" in (delivery.last_error or "")
        async with sessions() as session, session.begin():
            await scope(session, ALL_TENANTS)
            event = (
                await session.scalars(
                    select(OutboxEvent).where(
                        OutboxEvent.payload["delivery_id"].astext == str(delivery.id)
                    )
                )
            ).one()
            assert event.failed_at is not None and event.attempts == 2
            await requeue(session, event)
        up = settings_with(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        await deliver(settings_override=up)
        (delivery,) = await deliveries_about(sessions, incident, "email")
        assert delivery.status == "sent"
        assert any("邮件服务中断" in _subject(m) for m in inbox.messages)
    finally:
        await _set_user(sessions, "bj.supervisor", email=None)


async def test_backoff_doubles_per_attempt_up_to_the_cap():
    policy = RetryPolicy(max_attempts=8, base_seconds=10, max_seconds=60, lease_seconds=120)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


class Hook(BaseHTTPRequestHandler):
    """An institute's system: answers 500 to the first request, then 204."""

    received: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012 - shared by the server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((dict(self.headers), body))
        self.send_response(500 if len(Hook.received) == 1 else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[str]:
    Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/stsec"
    server.shutdown()
    server.server_close()


async def test_webhooks_are_signed_with_HMAC_SHA256_and_retried(
    flow, deliver, sessions, settings, settings_with, hook_server
):
    secret = "s3cret-of-the-branch"
    sealed = secret_box(settings.data_encryption_keys).seal(secret)  # as registerWebhook keeps it
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        bj = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "BJ"))
        endpoint = WebhookEndpoint(
            tenant_id=bj, url=hook_server, secret=sealed, topics=["incident.reported"]
        )
        session.add(endpoint)
    try:
        incident = await report_incident(flow, title="网络钩子")
        await deliver(settings_override=settings_with(outbox_retry_base_seconds=0.0))
        (delivery,) = await deliveries_about(sessions, incident, "webhook")
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        assert len(Hook.received) == 2
        headers, body = Hook.received[-1]
        expected = hmac.new(
            secret.encode(), headers["X-Stsec-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers["X-Stsec-Signature"] == f"sha256={expected}"
        assert headers["X-Stsec-Delivery"] == str(delivery.id)
        payload = json.loads(body)
        assert payload["topic"] == "incident.reported"
        assert payload["recipient"]["username"] == "bj.supervisor"
        assert payload["subject"] == {
            "type": "incident",
            "tenantId": payload["subject"]["tenantId"],
            "id": incident,
        }
        assert "网络钩子" in payload["title"]
        # HQ's recipient has no endpoint: no webhook delivery for it.
        assert len(await deliveries_about(sessions, incident, "webhook")) == 1
    finally:
        async with sessions() as session, session.begin():
            await scope(session, ALL_TENANTS)
            row = await session.get(WebhookEndpoint, (endpoint.tenant_id, endpoint.id))
            assert row is not None
            row.active = False


async def test_events_of_a_rolled_back_change_are_never_delivered(sessions, deliver):
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        assert iph is not None
        await emit(session, tenant_id=iph, topic="incident.reported", payload={"x": "rolled back"})
        await session.rollback()
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        left = await session.scalar(
            select(OutboxEvent.id).where(OutboxEvent.payload["x"].astext == "rolled back")
        )
    assert left is None


async def test_the_relay_leases_each_event_to_one_claimant(sessions, settings):
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        iph = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == "IPH"))
        assert iph is not None
        marker = uuid.uuid4().hex
        for n in range(5):
            await emit(session, tenant_id=iph, topic="test.lease", payload={"m": marker, "n": n})
    policy = RetryPolicy.from_settings(settings)
    seen: list[uuid.UUID] = []
    for _ in range(3):
        async with sessions() as session, session.begin():
            seen.extend(c.event_id for c in await claim(session, policy, limit=1000))
    mine = await _marked(sessions, marker)
    assert mine <= set(seen) and len(seen) == len(set(seen))


async def _marked(sessions: Any, marker: str) -> set[uuid.UUID]:
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        rows = await session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.payload["m"].astext == marker)
        )
        return set(rows)


async def test_webhooks_into_the_platforms_own_network_are_refused_when_not_allowed(
    settings_with, hook_server
):
    from server.notices.channels import DeliveryFailed, post_webhook

    guarded = settings_with(webhook_allow_private=False)
    with pytest.raises(DeliveryFailed, match=r"non-public address 127\.0\.0\.1"):
        await post_webhook(guarded, url=hook_server, secret="s", delivery_id="d", payload={})
    assert Hook.received == []
