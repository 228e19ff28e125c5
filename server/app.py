"""The Starlette app factory: a composition root (it mounts the GraphQL schema from `schema`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server.config import Settings
from server.db.engine import app_url, make_engine, session_factory
from server.documents.http import LocalDownloadEndpoint, UploadEndpoint
from server.documents.storage import LocalStore, store_from_settings
from server.http.errors import internal_error
from server.http.health import healthz, metrics, readyz
from server.http.middleware import BodyLimit, RequestContext
from server.oversight.export_http import OversightExportEndpoint
from server.projects.form_http import FormEndpoint

WEB_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"


class SinglePageApp(StaticFiles):
    """The web app's files; any other path without a file extension is one of the app's own
    screens (`/projects/...`), so a reload or a link into it gets `index.html`."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise
            return await super().get_response("index.html", scope)


def create_app(settings: Settings, owner_url: str | None) -> Starlette:
    """Build the app for a database whose owner URL is `owner_url` (migrations already applied).

    Without an owner URL (`serve --no-migrate`), the app connects with APP_DATABASE_URL."""
    from schema.http import GraphQLEndpoint  # composition root: the one place server imports schema
    from schema.relay import org_unit_id

    if settings.app_database_url:
        url = settings.app_database_url
    elif owner_url is not None:
        url = app_url(owner_url, settings.app_db_role, settings.app_db_password)
    else:
        raise ValueError("APP_DATABASE_URL or the owner's DATABASE_URL is needed")
    engine = make_engine(url)
    sessions = session_factory(engine)
    store = store_from_settings(settings)
    in_process = None
    if settings.in_process_workers:
        # Composition root: the embedded default runs broker, worker, relay and scheduler here.
        from workers.inprocess import InProcessWorkers

        in_process = InProcessWorkers(settings, url, sessions)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.prepare()
        if in_process is not None:
            await in_process.start()
        yield
        if in_process is not None:
            await in_process.stop()
        await store.aclose()
        await engine.dispose()

    routes: list[BaseRoute] = [
        Route("/graphql", GraphQLEndpoint(settings, sessions, store), methods=["GET", "POST"]),
        Route(
            "/uploads/{tenant}/{upload}",
            UploadEndpoint(settings, sessions, store).handle,
            methods=["PUT"],
        ),
        Route(
            "/forms/assessments/{tenant}/{assessment}.{fmt}",
            FormEndpoint(settings, sessions).handle,
            methods=["GET"],
        ),
        Route(
            "/exports/oversight.xlsx",
            OversightExportEndpoint(settings, sessions, unit_id_of=org_unit_id).handle,
            methods=["GET"],
        ),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
    ]
    if isinstance(store, LocalStore):
        routes.append(Route("/files/{token}", LocalDownloadEndpoint(store).handle, methods=["GET"]))
    if (WEB_DIST / "index.html").exists():
        routes.append(Mount("/", SinglePageApp(directory=WEB_DIST, html=True)))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestContext),
            # Uploads stream under their own, larger cap (UPLOAD_MAX_BYTES), checked as they go.
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes, exempt_prefix="/uploads/"),
        ],
        lifespan=lifespan,
        exception_handlers={500: internal_error},
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    app.state.store = store
    return app
