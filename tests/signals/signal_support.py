"""Helpers of the early-warning tests: run an evaluation, read a subject's signals and their
history, and the outbox events and notices they made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from schema.relay import from_global_id
from server.db.engine import ALL_TENANTS, scope
from server.outbox.models import OutboxEvent
from server.signals.evaluation import Evaluation, evaluate
from server.signals.models import WarningSignal, WarningSignalEvent


def uid(global_id: str) -> str:
    return str(from_global_id(global_id)[1][-1])


async def run_evaluation(
    sessions: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> Evaluation:
    async with sessions() as session, session.begin():
        return await evaluate(session, now)


@dataclass(frozen=True)
class SignalView:
    id: uuid.UUID
    level: str
    value: int
    state: str
    history: list[tuple[str, str, int | None]]  # (kind, level, value), oldest first


async def signals_of(
    sessions: async_sessionmaker[AsyncSession], subject_id: str, indicator: str
) -> list[SignalView]:
    """Every signal of the indicator about the subject, oldest first, with its history."""
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        signals = (
            await session.execute(
                select(WarningSignal)
                .where(
                    WarningSignal.subject_id == uuid.UUID(subject_id),
                    WarningSignal.indicator == indicator,
                )
                .order_by(WarningSignal.opened_at)
            )
        ).scalars()
        found = []
        for s in signals:
            events = await session.execute(
                select(WarningSignalEvent.kind, WarningSignalEvent.level, WarningSignalEvent.value)
                .where(
                    WarningSignalEvent.tenant_id == s.tenant_id,
                    WarningSignalEvent.signal_id == s.id,
                )
                .order_by(WarningSignalEvent.at)
            )
            found.append(
                SignalView(s.id, s.level, s.value, s.state, [(k, lv, v) for k, lv, v in events])
            )
        return found


async def signal_events(
    sessions: async_sessionmaker[AsyncSession], signal_id: uuid.UUID | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(topic, payload) of the signal.* outbox events, of one signal or of all."""
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        stmt = select(OutboxEvent.topic, OutboxEvent.payload).where(
            OutboxEvent.topic.like("signal.%")
        )
        if signal_id is not None:
            stmt = stmt.where(OutboxEvent.payload["signal_id"].astext == str(signal_id))
        rows = await session.execute(stmt.order_by(OutboxEvent.created_at))
        return [(t, p) for t, p in rows]


async def count_signal_rows(owner_engine: AsyncEngine) -> tuple[int, int, int]:
    """(signals, history rows, signal outbox events) in the whole database."""
    async with owner_engine.connect() as conn:
        signals = await conn.scalar(select(func.count()).select_from(WarningSignal))
        events = await conn.scalar(select(func.count()).select_from(WarningSignalEvent))
        outbox = await conn.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic.like("signal.%"))
        )
        return int(signals or 0), int(events or 0), int(outbox or 0)


async def owner_sql(owner_engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(text(sql), params)
