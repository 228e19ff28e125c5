"""Keyset pagination shared by every list: stable under inserts, one statement per page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool

    def keep(self, predicate: Callable[[T], bool]) -> Page[T]:
        """The same page with only the items `predicate` admits (cursors stay aligned)."""
        kept = [(i, c) for i, c in zip(self.items, self.cursors, strict=True) if predicate(i)]
        return Page([i for i, _ in kept], [c for _, c in kept], self.has_next, self.has_previous)


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        return base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("The cursor is not valid.", field="after") from exc


def _parse(column: InstrumentedAttribute[Any], raw: Any) -> Any:
    python_type = column.type.python_type
    if python_type in (datetime, date):
        return python_type.fromisoformat(raw)
    return python_type(raw)


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else str(value)


async def paginate(
    session: AsyncSession,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    *,
    first: int,
    after: str | None,
    max_size: int,
    descending: bool = False,
    tiebreak: InstrumentedAttribute[Any] | None = None,
) -> Page[T]:
    """Rows of `stmt` ordered by `key`, `first` at a time after the cursor `after`.

    `key` must be unique unless `tiebreak` (a unique column) is given to order equal keys.
    """
    if first < 1 or first > max_size:
        raise InvalidInput(f"Ask for between 1 and {max_size} items.", field="first")
    columns = [key] if tiebreak is None else [key, tiebreak]
    if after is not None:
        try:
            raw = decode_cursor(after)
            values = [raw] if tiebreak is None else json.loads(raw)
            if len(values) != len(columns):
                raise ValueError("cursor shape")
            parsed = [_parse(c, v) for c, v in zip(columns, values, strict=True)]
        except (ValueError, TypeError) as exc:
            raise InvalidInput("The cursor is not valid.", field="after") from exc
        left, right = tuple_(*columns), tuple_(*parsed)
        stmt = stmt.where(left < right if descending else left > right)
    order = [c.desc() if descending else c for c in columns]
    rows = (await session.execute(stmt.order_by(*order).limit(first + 1))).scalars().all()
    items = rows[:first]

    def cursor(item: Any) -> str:
        if tiebreak is None:
            return encode_cursor(_dump(getattr(item, key.key)))
        return encode_cursor(json.dumps([_dump(getattr(item, c.key)) for c in columns]))

    return Page(
        items=items,
        cursors=[cursor(item) for item in items],
        has_next=len(rows) > first,
        has_previous=after is not None,
    )
