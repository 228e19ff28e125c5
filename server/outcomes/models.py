"""Tables of outcome release reviews."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped


class OutcomeKind(enum.StrEnum):
    PAPER = "paper"
    PATENT = "patent"
    DATA_SET = "data_set"
    SOFTWARE = "software"
    TALK = "talk"
    PUBLICITY = "publicity"


class ReviewAspect(enum.StrEnum):
    """R-OUTCOME: what is reviewed before release, and by whom (see ASPECT_ACTION)."""

    SECRECY = "secrecy"  # 发表安全、保密
    DATA_SECURITY = "data_security"  # 数据安全
    PATENT = "patent"  # 专利安全
    PUBLIC_OPINION = "public_opinion"  # 舆情
    ETHICS = "ethics"  # 伦理


class AspectVerdict(enum.StrEnum):
    FIT = "fit"
    NEEDS_CHANGES = "needs_changes"
    UNFIT = "unfit"


class ReleaseDecision(enum.StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CHANGES = "approve_with_changes"
    NOT_FOR_RELEASE = "not_for_release"  # stays listed as controlled


class OutcomeRelease(TenantOwned, Timestamped, Base):
    __tablename__ = "outcome_releases"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(200))
    material_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    submitted_by_label: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(24))
    decided_by_label: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class AspectReview(TenantOwned, Timestamped, Base):
    __tablename__ = "outcome_aspect_reviews"
    __table_args__ = (
        UniqueConstraint("tenant_id", "release_id", "aspect"),
        ForeignKeyConstraint(
            ["tenant_id", "release_id"], ["outcome_releases.tenant_id", "outcome_releases.id"]
        ),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    aspect: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    opinion: Mapped[str] = mapped_column(Text)
    reviewer_label: Mapped[str] = mapped_column(String(200))
