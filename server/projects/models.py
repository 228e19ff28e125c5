"""Tables of the projects domain."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
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

from server.db.base import Base, TenantOwned, Timestamped


class Project(TenantOwned, Timestamped, Base):
    """A research project of the undertaking institute (`tenant_id`)."""

    __tablename__ = "projects"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "pi_user_id"], ["users.tenant_id", "users.id"]),
        Index("ix_projects_created", "tenant_id", "created_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    pi_user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # R-OWN: who approves manages. False: the institute's research management; True: an HQ
    # business department, for projects HQ deploys.
    deployed_by_hq: Mapped[bool] = mapped_column(Boolean, default=False)
    hq_department: Mapped[str | None] = mapped_column(String(100))
    funding_source: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    research_fields: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    sensitive_fields: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    international_cooperation: Mapped[bool] = mapped_column(Boolean, default=False)
    national_filing_required: Mapped[bool] = mapped_column(Boolean, default=False)
    national_approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # R-FILING also covers projects that could seriously affect national security or the
    # academy's reputation.
    major_impact: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state_reason: Mapped[str | None] = mapped_column(Text)
    # Suspended by HQ (a business department, or its handling decision under R-OVERDUE): only
    # HQ lifts it, not the institute that approved the project.
    suspended_by_hq: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    current_assessment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    closure_summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - read by SQLAlchemy once
    resource_type: ClassVar[str] = "project"

    @property
    def filing_required(self) -> bool:
        """R-FILING: state-mandated filing, major international cooperation, or major impact."""
        return self.national_filing_required or self.international_cooperation or self.major_impact


class ProjectMember(TenantOwned, Timestamped, Base):
    """A member of the project team (R-OWN: an undertaker, with the PI)."""

    __tablename__ = "project_members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_id", "user_id"),
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class RiskAssessment(TenantOwned, Timestamped, Base):
    """One version of a project's risk assessment (R-ASSESS), with the matrix it was made on."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_id", "number"),
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    # The matrix and thresholds in force when it was made: past assessments stay reproducible.
    matrix: Mapped[dict[str, Any]] = mapped_column(JSONB)
    overall_level: Mapped[str | None] = mapped_column(String(16))
    # Categories marked not applicable, with the reason for each: {category: reason}.
    not_applicable: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    reason_for_version: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - read by SQLAlchemy once


class RiskPoint(TenantOwned, Base):
    """A risk point of one category: likelihood × impact on the assessment's matrix."""

    __tablename__ = "risk_points"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["risk_assessments.tenant_id", "risk_assessments.id"]
        ),
        # The oversight's counts read only these columns (migration 0012).
        Index(
            "ix_risk_points_assessment",
            "tenant_id",
            "assessment_id",
            postgresql_include=["category", "level", "likelihood", "impact"],
        ),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16))
    consequences: Mapped[str] = mapped_column(Text, default="")


class MitigationMeasure(TenantOwned, Base):
    """A measure against one risk point: owner, due date, status (R-INSPECT checks it)."""

    __tablename__ = "mitigation_measures"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "risk_point_id"], ["risk_points.tenant_id", "risk_points.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "owner_user_id"], ["users.tenant_id", "users.id"]),
        Index("ix_mitigation_measures_risk_point", "tenant_id", "risk_point_id"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    risk_point_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")


class ChokepointDependency(TenantOwned, Base):
    """A key technology, material or equipment the project depends on (卡脖子 exposure)."""

    __tablename__ = "chokepoint_dependencies"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["risk_assessments.tenant_id", "risk_assessments.id"]
        ),
        Index("ix_chokepoint_dependencies_assessment", "tenant_id", "assessment_id"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    item_kind: Mapped[str] = mapped_column(String(16))  # technology / material / equipment
    source_country: Mapped[str] = mapped_column(String(100))
    supplier: Mapped[str] = mapped_column(String(200), default="")
    domestic_substitute: Mapped[bool] = mapped_column(Boolean, default=False)
    stock_or_lead_time: Mapped[str] = mapped_column(String(200), default="")


class Review(TenantOwned, Timestamped, Base):
    """A review of one assessment version (R-REVIEW), a sign-off (R-SENSITIVE) or HQ re-review."""

    __tablename__ = "reviews"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["risk_assessments.tenant_id", "risk_assessments.id"]
        ),
        Index("ix_reviews_assessment", "tenant_id", "assessment_id"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stage: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    minutes_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    opinion_accuracy: Mapped[str] = mapped_column(Text)
    opinion_measures: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(8))
    reviewer_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reviewer_label: Mapped[str] = mapped_column(String(200))


class Filing(TenantOwned, Timestamped, Base):
    """R-FILING: signed by the legal representative, filed with the HQ business department."""

    __tablename__ = "filings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    state: Mapped[str] = mapped_column(String(24), default="submitted")
    signed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    signed_by_label: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text, default="")
    hq_decided_by_label: Mapped[str | None] = mapped_column(String(200))
    hq_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hq_comment: Mapped[str | None] = mapped_column(Text)

    resource_type: ClassVar[str] = "filing"


class Permit(TenantOwned, Timestamped, Base):
    """R-PERMIT: the national administrative approval a project needs before it starts."""

    __tablename__ = "permits"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    authority: Mapped[str] = mapped_column(String(200))
    permit_number: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recorded_by_label: Mapped[str] = mapped_column(String(200))

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class MajorChange(TenantOwned, Timestamped, Base):
    """R-CHANGE: a major change, its re-assessment, and whether it suspended the project."""

    __tablename__ = "major_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(Text)
    declared_by_label: Mapped[str] = mapped_column(String(200))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RiskSettings(TenantOwned, Timestamped, Base):
    """An institute's risk matrix and thresholds (R-ASSESS, R-PLAN); defaults when absent."""

    __tablename__ = "risk_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    matrix: Mapped[dict[str, Any]] = mapped_column(JSONB)
