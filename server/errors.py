"""Domain errors: typed exceptions with a stable code. The GraphQL layer maps them to results."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a person can act on. `code` is stable; `message` is for people."""

    code = "ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class NotFound(DomainError):
    """Also what a principal gets for objects outside its tenants: nothing leaks that they exist."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    """The principal can see the object but may not do this to it; the message says why."""

    code = "FORBIDDEN"


class Conflict(DomainError):
    code = "CONFLICT"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
