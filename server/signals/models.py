"""Tables of the early-warning domain: warning signals, their history, and HQ's thresholds."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.auth.principal import Principal
from server.db.base import Base, TenantOwned

NO_RELATIONS: frozenset[str] = frozenset()


class SignalLevel(enum.StrEnum):
    """The guidance's four warning levels (R-EVAL: 蓝、黄、橙、红), mildest first."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        return list(SignalLevel).index(self)


class SignalState(enum.StrEnum):
    OPEN = "open"
    CLEARED = "cleared"


class SubjectType(enum.StrEnum):
    PROJECT = "project"
    UNIT = "unit"


class SignalEventKind(enum.StrEnum):
    OPENED = "opened"
    ESCALATED = "escalated"
    DE_ESCALATED = "de_escalated"
    CLEARED = "cleared"


class WarningSignal(TenantOwned, Base):
    """One indicator's warning about one project or unit; `tenant_id` is the unit.

    A signal stays open while the indicator's value reaches a threshold; its level follows the
    value; once cleared it stays as history, and a later breach opens a new signal.
    """

    __tablename__ = "warning_signals"
    __table_args__ = (
        # One open signal per indicator and subject at a time.
        Index(
            "uq_warning_signals_open",
            "tenant_id",
            "indicator",
            "subject_type",
            "subject_id",
            unique=True,
            postgresql_where="state = 'open'",
        ),
        Index("ix_warning_signals_listing", "tenant_id", "opened_at"),
    )

    indicator: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    level: Mapped[str] = mapped_column(String(8))
    value: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8), default=SignalState.OPEN.value)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The last time the level (or the state) changed; the value alone may change every day.
    last_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "warning_signal"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return NO_RELATIONS


class WarningSignalEvent(TenantOwned, Base):
    """A signal's history: opened, escalated, de-escalated, cleared — with level and value."""

    __tablename__ = "warning_signal_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "signal_id"], ["warning_signals.tenant_id", "warning_signals.id"]
        ),
        Index("ix_warning_signal_events_signal", "tenant_id", "signal_id", "at"),
    )

    signal_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    # None when a cleared subject is no longer measured (a day measure of a closed project).
    value: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IndicatorThresholds(Base):
    """HQ's thresholds for one indicator, one row per version (append-only; the newest wins).

    Shared across tenants like other reference data: every unit is measured by the same rule.
    A level left NULL is unused.
    """

    __tablename__ = "indicator_thresholds"
    __table_args__ = (PrimaryKeyConstraint("indicator", "version"),)

    indicator: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    blue: Mapped[int | None] = mapped_column(Integer)
    yellow: Mapped[int | None] = mapped_column(Integer)
    orange: Mapped[int | None] = mapped_column(Integer)
    red: Mapped[int | None] = mapped_column(Integer)
    set_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    set_by_label: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
