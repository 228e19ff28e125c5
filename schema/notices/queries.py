"""Queries of notices: the viewer's inbox, a unit's webhook endpoints, parked events."""

from __future__ import annotations

import uuid

import strawberry

from schema.context import Info
from schema.notices.types import Notice, NoticeTopic, OutboxEvent, WebhookEndpoint
from schema.relay import Connection, connection, from_global_id
from server.notices import service
from server.notices.routing import ROUTES


async def inbox(
    info: Info, unread_only: bool = False, first: int = 50, after: str | None = None
) -> Connection[Notice]:
    """The viewer's own notices, newest first, in the viewer's language."""
    ctx = info.context
    page = await service.inbox(
        ctx.session,
        ctx.principal,
        unread_only=unread_only,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    locale = ctx.principal.locale
    return connection(page, lambda n: Notice.of(n, locale))


async def unread_notice_count(info: Info) -> int:
    """How many of the viewer's notices are unread."""
    return await service.unread_count(info.context.session, info.context.principal)


async def webhook_endpoints(info: Info, org_unit_id: strawberry.ID) -> list[WebhookEndpoint]:
    """A unit's webhook endpoints (its admins; platform admins). Secrets are never shown."""
    ctx = info.context
    unit: uuid.UUID = from_global_id(org_unit_id, "OrgUnit")[1][0]
    rows = await service.webhooks(ctx.session, ctx.principal, unit)
    return [WebhookEndpoint.of(e) for e in rows]


async def failed_events(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[OutboxEvent]:
    """Events that exhausted their retries, last parked first (platform admins)."""
    ctx = info.context
    page = await service.failed_events(
        ctx.session, ctx.principal, first=first, after=after, max_size=ctx.settings.page_size_max
    )
    return connection(page, OutboxEvent.of)


def notice_topics() -> list[NoticeTopic]:
    """Every topic notices are sent on: what a webhook endpoint may subscribe to."""
    return [NoticeTopic.of(r) for r in ROUTES.values()]


@strawberry.type
class NoticesQuery:
    inbox: Connection[Notice] = strawberry.field(resolver=inbox)
    unread_notice_count: int = strawberry.field(resolver=unread_notice_count)
    webhook_endpoints: list[WebhookEndpoint] = strawberry.field(resolver=webhook_endpoints)
    failed_events: Connection[OutboxEvent] = strawberry.field(resolver=failed_events)
    notice_topics: list[NoticeTopic] = strawberry.field(resolver=notice_topics)
