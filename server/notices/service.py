"""The inbox, webhook endpoints, and parked events: what people and admins do with notices."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, validation
from server.auth.principal import Principal
from server.authz import Target, authorize
from server.config import Settings
from server.db.base import utcnow
from server.encryption import secret_box
from server.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from server.notices.dispatch import EMAIL_TOPIC, WEBHOOK_TOPIC
from server.notices.models import DeliveryStatus, Notice, NoticeDelivery, WebhookEndpoint
from server.notices.routing import ROUTES
from server.outbox.delivery import requeue
from server.outbox.models import OutboxEvent
from server.pagination import Page, paginate
from server.tenancy.service import get_org_unit

# ---------------------------------------------------------------- the inbox


def _mine(principal: Principal) -> Target:
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    if principal.user_id is None or principal.tenant_id is None:
        # API tokens stand for a system, not a person: they have no inbox.
        raise NotFound("Only people have an inbox.")
    return Target("notice", principal.tenant_id, frozenset({"self"}))


def _inbox_query(principal: Principal, unread_only: bool) -> Select[Notice]:
    stmt = select(Notice).where(
        Notice.tenant_id == principal.tenant_id, Notice.user_id == principal.user_id
    )
    return stmt.where(Notice.read_at.is_(None)) if unread_only else stmt


async def inbox(
    session: AsyncSession,
    principal: Principal,
    *,
    unread_only: bool,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[Notice]:
    """The principal's own notices, newest first."""
    authorize(principal, "read", _mine(principal))
    return await paginate(
        session,
        _inbox_query(principal, unread_only),
        Notice.created_at,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
        tiebreak=Notice.id,
    )


async def unread_count(session: AsyncSession, principal: Principal) -> int:
    authorize(principal, "read", _mine(principal))
    count = await session.scalar(
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.tenant_id == principal.tenant_id,
            Notice.user_id == principal.user_id,
            Notice.read_at.is_(None),
        )
    )
    return int(count or 0)


