"""The /graphql endpoint: one session and one transaction per request, principal resolved first."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema import build_schema
from schema.context import Context
from server.auth.service import principal_from_bearer
from server.config import Settings
from server.documents.storage import ObjectStore
from server.errors import Unauthenticated
from server.http.responses import bearer_token

log = structlog.get_logger(__name__)


class _View(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        ctx: Context = request.scope["state"]["pending_context"]
        ctx.response = response
        return ctx

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        ctx: Context | None = request.scope["state"].get("pending_context")
        if ctx is not None:
            # One transaction per request: kept only when the whole result is free of errors.
            if result.errors:
                await ctx.session.rollback()
            else:
                await ctx.session.commit()
            if result.data is None and result.errors and all(e.path is None for e in result.errors):
                # The document did not parse or validate: nothing ran (GraphQL over HTTP: 400).
                ctx.response.status_code = 400
        return await super().process_result(request, result)


class GraphQLEndpoint:
    """ASGI app mounted with `Route("/graphql", ...)` (a Mount would redirect to /graphql/)."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        store: ObjectStore,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.view = _View(
            build_schema(settings),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET" and "query" not in request.query_params:
            page = await self._ide(request)
            await page(scope, receive, send)
            return
        async with self.sessions() as session:
            bearer = bearer_token(request)
            try:
                principal = await principal_from_bearer(session, self.settings, bearer)
            except Unauthenticated as exc:
                await _unauthenticated(exc.message)(scope, receive, send)
                return
            if principal.user_id is not None:
                structlog.contextvars.bind_contextvars(
                    user_id=str(principal.user_id), tenant_id=str(principal.tenant_id)
                )
            scope.setdefault("state", {})["pending_context"] = Context(
                request=request,
                response=Response(),
                session=session,
                principal=principal,
                settings=self.settings,
                sessions=self.sessions,
                store=self.store,
            )
            await self.view(scope, receive, send)

    async def _ide(self, request: Request) -> Response:
        """GraphiQL outside production; in production the page does not exist."""
        if self.settings.production:
            return JSONResponse(
                {"errors": [{"message": "Send a query.", "extensions": {"code": "BAD_REQUEST"}}]},
                status_code=404,
            )
        return await self.view.render_graphql_ide(request)


def _unauthenticated(message: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
