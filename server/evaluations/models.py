"""Tables of the yearly evaluation (R-EVAL)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import DateTime, Index, Integer, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped, utcnow


class Level(enum.StrEnum):
    """蓝、黄、橙、红, from least to most concern."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class RunState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Rubric(Base):
    """A rubric version: shared reference data (no tenant), never changed once written, so a
    past evaluation is recomputed from the version it names."""

    __tablename__ = "evaluation_rubrics"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    # statistic → {"weight": percent, "cap": the value at which it counts in full}
    weights: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # {"yellow": score, "orange": score, "red": score}, ascending, on 0..100
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSONB)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvaluationRun(TenantOwned, Timestamped, Base):
    """One year's evaluation of every institute, run by HQ (`tenant_id` is HQ)."""

    __tablename__ = "evaluation_runs"
    __table_args__ = (
        # One published evaluation per year.
        Index(
            "uq_evaluation_runs_published_year",
            "tenant_id",
            "year",
            unique=True,
            postgresql_where="state = 'published'",
        ),
    )

    year: Mapped[int] = mapped_column(Integer)
    rubric_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=RunState.DRAFT.value)
    created_by_label: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_label: Mapped[str | None] = mapped_column(String(200))

    resource_type: ClassVar[str] = "evaluation"

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()


class UnitRating(TenantOwned, Timestamped, Base):
    """A unit's rating in one run; `tenant_id` is the unit. The statistics are kept as they
    were computed, so the score is reproducible from them and the rubric version."""

    __tablename__ = "unit_ratings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "run_id"),
        Index("ix_unit_ratings_run", "run_id"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    rubric_version: Mapped[int] = mapped_column(Integer)
    statistics: Mapped[dict[str, Any]] = mapped_column(JSONB)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    computed_level: Mapped[str] = mapped_column(String(8))
    level: Mapped[str] = mapped_column(String(8))
    adjusted_reason: Mapped[str | None] = mapped_column(Text)
    adjusted_by_label: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "unit_rating"

    def relations_to(self, principal: object) -> frozenset[str]:
        return frozenset()
