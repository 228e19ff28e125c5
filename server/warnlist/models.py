"""Tables of the warning list (R-WARNLIST) and the rewards register (R-REWARD)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, Index, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped


class SubjectKind(enum.StrEnum):
    UNIT = "unit"  # the institute (the tenant)
    BUSINESS_UNIT = "business_unit"  # one of its departments
    PERSON = "person"  # one of its people


class EntrySource(enum.StrEnum):
    EVALUATION = "evaluation"  # the yearly rating (R-EVAL)
    INCIDENT = "incident"  # a major incident with serious consequences
    VIOLATION = "violation"  # rules broken
    HANDLING_DECISION = "handling_decision"  # HQ's decision on a late major hazard (R-OVERDUE)


class RewardReason(enum.StrEnum):
    """R-REWARD's three grounds."""

    RISK_RESEARCH = "risk_research"  # significant risk research
    MEASURES = "measures"  # measures carried out well
    POLICY_ADOPTED = "policy_adopted"  # policy recommendations adopted nationally


class WarningListEntry(TenantOwned, Timestamped, Base):
    """A unit, business unit or person on the warning list; `tenant_id` is the unit concerned.

    `ban`: no new projects may be submitted or approved (R-OVERDUE's stop); otherwise the entry
    flags the subject and its new projects need HQ re-review before approval.
    """

    __tablename__ = "warning_list_entries"
    __table_args__ = (Index("ix_warning_list_subject", "tenant_id", "subject_kind", "subject_id"),)

    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    subject_label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(24))
    source_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ban: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_label: Mapped[str] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_reason: Mapped[str | None] = mapped_column(Text)

    resource_type: ClassVar[str] = "warning_list"

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()

    def active_on(self, day: date) -> bool:
        return (
            self.lifted_at is None
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )


class WarningListEvent(TenantOwned, Timestamped, Base):
    """The history of an entry: added, changed, lifted."""

    __tablename__ = "warning_list_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "entry_id"], ["warning_list_entries.tenant_id", "warning_list_entries.id"]
        ),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(16))
    by_label: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Reward(TenantOwned, Timestamped, Base):
    """A reward to a unit or a person (R-REWARD); `tenant_id` is the unit concerned."""

    __tablename__ = "rewards"

    recipient_kind: Mapped[str] = mapped_column(String(16))  # unit | person
    recipient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    recipient_label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(24))
    citation: Mapped[str] = mapped_column(Text)
    awarded_on: Mapped[date] = mapped_column(Date)
    awarded_by_label: Mapped[str] = mapped_column(String(200))

    resource_type: ClassVar[str] = "reward"

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()
