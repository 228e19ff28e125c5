"""Mutations of notices: marking the inbox read, webhook endpoints, retrying parked events."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.notices.types import OutboxEvent, WebhookEndpoint
from schema.relay import from_global_id, tenant_key
from server.errors import NotFound
from server.notices import service


@strawberry.type
class NoticesMarked:
    count: int = strawberry.field(description="How many unread notices this marked read.")

    @strawberry.field(description="The viewer's notices still unread.")
    async def unread_count(self, info: Info) -> int:
        return await service.unread_count(info.context.session, info.context.principal)


@strawberry.type
class WebhookRegistered:
    webhook_endpoint: WebhookEndpoint
    secret: str = strawberry.field(
        description="Shown once: check each delivery's HMAC-SHA256 signature with it."
    )


@strawberry.type
class WebhookEndpointSaved:
    webhook_endpoint: WebhookEndpoint


@strawberry.type
class OutboxEventRetried:
    event: OutboxEvent


NoticesMarkedResult = Annotated[
    NoticesMarked | MutationError, strawberry.union("NoticesMarkedResult")
]
WebhookRegisterResult = Annotated[
    WebhookRegistered | MutationError, strawberry.union("WebhookRegisterResult")
]
WebhookEndpointResult = Annotated[
    WebhookEndpointSaved | MutationError, strawberry.union("WebhookEndpointResult")
]
OutboxEventResult = Annotated[
    OutboxEventRetried | MutationError, strawberry.union("OutboxEventResult")
]


def _notice_keys(ids: list[strawberry.ID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    try:
        return [tenant_key(i, "Notice") for i in ids]
    except NotFound as exc:
        raise NotFound("No such notice.", field="ids") from exc


@strawberry.type
class NoticesMutation:
    @strawberry.mutation(description="Mark some of your own notices read.")
    async def mark_notices_read(self, info: Info, ids: list[strawberry.ID]) -> NoticesMarkedResult:
        ctx = info.context

        async def work() -> NoticesMarked:
            count = await service.mark_read(ctx.session, ctx.principal, _notice_keys(ids))
            return NoticesMarked(count=count)

        return await run_mutation(info, work)

    @strawberry.mutation(description="Mark every one of your notices read.")
    async def mark_all_notices_read(self, info: Info) -> NoticesMarkedResult:
        ctx = info.context

        async def work() -> NoticesMarked:
            return NoticesMarked(count=await service.mark_all_read(ctx.session, ctx.principal))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Register a unit's own system for its notices; the secret is shown only now."
    )
    async def register_webhook(
        self,
        info: Info,
        org_unit_id: strawberry.ID,
        url: str,
        topics: list[str],
        description: str = "",
    ) -> WebhookRegisterResult:
        ctx = info.context

        async def work() -> WebhookRegistered:
            _, (unit_id,) = from_global_id(org_unit_id, "OrgUnit")
            endpoint, secret = await service.register_webhook(
                ctx.session,
                ctx.principal,
                ctx.settings,
                unit_id=unit_id,
                url=url,
                description=description,
                topics=topics,
            )
            return WebhookRegistered(webhook_endpoint=WebhookEndpoint.of(endpoint), secret=secret)

        return await run_mutation(info, work)

    @strawberry.mutation(description="Stop delivering to a webhook endpoint.")
    async def disable_webhook(self, info: Info, id: strawberry.ID) -> WebhookEndpointResult:
        ctx = info.context

        async def work() -> WebhookEndpointSaved:
            tenant_id, endpoint_id = tenant_key(id, "WebhookEndpoint")
            endpoint = await service.disable_webhook(
                ctx.session, ctx.principal, tenant_id, endpoint_id
            )
            return WebhookEndpointSaved(webhook_endpoint=WebhookEndpoint.of(endpoint))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Give a parked event a fresh set of attempts (platform admins)."
    )
    async def retry_event(self, info: Info, id: strawberry.ID) -> OutboxEventResult:
        ctx = info.context

        async def work() -> OutboxEventRetried:
            tenant_id, event_id = tenant_key(id, "OutboxEvent")
            event = await service.retry_event(ctx.session, ctx.principal, tenant_id, event_id)
            return OutboxEventRetried(event=OutboxEvent.of(event))

        return await run_mutation(info, work)
