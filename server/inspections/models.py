"""Tables of hazards (风险隐患), their rectification (整改), supervision (督办) and handling."""

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


class HazardSource(enum.StrEnum):
    INSPECTION = "inspection"  # found by an inspection (R-INSPECT)
    SELF_REPORT = "self_report"  # reported by project staff (R-REPORT)
    SUPERVISOR = "supervisor"  # found by a branch academy or HQ (R-SUPERVISE)


class HazardSeverity(enum.StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患


class HazardState(enum.StrEnum):
    OPEN = "open"
    RECTIFYING = "rectifying"
    AWAITING_VERIFICATION = "awaiting_verification"
    CLOSED = "closed"


class HandlingDecision(enum.StrEnum):
    """R-OVERDUE: what the HQ business department decides on a recommendation."""

    SUSPEND_PROJECT = "suspend_project"
    BAN = "ban"  # stop the unit, business unit or person applying for new projects
    NO_ACTION = "no_action"


class BanTarget(enum.StrEnum):
    UNIT = "unit"
    BUSINESS_UNIT = "business_unit"  # the undertaking department
    PERSON = "person"


class Hazard(TenantOwned, Timestamped, Base):
    """A hazard in the register (R-HAZARD): found, planned, rectified, verified."""

    __tablename__ = "hazards"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
        ForeignKeyConstraint(["tenant_id", "owner_user_id"], ["users.tenant_id", "users.id"]),
        # Overdue hazards (R-OVERDUE) are among the few not closed (migration 0012).
        Index(
            "ix_hazards_open_deadline",
            "tenant_id",
            "deadline",
            postgresql_where=text("state <> 'closed'"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(16))
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(24), default=HazardState.OPEN.value)
    reported_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reported_by_label: Mapped[str] = mapped_column(String(200))
    # The rectification plan (整改方案): who, by when, how.
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deadline: Mapped[date | None] = mapped_column(Date)
    plan: Mapped[str | None] = mapped_column(Text)
    rectified_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rectification_note: Mapped[str | None] = mapped_column(Text)
    verified_by_label: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification_note: Mapped[str | None] = mapped_column(Text)
    # Verifications that found the rectification inadequate (R-OVERDUE).
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # R-CLOSE: at closure an open hazard is closed or explicitly handed over, with a reason.
    handed_over_reason: Mapped[str | None] = mapped_column(Text)
    handed_over_by_label: Mapped[str | None] = mapped_column(String(200))
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - read by SQLAlchemy once
    resource_type: ClassVar[str] = "hazard"

    def overdue_on(self, day: date) -> bool:
        """Derived, never stored: not closed and past its deadline."""
        return (
            self.state != HazardState.CLOSED.value
            and self.deadline is not None
            and self.deadline < day
        )


class Supervision(TenantOwned, Timestamped, Base):
    """督办: a branch academy or HQ presses on a hazard with a comment and a deadline of its own."""

    __tablename__ = "hazard_supervisions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "hazard_id"], ["hazards.tenant_id", "hazards.id"]),
    )

    hazard_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    by_label: Mapped[str] = mapped_column(String(200))
    by_unit_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    comment: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)


class HandlingRecommendation(TenantOwned, Timestamped, Base):
    """R-OVERDUE: a major hazard late or inadequately rectified goes to the HQ business
    department, which decides to suspend the project or to ban new projects."""

    __tablename__ = "handling_recommendations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "hazard_id"], ["hazards.tenant_id", "hazards.id"]),
    )

    hazard_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(Text)
    recommended_by_label: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(24))
    decided_by_label: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class CheckResult(enum.StrEnum):
    """R-INSPECT: how far a mitigation measure of the assessment is carried out."""

    IMPLEMENTED = "implemented"  # 已落实
    PARTLY = "partly"  # 部分落实
    NOT_IMPLEMENTED = "not_implemented"  # 未落实


class Inspection(TenantOwned, Timestamped, Base):
    """A supervision inspection of a project (R-INSPECT, R-SUPERVISE)."""

    __tablename__ = "inspections"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector_label: Mapped[str] = mapped_column(String(200))
    inspector_unit_kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    report_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class MeasureCheck(TenantOwned, Base):
    """One mitigation measure as an inspection found it."""

    __tablename__ = "measure_checks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "inspection_id"], ["inspections.tenant_id", "inspections.id"]
        ),
    )

    inspection_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    measure_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
