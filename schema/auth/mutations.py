"""Sign-in mutations. The refresh token travels in an httpOnly cookie (web app) or the body."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.context import Context, Info
from schema.errors import ThrottledError, UnauthenticatedError
from schema.tenancy.types import User
from server.auth import service
from server.errors import Unauthenticated

REFRESH_COOKIE = "stsec_refresh"
COOKIE_PATH = "/graphql"


@strawberry.enum(description="Where the refresh token goes.")
class RefreshDelivery(Enum):
    COOKIE = "cookie"  # httpOnly, SameSite=Strict: the web app
    BODY = "body"  # in the response: API clients


@strawberry.type
class SignedIn:
    user: User
    access_token: str = strawberry.field(description="Send as `Authorization: Bearer ...`.")
    access_expires_at: datetime
    refresh_token: str | None = strawberry.field(
        description="Only with delivery BODY; the web app gets an httpOnly cookie instead."
    )
    refresh_expires_at: datetime


@strawberry.type
class SignedOut:
    ended: bool


LoginResult = Annotated[
    SignedIn | UnauthenticatedError | ThrottledError, strawberry.union("LoginResult")
]
RefreshResult = Annotated[SignedIn | UnauthenticatedError, strawberry.union("RefreshResult")]


def _client_address(ctx: Context) -> str:
    client = ctx.request.client
    return client.host if client else "unknown"


def _signed_in(ctx: Context, result: service.SignedIn, delivery: RefreshDelivery) -> SignedIn:
    if delivery is RefreshDelivery.COOKIE:
        ctx.response.set_cookie(
            REFRESH_COOKIE,
            result.refresh_token,
            max_age=ctx.settings.refresh_token_ttl,
            path=COOKIE_PATH,
            httponly=True,
            secure=ctx.settings.cookie_secure,
            samesite="strict",
        )
    return SignedIn(
        user=User.of(result.user),
        access_token=result.access_token,
        access_expires_at=result.access_expires_at,
        refresh_token=result.refresh_token if delivery is RefreshDelivery.BODY else None,
        refresh_expires_at=result.refresh_expires_at,
    )


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in with a username and password.")
    async def login(
        self,
        info: Info,
        username: str,
        password: str,
        delivery: RefreshDelivery = RefreshDelivery.COOKIE,
    ) -> LoginResult:
        ctx = info.context
        # In a transaction of its own, committed at once: failure counters and lock-outs must be
        # kept even when another field of the same document fails and the request rolls back.
        async with ctx.sessions() as session:
            result = await service.login(
                session,
                ctx.settings,
                username=username,
                password=password,
                address=_client_address(ctx),
                user_agent=ctx.request.headers.get("user-agent"),
            )
            await session.commit()
        if isinstance(result, service.LoginRefused):
            if result.retry_after is not None:
                ctx.response.headers["Retry-After"] = str(result.retry_after)
                return ThrottledError(
                    code=result.code, message=result.message, retry_after=result.retry_after
                )
            return UnauthenticatedError(code=result.code, message=result.message)
        return _signed_in(ctx, result, delivery)

    @strawberry.mutation(description="Trade a refresh token for a new access token (rotating it).")
    async def refresh(
        self,
        info: Info,
        refresh_token: str | None = None,
        delivery: RefreshDelivery = RefreshDelivery.COOKIE,
    ) -> RefreshResult:
        ctx = info.context
        token = refresh_token or ctx.request.cookies.get(REFRESH_COOKIE)
        if not token:
            return UnauthenticatedError(code="UNAUTHENTICATED", message="Sign in first.")
        # Its own transaction, committed at once: a reused token revokes its session, and that
        # must be kept whatever else the document does; a rotated token must be the stored one.
        async with ctx.sessions() as session:
            try:
                result = await service.refresh(session, ctx.settings, token)
            except Unauthenticated as exc:
                await session.commit()
                ctx.response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH)
                return UnauthenticatedError(code=exc.code, message=exc.message)
            await session.commit()
        return _signed_in(ctx, result, delivery)

    @strawberry.mutation(description="End this sign-in session.")
    async def logout(self, info: Info, refresh_token: str | None = None) -> SignedOut:
        ctx = info.context
        token = refresh_token or ctx.request.cookies.get(REFRESH_COOKIE)
        async with ctx.sessions() as session:
            try:
                ended = await service.logout(session, ctx.principal, token)
            except Unauthenticated:
                ended = False
            await session.commit()
        ctx.response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH)
        return SignedOut(ended=ended)