async def mark_read(
    session: AsyncSession, principal: Principal, ids: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> int:
    """Mark the principal's own notices read; someone else's notice is simply not found."""
    target = _mine(principal)
    authorize(principal, "update_self", target)
    if not ids or len(ids) > 500:
        raise InvalidInput("Name 1 to 500 notices.", field="ids")
    wanted = set(ids)
    rows = await session.execute(
        select(Notice.tenant_id, Notice.id).where(
            Notice.tenant_id == principal.tenant_id,
            Notice.user_id == principal.user_id,
            Notice.id.in_([i for _, i in wanted]),
        )
    )
    if {(t, i) for t, i in rows} != wanted:
        raise NotFound("No such notice.")
    result = await session.execute(
        update(Notice)
        .where(Notice.tenant_id == principal.tenant_id, Notice.user_id == principal.user_id)
        .where(Notice.id.in_([i for _, i in wanted]), Notice.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_all_read(session: AsyncSession, principal: Principal) -> int:
    authorize(principal, "update_self", _mine(principal))
    result = await session.execute(
        update(Notice)
        .where(Notice.tenant_id == principal.tenant_id, Notice.user_id == principal.user_id)
        .where(Notice.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- webhook endpoints


def _url(settings: Settings, raw: str) -> str:
    url = raw.strip()
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.webhook_allow_http else {"https"}
    if len(url) > 400 or parts.scheme not in allowed or not parts.hostname:
        schemes = " or ".join(sorted(allowed))
        raise InvalidInput(
            f"Give an absolute {schemes} URL of at most 400 characters.", field="url"
        )
    if parts.username or parts.password:
        raise InvalidInput("Put no credentials in the URL; deliveries are signed.", field="url")
    return url


def _topics(topics: Sequence[str]) -> list[str]:
    unknown = sorted(set(topics) - set(ROUTES))
    if unknown:
        raise InvalidInput(f"Unknown topics: {', '.join(unknown)}.", field="topics")
    return sorted(set(topics))


async def register_webhook(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    *,
    unit_id: uuid.UUID,
    url: str,
    description: str,
    topics: Sequence[str],
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint of the unit's own system; the signing secret is shown only now."""
    unit = await get_org_unit(session, principal, unit_id)
    authorize(principal, "manage", Target("webhook_endpoint", unit.id))
    clean = _url(settings, url)
    exists = await session.scalar(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.tenant_id == unit.id, WebhookEndpoint.url == clean
        )
    )
    if exists is not None:
        raise Conflict("This URL is registered already.", field="url")
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        tenant_id=unit.id,
        url=clean,
        secret=secret_box(settings.data_encryption_keys).seal(secret),
        description=validation.text(description, "description", max_len=200, required=False),
        topics=_topics(topics),
        created_by=principal.actor_id,
    )
    session.add(endpoint)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=unit.id,
        action="webhook.register",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        changes={"url": clean, "topics": endpoint.topics},
    )
    return endpoint, secret


async def webhooks(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> Sequence[WebhookEndpoint]:
    unit = await get_org_unit(session, principal, unit_id)
    authorize(principal, "manage", Target("webhook_endpoint", unit.id))
    rows = await session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == unit.id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return rows.scalars().all()


async def disable_webhook(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, (tenant_id, endpoint_id))
    if endpoint is None or not principal.can_see(tenant_id):
        raise NotFound("No such webhook endpoint.")
    authorize(principal, "manage", endpoint)
    if endpoint.active:
        endpoint.active = False
        await audit.record(
            session,
            principal,
            tenant_id=tenant_id,
            action="webhook.disable",
            object_type="webhook_endpoint",
            object_id=endpoint.id,
        )
    return endpoint


# ---------------------------------------------------------------- parked events


async def failed_events(
    session: AsyncSession, principal: Principal, *, first: int, after: str | None, max_size: int
) -> Page[OutboxEvent]:
    """Events that exhausted their retries, for platform admins (every unit they oversee)."""
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    if principal.tenant_id is None:
        raise NotFound("No such list.")
    authorize(principal, "manage", Target("outbox_event", principal.tenant_id))
    stmt = select(OutboxEvent).where(OutboxEvent.failed_at.is_not(None))
    page = await paginate(
        session,
        stmt,
        OutboxEvent.failed_at,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
        tiebreak=OutboxEvent.id,
    )
    return page


async def retry_event(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, event_id: uuid.UUID
) -> OutboxEvent:
    event = await session.get(OutboxEvent, (tenant_id, event_id), with_for_update=True)
    if event is None or not principal.can_see(tenant_id):
        raise NotFound("No such event.")
    authorize(principal, "manage", event)
    if event.failed_at is None:
        raise Conflict("Only an event that exhausted its retries can be retried.", field="id")
    await requeue(session, event)
    if event.topic in (EMAIL_TOPIC, WEBHOOK_TOPIC) and (raw := event.payload.get("delivery_id")):
        await session.execute(
            update(NoticeDelivery)
            .where(
                NoticeDelivery.tenant_id == tenant_id,
                NoticeDelivery.id == uuid.UUID(str(raw)),
                NoticeDelivery.status == DeliveryStatus.FAILED.value,
            )
            .values(status=DeliveryStatus.PENDING.value)
        )
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="outbox_event.retry",
        object_type="outbox_event",
        object_id=event.id,
        changes={"topic": event.topic, "last_error": event.last_error},
    )
    return event


async def reseal_webhook_secrets(session: AsyncSession, settings: Settings) -> int:
    """Seal every endpoint's secret under the first data encryption key (operators' rotation:
    the caller scopes the session to every tenant)."""
    box = secret_box(settings.data_encryption_keys)
    endpoints = (await session.scalars(select(WebhookEndpoint))).all()
    for endpoint in endpoints:
        endpoint.secret = box.reseal(endpoint.secret)
    return len(endpoints)
