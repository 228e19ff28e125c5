"""The worker's handler for outbox events (server.outbox.delivery.Handler).

A domain event is routed: the routing table names the audiences, each recipient gets one inbox
notice (idempotent on the event id), and each notice gets a delivery per outside channel, sent
by an event of its own (`notice.email`, `notice.webhook`) so that a slow or failing channel is
retried on its own without holding up the inbox or the other channel.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import outbox
from server.config import Settings
from server.db.base import utcnow
from server.encryption import secret_box
from server.notices import audiences, channels, messages, subjects
from server.notices.models import (
    Channel,
    DeliveryStatus,
    Notice,
    NoticeDelivery,
    WebhookEndpoint,
)
from server.notices.routing import ROUTES
from server.outbox.models import OutboxEvent
from server.tenancy.models import User

log = structlog.get_logger(__name__)

EMAIL_TOPIC = "notice.email"
WEBHOOK_TOPIC = "notice.webhook"


class NoticeHandler:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, session: AsyncSession, event: OutboxEvent) -> None:
        if event.topic == EMAIL_TOPIC:
            await self._email(session, event)
        elif event.topic == WEBHOOK_TOPIC:
            await self._webhook(session, event)
        else:
            await route_event(session, self.settings, event)

    async def failed(
        self, session: AsyncSession, event: OutboxEvent, error: str, *, parked: bool
    ) -> None:
        if event.topic not in (EMAIL_TOPIC, WEBHOOK_TOPIC):
            return
        delivery = await _delivery(session, event)
        if delivery is not None:
            delivery.attempts = event.attempts
            delivery.last_error = error
            if parked:
                delivery.status = DeliveryStatus.FAILED.value

    async def _email(self, session: AsyncSession, event: OutboxEvent) -> None:
        delivery = await _delivery(session, event)
        if delivery is None or delivery.status == DeliveryStatus.SENT.value:
            return
        notice = await session.get(Notice, (delivery.tenant_id, delivery.notice_id))
        if notice is None:
            return
        user = await session.get(User, (notice.tenant_id, notice.user_id))
        if user is None:
            return
        text = messages.render(notice.topic, notice.params, user.locale)
        link = f"{self.settings.public_url}/#/inbox"
        await channels.send_email(
            self.settings,
            to=delivery.target,
            subject=text.title,
            body=f"{text.body}\n\n{link}\n",
            message_id=str(delivery.id),
        )
        _sent(delivery, event)

    async def _webhook(self, session: AsyncSession, event: OutboxEvent) -> None:
        delivery = await _delivery(session, event)
        if delivery is None or delivery.status == DeliveryStatus.SENT.value:
            return
        notice = await session.get(Notice, (delivery.tenant_id, delivery.notice_id))
        endpoint = await session.get(
            WebhookEndpoint, (delivery.tenant_id, uuid.UUID(delivery.target))
        )
        if notice is None:
            return
        if endpoint is None or not endpoint.active:
            delivery.status = DeliveryStatus.SKIPPED.value
            delivery.last_error = "the endpoint was disabled"
            return
        user = await session.get(User, (notice.tenant_id, notice.user_id))
        locale = user.locale if user else "zh"
        text = messages.render(notice.topic, notice.params, locale)
        await channels.post_webhook(
            self.settings,
            url=endpoint.url,
            secret=secret_box(self.settings.data_encryption_keys).open(endpoint.secret),
            delivery_id=str(delivery.id),
            payload=webhook_payload(notice, user, text),
        )
        _sent(delivery, event)


def webhook_payload(notice: Notice, user: User | None, text: messages.Text) -> dict[str, Any]:
    return {
        "delivery": "notice",
        "topic": notice.topic,
        "noticeId": str(notice.id),
        "sourceId": str(notice.source_id),
        "createdAt": notice.created_at.isoformat(),
        "recipient": {"username": user.username, "locale": user.locale} if user else None,
        "subject": {
            "type": notice.subject_type,
            "tenantId": str(notice.subject_tenant_id) if notice.subject_tenant_id else None,
            "id": str(notice.subject_id) if notice.subject_id else None,
        },
        "title": text.title,
        "body": text.body,
        "params": notice.params,
    }


def _sent(delivery: NoticeDelivery, event: OutboxEvent) -> None:
    delivery.status = DeliveryStatus.SENT.value
    delivery.sent_at = utcnow()
    delivery.attempts = event.attempts
    delivery.last_error = None


async def _delivery(session: AsyncSession, event: OutboxEvent) -> NoticeDelivery | None:
    raw = event.payload.get("delivery_id")
    if not raw:
        return None
    return await session.get(NoticeDelivery, (event.tenant_id, uuid.UUID(str(raw))))


async def route_event(session: AsyncSession, settings: Settings, event: OutboxEvent) -> int:
    """Create the inbox notices for one event and queue their outside deliveries.

    Returns how many notices this call created (0 when a duplicate message finds them made).
    """
    route = ROUTES.get(event.topic)
    if route is None or not route.audiences:
        return 0
    subject = await subjects.load(session, event.tenant_id, event.payload)
    recipients = await audiences.resolve(session, subject, route.audiences)
    if not recipients:
        log.warning("notice_without_recipients", topic=event.topic, tenant_id=str(event.tenant_id))
        return 0
    kind, subject_tenant, subject_id = subject.reference()
    params = subject.params()
    endpoints = await _endpoints(session, {r.tenant_id for r in recipients}, event.topic)
    created = 0
    for r in recipients:
        notice_id = await session.scalar(
            insert(Notice)
            .values(
                tenant_id=r.tenant_id,
                id=uuid.uuid4(),
                user_id=r.user_id,
                source_id=event.id,
                topic=event.topic,
                params=params,
                subject_type=kind,
                subject_tenant_id=subject_tenant,
                subject_id=subject_id,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "source_id"])
            .returning(Notice.id)
        )
        if notice_id is None:
            continue
        created += 1
        if r.email:
            await _queue(session, settings, r.tenant_id, notice_id, Channel.EMAIL, r.email)
        for endpoint in endpoints.get(r.tenant_id, []):
            await _queue(session, settings, r.tenant_id, notice_id, Channel.WEBHOOK, endpoint)
    return created


async def _endpoints(
    session: AsyncSession, tenants: set[uuid.UUID], topic: str
) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.tenant_id.in_(tenants), WebhookEndpoint.active.is_(True)
        )
    )
    found: dict[uuid.UUID, list[str]] = {}
    for endpoint in rows.scalars():
        if not endpoint.topics or topic in endpoint.topics:
            found.setdefault(endpoint.tenant_id, []).append(str(endpoint.id))
    return found


async def _queue(
    session: AsyncSession,
    settings: Settings,
    tenant_id: uuid.UUID,
    notice_id: uuid.UUID,
    channel: Channel,
    target: str,
) -> None:
    delivery = NoticeDelivery(
        tenant_id=tenant_id, notice_id=notice_id, channel=channel.value, target=target
    )
    if channel is Channel.EMAIL and settings.smtp_host is None:
        delivery.status = DeliveryStatus.SKIPPED.value
        delivery.last_error = "SMTP is not configured (SMTP_HOST)"
    session.add(delivery)
    await session.flush()
    if delivery.status == DeliveryStatus.PENDING.value:
        topic = EMAIL_TOPIC if channel is Channel.EMAIL else WEBHOOK_TOPIC
        await outbox.emit(
            session, tenant_id=tenant_id, topic=topic, payload={"delivery_id": str(delivery.id)}
        )
