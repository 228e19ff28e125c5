"""Checks on free text that every domain shares."""

from __future__ import annotations

from server.errors import InvalidInput


def text(value: str, field: str, *, max_len: int, required: bool = True) -> str:
    """The value stripped; refused when empty (if required) or longer than `max_len`."""
    value = value.strip()
    if (required and not value) or len(value) > max_len:
        low = 1 if required else 0
        raise InvalidInput(f"Give {field} in {low} to {max_len} characters.", field=field)
    return value
