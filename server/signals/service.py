"""Reading warning signals: the list (HQ all, a branch its institutes, an institute its own),
and the summary the oversight views show. Thresholds: `server.signals.settings`; the
evaluation the scheduler runs: `server.signals.evaluation`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.principal import Principal
from server.authz import Target, is_allowed
from server.errors import Unauthenticated
from server.pagination import Page, paginate
from server.projects.models import Project
from server.signals.evaluation import Evaluation, evaluate
from server.signals.indicators import INDICATORS
from server.signals.models import SignalLevel, SignalState, SubjectType, WarningSignal
from server.signals.settings import (
    IndicatorSetting,
    current_thresholds,
    indicator_settings,
    set_thresholds,
)
from server.tenancy.models import OrgUnit

__all__ = [
    "Evaluation",
    "IndicatorSetting",
    "OpenSignal",
    "SignalFilter",
    "SignalsSummary",
    "current_thresholds",
    "evaluate",
    "indicator_settings",
    "list_signals",
    "may_read",
    "open_signals_summary",
    "set_thresholds",
]


@dataclass(frozen=True)
class SignalFilter:
    unit_ids: tuple[uuid.UUID, ...] = ()
    levels: tuple[SignalLevel, ...] = ()
    states: tuple[SignalState, ...] = ()
    indicators: tuple[str, ...] = ()
    project: tuple[uuid.UUID, uuid.UUID] | None = None  # (tenant, project)


def filtered(f: SignalFilter) -> Select[WarningSignal]:
    stmt: Select[WarningSignal] = select(WarningSignal)
    if f.unit_ids:
        stmt = stmt.where(WarningSignal.tenant_id.in_(f.unit_ids))
    if f.levels:
        stmt = stmt.where(WarningSignal.level.in_([v.value for v in f.levels]))
    if f.states:
        stmt = stmt.where(WarningSignal.state.in_([s.value for s in f.states]))
    if f.indicators:
        stmt = stmt.where(WarningSignal.indicator.in_(f.indicators))
    if f.project is not None:
        stmt = stmt.where(
            WarningSignal.tenant_id == f.project[0],
            WarningSignal.subject_type == SubjectType.PROJECT.value,
            WarningSignal.subject_id == f.project[1],
        )
    return stmt


def may_read(principal: Principal, signal: WarningSignal) -> bool:
    return is_allowed(principal, "read", signal)


async def list_signals(
    session: AsyncSession,
    principal: Principal,
    f: SignalFilter,
    *,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[WarningSignal]:
    """Newest first. Row-level security keeps other units' signals out; the gate filters the
    rest (HQ all, a branch its institutes, an institute its own)."""
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    page = await paginate(
        session,
        filtered(f),
        WarningSignal.opened_at,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
        tiebreak=WarningSignal.id,
    )
    return page.keep(lambda s: may_read(principal, s))


# ---------------------------------------------------------------- the oversight summary


@dataclass(frozen=True)
class OpenSignal:
    signal: WarningSignal
    unit_name: str
    project_title: str | None  # None for a unit's own signal


@dataclass(frozen=True)
class SignalsSummary:
    by_level: dict[SignalLevel, int] = field(default_factory=dict)
    by_indicator: dict[str, dict[SignalLevel, int]] = field(default_factory=dict)
    signals: list[OpenSignal] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


_SEVERITY = case(
    *((WarningSignal.level == level.value, level.rank) for level in SignalLevel), else_=0
)


async def open_signals_summary(
    session: AsyncSession,
    principal: Principal,
    unit_ids: Sequence[uuid.UUID],
    *,
    limit: int = 200,
) -> SignalsSummary:
    """Open signals of the given units that the principal may read: counts by level and by
    indicator (one statement), and the signals themselves, red first (a second statement,
    at most `limit`), each with its unit's name and its project's title."""
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    units = sorted(
        {u for u in unit_ids if is_allowed(principal, "read", Target("warning_signal", u))}
    )
    if not units:
        return SignalsSummary()
    is_open = (WarningSignal.state == SignalState.OPEN.value) & WarningSignal.tenant_id.in_(units)
    counts = await session.execute(
        select(WarningSignal.indicator, WarningSignal.level, func.count())
        .where(is_open)
        .group_by(WarningSignal.indicator, WarningSignal.level)
    )
    by_level: dict[SignalLevel, int] = dict.fromkeys(SignalLevel, 0)
    by_indicator: dict[str, dict[SignalLevel, int]] = {
        name: dict.fromkeys(SignalLevel, 0) for name in INDICATORS
    }
    for name, level, n in counts:
        by_level[SignalLevel(level)] += n
        by_indicator.setdefault(name, dict.fromkeys(SignalLevel, 0))[SignalLevel(level)] += n
    rows = await session.execute(
        select(WarningSignal, OrgUnit.name, Project.title)
        .join(OrgUnit, OrgUnit.id == WarningSignal.tenant_id)
        .outerjoin(
            Project,
            (WarningSignal.subject_type == SubjectType.PROJECT.value)
            & (Project.tenant_id == WarningSignal.tenant_id)
            & (Project.id == WarningSignal.subject_id),
        )
        .where(is_open)
        .order_by(_SEVERITY.desc(), WarningSignal.opened_at, WarningSignal.id)
        .limit(limit)
    )
    return SignalsSummary(
        by_level=by_level,
        by_indicator=by_indicator,
        signals=[OpenSignal(s, unit, title) for s, unit, title in rows],
    )
