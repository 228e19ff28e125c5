"""The Starlette app factory: a composition root (it mounts the GraphQL schema from `schema`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.config import Settings
from server.db.engine import app_url, make_engine, session_factory
from server.http.errors import internal_error
from server.http.health import healthz, metrics, readyz
from server.http.middleware import BodyLimit, RequestContext

WEB_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"


def create_app(settings: Settings, owner_url: str) -> Starlette:
    """Build the app for a database whose owner URL is `owner_url` (migrations already applied)."""
    from schema.http import GraphQLEndpoint  # composition root: the one place server imports schema

    url = settings.app_database_url or app_url(
        owner_url, settings.app_db_role, settings.app_db_password
    )
    engine = make_engine(url)
    sessions = session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    routes: list[BaseRoute] = [
        Route("/graphql", GraphQLEndpoint(settings, sessions), methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
    ]
    if (WEB_DIST / "index.html").exists():
        routes.append(Mount("/", StaticFiles(directory=WEB_DIST, html=True)))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestContext),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
        exception_handlers={500: internal_error},
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    return app
