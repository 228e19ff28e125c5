"""Errors of the projects domain."""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import Conflict, InvalidInput


class NotAllowed(Conflict):
    """A transition that the state machine does not allow from the project's state."""

    code = "TRANSITION_NOT_ALLOWED"

    def __init__(self, name: str, state: str, allowed: Sequence[str]) -> None:
        names = ", ".join(allowed) or "none"
        super().__init__(
            f"'{name}' is not allowed while the project is {state}; allowed now: {names}.",
            field="transition",
        )
        self.allowed = list(allowed)


class GuardFailed(InvalidInput):
    """A transition allowed from here whose condition does not hold (the message says which)."""

    code = "TRANSITION_REFUSED"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"Cannot {name.replace('_', ' ')}: {reason}", field="transition")
