"""GraphQL types of notices: the inbox, webhook endpoints, and parked outbox events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit
from server.notices import messages, models
from server.notices.models import Channel, DeliveryStatus
from server.notices.routing import Route
from server.outbox import models as outbox

strawberry.enum(Channel, name="NoticeChannel", description="An outside channel of a notice.")
strawberry.enum(DeliveryStatus, name="DeliveryStatus")

# What a notice links to (`Notice.subject_type`) → the node type whose global ID it gets.
SUBJECT_NODES = {
    "hazard": "Hazard",
    "incident": "Incident",
    "project": "Project",
    "org_unit": "OrgUnit",
}


def subject_id(n: models.Notice) -> strawberry.ID | None:
    node = SUBJECT_NODES.get(n.subject_type or "")
    if node is None or n.subject_id is None or n.subject_tenant_id is None:
        return None
    if node == "OrgUnit":
        return to_global_id(node, n.subject_id)
    return to_global_id(node, n.subject_tenant_id, n.subject_id)


def _target(d: models.NoticeDelivery) -> str:
    """A webhook delivery's target is its endpoint's id: shown as the endpoint's global ID."""
    if d.channel != Channel.WEBHOOK.value:
        return d.target
    try:
        endpoint_id = uuid.UUID(d.target)
    except ValueError:
        return d.target
    return to_global_id("WebhookEndpoint", d.tenant_id, endpoint_id)


@strawberry.type(description="One delivery of a notice over an outside channel.")
class NoticeDelivery:
    channel: Channel
    target: str = strawberry.field(
        description="The e-mail address, or the global ID of the webhook endpoint."
    )
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None

    @classmethod
    def of(cls, d: models.NoticeDelivery) -> NoticeDelivery:
        return cls(
            channel=Channel(d.channel),
            target=_target(d),
            status=DeliveryStatus(d.status),
            attempts=d.attempts,
            last_error=d.last_error,
            sent_at=d.sent_at,
        )


@strawberry.type(description="A notice in the viewer's inbox, worded in the viewer's language.")
class Notice(Node):
    topic: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
    read: bool
    subject_id: strawberry.ID | None = strawberry.field(
        description="Global ID of what the notice is about: a hazard, incident, project or unit."
    )
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, n: models.Notice, locale: str) -> Notice:
        text = messages.render(n.topic, n.params, locale)
        return cls(
            id=to_global_id("Notice", n.tenant_id, n.id),
            topic=n.topic,
            title=text.title,
            body=text.body,
            created_at=n.created_at,
            read_at=n.read_at,
            read=n.read_at is not None,
            subject_id=subject_id(n),
            key=(n.tenant_id, n.id),
        )

    @strawberry.field(description="E-mail and webhook deliveries of this notice.")
    async def deliveries(self, info: Info) -> list[NoticeDelivery]:
        rows = await info.context.loaders.deliveries_by_notice.load(self.key)
        return [NoticeDelivery.of(d) for d in rows]


@strawberry.type(description="A topic notices are sent on, and the rules that demand it.")
class NoticeTopic:
    topic: str
    rules: str
    title_zh: str
    title_en: str

    @classmethod
    def of(cls, r: Route) -> NoticeTopic:
        return cls(topic=r.topic, rules=r.rules, title_zh=r.zh, title_en=r.en)


@strawberry.type(description="A unit's own system that receives its notices, signed (HMAC).")
class WebhookEndpoint(Node):
    url: str
    description: str
    topics: list[str] = strawberry.field(description="Empty: every topic.")
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, e: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=to_global_id("WebhookEndpoint", e.tenant_id, e.id),
            url=e.url,
            description=e.description,
            topics=list(e.topics),
            active=e.active,
            created_at=e.created_at,
        )


@strawberry.type(description="An outbox event that exhausted its retries (parked).")
class OutboxEvent(Node):
    topic: str
    org_unit_id: strawberry.ID
    attempts: int
    last_error: str | None
    created_at: datetime
    failed_at: datetime | None
    payload: JSON
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, e: outbox.OutboxEvent) -> OutboxEvent:
        return cls(
            id=to_global_id("OutboxEvent", e.tenant_id, e.id),
            topic=e.topic,
            org_unit_id=to_global_id("OrgUnit", e.tenant_id),
            attempts=e.attempts,
            last_error=e.last_error,
            created_at=e.created_at,
            failed_at=e.failed_at,
            payload=cast(JSON, e.payload),
            tenant_id=e.tenant_id,
        )

    @strawberry.field(description="The unit the event belongs to.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.tenant_id)
        return OrgUnit.of(unit) if unit is not None else None
