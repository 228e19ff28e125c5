"""Evaluating every indicator and moving the warning signals along: open, escalate,
de-escalate, clear — with their history and outbox events in the same transaction.

The scheduler runs `evaluate` once per tick, as the system. Each indicator is one statement over
every subject; the comparison with the open signals happens in memory; the changes are written
in bulk. With nothing changed an evaluation writes nothing and emits nothing.

Several scheduler replicas may run at once. Two evaluations interleaving could both find a
subject without an open signal, or both see it escalate, and announce it twice (the partial
unique index would stop the second open signal, but only by failing that whole transaction).
So an evaluation first takes a transaction-level advisory lock with `pg_try_advisory_xact_lock`:
a replica that finds it taken skips this tick — the other one is doing the same work on the same
data — and the lock ends with the transaction, even if the process dies. The try-variant never
blocks a scheduler; row locks would not do here, since new signals have no row to lock yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, outbox
from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.signals.events import Change, event_for
from server.signals.indicators import INDICATORS, At
from server.signals.models import (
    SignalEventKind,
    SignalLevel,
    SignalState,
    SubjectType,
    WarningSignal,
    WarningSignalEvent,
)
from server.signals.settings import IndicatorSetting, current_thresholds

log = structlog.get_logger(__name__)

# One key for the whole evaluation ("SIGNALS" in ASCII): at most one evaluation at a time.
LOCK_KEY = 0x5349474E414C53

Key = tuple[str, uuid.UUID, uuid.UUID]  # (indicator, tenant, subject)
Row = dict[str, object]


@dataclass(frozen=True)
class Evaluation:
    ran: bool  # False: another replica held the lock, this one skipped
    changes: tuple[Change, ...] = ()
    measured: int = 0  # subjects an indicator returned a value for

    def count(self, kind: SignalEventKind) -> int:
        return sum(1 for c in self.changes if c.kind is kind)


@dataclass(frozen=True)
class _Open:
    tenant_id: uuid.UUID
    id: uuid.UUID
    subject_type: SubjectType
    level: SignalLevel
    value: int
    last_changed_at: datetime


async def evaluate(session: AsyncSession, now: datetime | None = None) -> Evaluation:
    """One evaluation of every indicator for every unit; the caller commits."""
    now = now or utcnow()
    await scope(session, ALL_TENANTS)
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
        log.info("signals_evaluation_skipped", reason="another evaluation holds the lock")
        return Evaluation(ran=False)
    at = At(now=now, today=clock.today(now))
    thresholds = await current_thresholds(session)
    measured: dict[Key, int] = {}
    for indicator in INDICATORS.values():
        rows = await session.execute(indicator.query(at))
        for tenant_id, subject_id, value in rows:
            if value is not None:
                measured[(indicator.name, tenant_id, subject_id)] = int(value)
    current = await _open_signals(session)
    changes, new_rows, updates = _compare(measured, current, thresholds, now)
    await _write(session, new_rows, updates, changes, now)
    result = Evaluation(ran=True, changes=tuple(changes), measured=len(measured))
    if changes:
        log.info(
            "signals_evaluated",
            opened=result.count(SignalEventKind.OPENED),
            escalated=result.count(SignalEventKind.ESCALATED),
            de_escalated=result.count(SignalEventKind.DE_ESCALATED),
            cleared=result.count(SignalEventKind.CLEARED),
        )
    return result


def _compare(
    measured: dict[Key, int],
    current: dict[Key, _Open],
    thresholds: dict[str, IndicatorSetting],
    now: datetime,
) -> tuple[list[Change], list[Row], list[Row]]:
    """What changed, in memory: the changes, the signals to insert, the rows to update."""
    changes: list[Change] = []
    new_rows: list[Row] = []
    updates: list[Row] = []
    for key, value in measured.items():
        name, tenant_id, subject_id = key
        level = thresholds[name].thresholds.level_of(value)
        signal = current.get(key)
        scope_ = INDICATORS[name].scope
        if signal is None:
            if level is None:
                continue
            signal_id = uuid.uuid4()
            new_rows.append(
                {
                    "tenant_id": tenant_id,
                    "id": signal_id,
                    "indicator": name,
                    "subject_type": scope_.value,
                    "subject_id": subject_id,
                    "level": level.value,
                    "value": value,
                    "state": SignalState.OPEN.value,
                    "opened_at": now,
                    "last_changed_at": now,
                }
            )
            changes.append(
                Change(SignalEventKind.OPENED, signal_id, tenant_id, name, scope_, subject_id,
                       level, value)
            )  # fmt: skip
        elif level is None:
            changes.append(_cleared(key, signal, value))
            updates.append(_cleared_row(signal, value, now))
        elif level != signal.level or value != signal.value:
            kind = None
            if level.rank > signal.level.rank:
                kind = SignalEventKind.ESCALATED
            elif level.rank < signal.level.rank:
                kind = SignalEventKind.DE_ESCALATED
            if kind is not None:
                changes.append(
                    Change(kind, signal.id, tenant_id, name, scope_, subject_id, level, value,
                           previous=signal.level)
                )  # fmt: skip
            updates.append(
                {
                    "tenant_id": signal.tenant_id,
                    "id": signal.id,
                    "level": level.value,
                    "value": value,
                    "state": SignalState.OPEN.value,
                    "last_changed_at": now if kind is not None else signal.last_changed_at,
                    "cleared_at": None,
                }
            )
    for key, signal in current.items():
        if key not in measured:
            known = INDICATORS.get(key[0])
            value_now = known.absent_value if known else None
            changes.append(_cleared(key, signal, value_now))
            updates.append(_cleared_row(signal, value_now, now))
    return changes, new_rows, updates


async def _open_signals(session: AsyncSession) -> dict[Key, _Open]:
    rows = await session.execute(
        select(
            WarningSignal.indicator,
            WarningSignal.tenant_id,
            WarningSignal.subject_id,
            WarningSignal.id,
            WarningSignal.subject_type,
            WarningSignal.level,
            WarningSignal.value,
            WarningSignal.last_changed_at,
        ).where(WarningSignal.state == SignalState.OPEN.value)
    )
    return {
        (name, tenant_id, subject_id): _Open(
            tenant_id, signal_id, SubjectType(kind), SignalLevel(level), value, changed
        )
        for name, tenant_id, subject_id, signal_id, kind, level, value, changed in rows
    }


def _cleared(key: Key, signal: _Open, value: int | None) -> Change:
    name, tenant_id, subject_id = key
    return Change(
        SignalEventKind.CLEARED,
        signal.id,
        tenant_id,
        name,
        signal.subject_type,
        subject_id,
        signal.level,
        value,
    )


def _cleared_row(signal: _Open, value: int | None, now: datetime) -> Row:
    return {
        "tenant_id": signal.tenant_id,
        "id": signal.id,
        "level": signal.level.value,
        "value": signal.value if value is None else value,
        "state": SignalState.CLEARED.value,
        "last_changed_at": now,
        "cleared_at": now,
    }


async def _write(
    session: AsyncSession,
    new_rows: list[Row],
    updates: list[Row],
    changes: list[Change],
    now: datetime,
) -> None:
    """Everything in bulk: a handful of statements, however many signals changed."""
    # Clear and change first, so that a subject's next signal never meets its old open one.
    if updates:
        await session.execute(update(WarningSignal), updates)
    if new_rows:
        await session.execute(insert(WarningSignal), new_rows)
    history = [
        {
            "tenant_id": c.tenant_id,
            "id": uuid.uuid4(),
            "signal_id": c.signal_id,
            "kind": c.kind.value,
            "level": c.level.value,
            "value": c.value,
            "at": now,
        }
        for c in changes
    ]
    if history:
        await session.execute(insert(WarningSignalEvent), history)
    await outbox.emit_many(session, [e for c in changes if (e := event_for(c)) is not None])
