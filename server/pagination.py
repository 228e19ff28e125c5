"""Keyset pagination shared by every list: stable under inserts, one statement per page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
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


async def paginate(
    session: AsyncSession,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    *,
    first: int,
    after: str | None,
    max_size: int,
    descending: bool = False,
) -> Page[T]:
    """Rows of `stmt` ordered by the unique column `key`, `first` at a time after `after`."""
    if first < 1 or first > max_size:
        raise InvalidInput(f"Ask for between 1 and {max_size} items.", field="first")
    if after is not None:
        try:
            value = key.type.python_type(decode_cursor(after))
        except ValueError as exc:
            raise InvalidInput("The cursor is not valid.", field="after") from exc
        stmt = stmt.where(key < value if descending else key > value)
    order = key.desc() if descending else key
    rows = (await session.execute(stmt.order_by(order).limit(first + 1))).scalars().all()
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(item, key.key)) for item in items],
        has_next=len(rows) > first,
        has_previous=after is not None,
    )
