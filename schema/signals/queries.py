"""Queries of early-warning signals and indicators."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.relay import Connection, connection, from_global_id, tenant_key
from schema.signals.types import WarningIndicator, WarningSignal
from server.signals import service
from server.signals.models import SignalLevel, SignalState


@strawberry.input
class WarningSignalFilter:
    org_unit_id: strawberry.ID | None = None
    level: SignalLevel | None = None
    state: SignalState | None = None
    indicator: str | None = None
    project_id: strawberry.ID | None = None


async def warning_signals(
    info: Info, filter: WarningSignalFilter | None = None, first: int = 50, after: str | None = None
) -> Connection[WarningSignal]:
    """Newest first; an institute sees its own, a branch its institutes', HQ all."""
    ctx = info.context
    f = filter or WarningSignalFilter()
    page = await service.list_signals(
        ctx.session,
        ctx.principal,
        service.SignalFilter(
            unit_ids=(from_global_id(f.org_unit_id, "OrgUnit")[1][0],) if f.org_unit_id else (),
            levels=(f.level,) if f.level else (),
            states=(f.state,) if f.state else (),
            indicators=(f.indicator,) if f.indicator else (),
            project=tenant_key(f.project_id, "Project") if f.project_id else None,
        ),
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, WarningSignal.of)


async def warning_indicators(info: Info) -> list[WarningIndicator]:
    """Every indicator with the thresholds that apply now."""
    rows = await service.indicator_settings(info.context.session, info.context.principal)
    return [WarningIndicator.of(s) for s in rows]


@strawberry.type
class SignalsQuery:
    warning_signals: Connection[WarningSignal] = strawberry.field(resolver=warning_signals)
    warning_indicators: list[WarningIndicator] = strawberry.field(resolver=warning_indicators)
