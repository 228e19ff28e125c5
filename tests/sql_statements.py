"""Counting the SQL statements an engine sends: the tests and benchmarks that prove a request's
statement count does not grow with list sizes all use this one helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def sql_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs (nothing else runs meanwhile)."""
    seen: list[str] = []

    def before_cursor_execute(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        seen.append(" ".join(statement.split())[:200])

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
