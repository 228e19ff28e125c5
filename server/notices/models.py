"""Tables of the notices domain: inbox notices, their deliveries, webhook endpoints, and the
scheduler's record of the reminder and escalation steps it has fired."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.auth.principal import Principal
from server.db.base import Base, TenantOwned, Timestamped

NO_RELATIONS: frozenset[str] = frozenset()


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # retries exhausted; a platform admin may retry the event
    SKIPPED = "skipped"  # the channel is not configured, or the recipient has no address


class Notice(TenantOwned, Timestamped, Base):
    """One notice in one user's inbox; `tenant_id` is the recipient's unit.

    The text is rendered when read, in the reader's language, from `topic` and `params`.
    """

    __tablename__ = "notices"
    __table_args__ = (
        # Idempotency: one notice per source (outbox event or scheduler step) per recipient, so
        # an event handled twice still gives one notice.
        UniqueConstraint("tenant_id", "user_id", "source_id"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        Index("ix_notices_inbox", "tenant_id", "user_id", "created_at"),
        Index(
            "ix_notices_unread",
            "tenant_id",
            "user_id",
            postgresql_where="read_at IS NULL",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    topic: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # What the notice is about, for a link in the inbox: (type, tenant, id) of a node.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "notice"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return frozenset({"self"}) if principal.user_id == self.user_id else NO_RELATIONS


class NoticeDelivery(TenantOwned, Timestamped, Base):
    """A notice's delivery over one channel to one target (an address or a webhook endpoint)."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "notice_id", "channel", "target"),
        ForeignKeyConstraint(["tenant_id", "notice_id"], ["notices.tenant_id", "notices.id"]),
    )

    notice_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookEndpoint(TenantOwned, Timestamped, Base):
    """An institute's own system that receives its notices, signed with HMAC-SHA256."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("tenant_id", "url"),)

    url: Mapped[str] = mapped_column(String(400))
    # Shown once when registered; kept sealed (server/encryption.py) to sign each delivery.
    secret: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    # Empty: every topic.
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    resource_type: ClassVar[str] = "webhook_endpoint"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return NO_RELATIONS


class ScheduledStep(TenantOwned, Base):
    """A reminder or escalation step the scheduler fired. The unique key makes each step fire
    once, however many scheduler replicas run."""

    __tablename__ = "scheduled_steps"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(80))
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
