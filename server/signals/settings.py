"""HQ's thresholds per indicator: versioned rows (the newest wins), defaults in code, every
change audited in HQ's chain. Only the HQ Safety Committee Office changes them (ORG-HQ-DUTY:
the HQ group runs the units' monitoring and warning work; its office does the daily work)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from server.signals.indicators import INDICATORS, Indicator, Thresholds
from server.signals.models import IndicatorThresholds
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind


@dataclass(frozen=True)
class IndicatorSetting:
    indicator: Indicator
    thresholds: Thresholds
    version: int  # 0: the defaults in code, never changed
    set_at: datetime | None = None
    set_by: str | None = None


async def current_thresholds(session: AsyncSession) -> dict[str, IndicatorSetting]:
    """Every indicator's thresholds now, in one statement."""
    rows = await session.execute(
        select(IndicatorThresholds)
        .ext(distinct_on(IndicatorThresholds.indicator))
        .order_by(IndicatorThresholds.indicator, IndicatorThresholds.version.desc())
    )
    stored = {r.indicator: r for r in rows.scalars()}
    found = {}
    for name, indicator in INDICATORS.items():
        row = stored.get(name)
        found[name] = (
            IndicatorSetting(
                indicator,
                Thresholds(row.blue, row.yellow, row.orange, row.red),
                row.version,
                row.set_at,
                row.set_by_label,
            )
            if row is not None
            else IndicatorSetting(indicator, indicator.defaults, 0)
        )
    return found


async def _hq_id(session: AsyncSession) -> uuid.UUID:
    hq = await session.scalar(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.HQ.value))
    if hq is None:
        raise NotFound("The academy has no HQ yet.")
    return hq


def _readable_by(principal: Principal) -> uuid.UUID:
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    if principal.tenant_id is None:
        raise Forbidden("Only people and API tokens of a unit read warning indicators.")
    return principal.tenant_id


async def indicator_settings(session: AsyncSession, principal: Principal) -> list[IndicatorSetting]:
    """The indicators with their thresholds: the rules every unit is measured by."""
    authorize(principal, "read", Target("warning_signal", _readable_by(principal)))
    return list((await current_thresholds(session)).values())


async def set_thresholds(
    session: AsyncSession, principal: Principal, indicator: str, thresholds: Thresholds
) -> IndicatorSetting:
    """A new version of one indicator's thresholds; the next evaluation applies them."""
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    hq_id = await _hq_id(session)
    target = Target("indicator_settings", hq_id)
    # The thresholds are rules every unit reads: a refusal says why instead of "not found".
    if not is_allowed(principal, "manage", target):
        raise Forbidden("Only the HQ Safety Committee Office sets warning thresholds.")
    authorize(principal, "manage", target)
    known = INDICATORS.get(indicator)
    if known is None:
        raise InvalidInput(f"No indicator is called '{indicator}'.", field="indicator")
    thresholds.validate()
    current = (await current_thresholds(session))[indicator]
    if current.thresholds == thresholds:
        return current
    row = IndicatorThresholds(
        indicator=indicator,
        version=current.version + 1,
        blue=thresholds.blue,
        yellow=thresholds.yellow,
        orange=thresholds.orange,
        red=thresholds.red,
        set_by=principal.actor_id,
        set_by_label=principal.label,
        set_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "These thresholds were changed at the same moment; look again and retry.",
            field="indicator",
        ) from exc
    await audit.record(
        session,
        principal,
        tenant_id=hq_id,
        action="indicator_thresholds.update",
        object_type="indicator_settings",
        object_id=indicator,
        changes={
            "version": row.version,
            "previous": _json(current.thresholds),
            "thresholds": _json(thresholds),
        },
    )
    return IndicatorSetting(known, thresholds, row.version, row.set_at, row.set_by_label)


def _json(t: Thresholds) -> dict[str, int | None]:
    return {"blue": t.blue, "yellow": t.yellow, "orange": t.orange, "red": t.red}
