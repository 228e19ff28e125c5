"""The outbox table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped


class OutboxEvent(TenantOwned, Timestamped, Base):
    """An event to deliver after commit (DESIGN decision 5).

    The relay (workers/) hands it to the broker and leases it (`available_at` moves ahead);
    the actor that handles it sets `dispatched_at`. A failure moves `available_at` by a growing
    backoff; `attempts` counts handovers, and past the limit the event is parked (`failed_at`)
    where platform admins see it and can retry it.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_pending",
            "available_at",
            postgresql_where="dispatched_at IS NULL AND failed_at IS NULL",
        ),
        # Delivery latency on /metrics looks at the last hour's handled events.
        Index("ix_outbox_events_dispatched", "dispatched_at"),
    )

    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "outbox_event"

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()
