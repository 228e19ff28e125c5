"""Tables of incidents."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped


class IncidentSeverity(enum.StrEnum):
    GENERAL = "general"  # 一般
    MAJOR = "major"  # 重大
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大


class IncidentState(enum.StrEnum):
    REPORTED = "reported"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class UpdateKind(enum.StrEnum):
    FOLLOW_UP = "follow_up"  # 续报
    INVESTIGATION = "investigation"  # 调查
    PUBLIC_OPINION = "public_opinion"  # 舆情监测
    FALSE_STATEMENT = "false_statement"  # 不实言论


class Incident(TenantOwned, Timestamped, Base):
    """An incident of the unit `tenant_id`, optionally of one of its projects."""

    __tablename__ = "incidents"
    __table_args__ = (
        # Open incidents, for oversight (migration 0012).
        Index(
            "ix_incidents_open",
            "tenant_id",
            "occurred_at",
            postgresql_where=text("state <> 'closed'"),
        ),
    )

    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(20))
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    losses: Mapped[str] = mapped_column(Text, default="")
    public_opinion: Mapped[str] = mapped_column(Text, default="")
    immediate_measures: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=IncidentState.REPORTED.value)
    reported_by_label: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The limits in force when it was reported (INCIDENT_REPORT_HOURS, INCIDENT_FOLLOW_UP_HOURS).
    report_limit_hours: Mapped[int] = mapped_column(Integer)
    follow_up_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lessons_learned: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "incident"

    @property
    def reported_late(self) -> bool:
        return (
            self.reported_at - self.occurred_at
        ).total_seconds() > self.report_limit_hours * 3600

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()


class IncidentUpdate(TenantOwned, Timestamped, Base):
    """A follow-up report, investigation note, or public-opinion record."""

    __tablename__ = "incident_updates"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "incident_id"], ["incidents.tenant_id", "incidents.id"]),
    )

    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    by_label: Mapped[str] = mapped_column(String(200))


class SpecialMeeting(TenantOwned, Timestamped, Base):
    """For a major incident, the HQ coordination group's special meeting (R-INCIDENT)."""

    __tablename__ = "incident_meetings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "incident_id"], ["incidents.tenant_id", "incidents.id"]),
    )

    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    recorded_by_label: Mapped[str] = mapped_column(String(200))
