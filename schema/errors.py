"""Typed mutation errors, and the one path that turns domain errors into them.

A mutation returns a union of its success type and these errors; the changes it made are rolled
back (to a savepoint) whenever it returns an error, so bad input changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from server import errors

T = TypeVar("T")


@strawberry.interface(description="An error a person can act on.")
class UserError:
    code: str
    message: str
    field: str | None = strawberry.field(
        default=None, description="The input field that caused it, when one did."
    )


@strawberry.type
class InvalidInputError(UserError):
    pass


@strawberry.type
class NotFoundError(UserError):
    pass


@strawberry.type
class ForbiddenError(UserError):
    pass


@strawberry.type
class ConflictError(UserError):
    pass


@strawberry.type
class UnauthenticatedError(UserError):
    pass


@strawberry.type
class ThrottledError(UserError):
    retry_after: int | None = strawberry.field(default=None, description="Seconds to wait.")


ERROR_TYPES: dict[type[errors.DomainError], type[MutationError]] = {
    errors.InvalidInput: InvalidInputError,
    errors.NotFound: NotFoundError,
    errors.Forbidden: ForbiddenError,
    errors.Conflict: ConflictError,
    errors.Unauthenticated: UnauthenticatedError,
}
# Every mutation's result is `Annotated[Success | MutationError, strawberry.union("XResult")]`.
MutationError = (
    InvalidInputError | NotFoundError | ForbiddenError | ConflictError | UnauthenticatedError
)


def to_user_error(exc: errors.DomainError) -> MutationError:
    # The nearest kind the API knows: NotAllowed is a Conflict, ObjectMissing a NotFound.
    error_type = next(
        (ERROR_TYPES[cls] for cls in type(exc).__mro__ if cls in ERROR_TYPES), InvalidInputError
    )
    return error_type(code=exc.code, message=exc.message, field=exc.field)


async def run_mutation(
    info: Any,
    work: Callable[[], Awaitable[T]],
    *,
    on_error: Callable[[errors.DomainError], Awaitable[None]] | None = None,
) -> T | MutationError:
    """Run `work` inside a savepoint; a domain error rolls it back and becomes a typed result.

    `on_error` runs after the rollback, for clean-up that must happen whatever the outcome.
    """
    session = info.context.session
    savepoint = await session.begin_nested()
    try:
        result = await work()
    except errors.DomainError as exc:
        await savepoint.rollback()
        if on_error is not None:
            await on_error(exc)
        return to_user_error(exc)
    await savepoint.commit()
    return result


class DomainErrorCodes(SchemaExtension):
    """Give errors raised in queries a stable `extensions.code` (NOT_FOUND, FORBIDDEN, ...)."""

    def on_execute(self) -> Any:
        yield
        result = self.execution_context.result
        found = getattr(result, "errors", None) if result is not None else None
        for error in found or []:
            original = error.original_error
            if isinstance(original, errors.DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code}


def is_expected(error: GraphQLError) -> bool:
    """Errors that are safe to show in production; everything else is masked."""
    return error.original_error is None or isinstance(error.original_error, errors.DomainError)
