"""The command line: a composition root (it starts the server, the worker and the scheduler)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from server import logging as app_logging
from server.config import Settings
from server.db.engine import ALL_TENANTS, make_engine, scope, session_factory
from server.runtime import application_url, owner_url, prepare
from server.seed import DemoUser

T = TypeVar("T")


def _settings() -> Settings:
    settings = Settings.from_env()
    app_logging.configure(settings.log_level)
    return settings


@asynccontextmanager
async def _system_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session of the app role that sees every tenant: for operators' commands only."""
    engine = make_engine(application_url(settings, owner_url(settings)), pool_size=1)
    try:
        async with session_factory(engine)() as session:
            await scope(session, ALL_TENANTS)
            yield session
    finally:
        await engine.dispose()


def _run(work: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(work())  # type: ignore[arg-type]


@click.group()
def main() -> None:
    """S&T security risk platform."""


@main.command()
@click.option("--host", default=None, help="Default: HOST or 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Default: PORT or 8000.")
@click.option(
    "--no-migrate",
    is_flag=True,
    help="Connect with APP_DATABASE_URL only; migrations run elsewhere (a migration job).",
)
def serve(host: str | None, port: int | None, no_migrate: bool) -> None:
    """Migrate, seed the demo academy on first start (embedded default), and serve HTTP."""
    import uvicorn

    from server.app import create_app

    settings = _settings()
    owner: str | None = None
    if no_migrate:
        # Replicas in a cluster hold no owner credentials: /readyz stays 503 until the
        # migration job has brought the database to this code's revision.
        if not settings.app_database_url:
            raise click.UsageError("--no-migrate connects with APP_DATABASE_URL: set it.")
    else:
        owner = url = owner_url(settings)
        _print_sign_ins(_run(lambda: prepare(settings, url, seed=settings.seed_demo)))
    h, p = host or settings.host, port or settings.port
    click.echo(f"Serving on http://{h}:{p}/  (GraphQL at /graphql)", err=True)
    uvicorn.run(
        create_app(settings, owner),
        host=h,
        port=p,
        log_config=None,
        proxy_headers=True,
        access_log=False,
    )


def _print_sign_ins(demo: list[DemoUser]) -> None:
    if demo:
        click.echo("\nDemo sign-ins (username / password / role / unit):", err=True)
        for u in demo:
            click.echo(f"  {u.username:<34} {u.password:<20} {u.role.value:<24} {u.unit}", err=True)
        click.echo("", err=True)


@main.command()
def migrate() -> None:
    """Apply database migrations (as the owner role); with SEED_DEMO on, seed an empty database."""
    settings = _settings()
    demo = _run(lambda: prepare(settings, owner_url(settings), seed=settings.seed_demo))
    click.echo("migrations applied")
    _print_sign_ins(demo)


@main.command()
@click.option("--message", "-m", required=True, help="What the migration does.")
def revision(message: str) -> None:
    """Autogenerate a migration from the models (then add RLS for new tenant tables by hand)."""
    from alembic import command

    from server.db.migrate import alembic_config

    settings = _settings()
    command.revision(alembic_config(owner_url(settings)), message=message, autogenerate=True)


@main.command()
def seed() -> None:
    """Migrate and create the demo academy if the database has no org units."""
    settings = _settings()
    users = _run(lambda: prepare(settings, owner_url(settings), seed=True))
    click.echo(f"{len(users)} demo users; credentials in {settings.data_dir / 'demo-users.txt'}")


@main.command("init-hq")
@click.option("--code", default="HQ")
@click.option("--name", required=True, help="e.g. 院机关")
@click.option("--name-en", default=None)
def init_hq(code: str, name: str, name_en: str | None) -> None:
    """Create the one HQ org unit of a new installation (production start)."""
    from server.seed import create_hq

    settings = _settings()

    async def work() -> str:
        async with _system_session(settings) as session:
            hq = await create_hq(session, code=code, name=name, name_en=name_en)
            await session.commit()
            return str(hq.id)

    click.echo(f"HQ created: {_run(work)}")


@main.command("create-user")
@click.option("--unit", "unit_code", required=True, help="Org unit code, e.g. HQ or IPH.")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, help="Role name; repeatable.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(
    unit_code: str, username: str, display_name: str, roles: tuple[str, ...], password: str
) -> None:
    """Create a user (for example the first platform admin)."""
    from sqlalchemy import select

    from server.auth.principal import SYSTEM
    from server.errors import DomainError
    from server.tenancy import service
    from server.tenancy.models import OrgUnit
    from server.tenancy.roles import Role

    settings = _settings()

    async def work() -> str:
        async with _system_session(settings) as session:
            unit = await session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
            if unit is None:
                raise click.ClickException(f"no org unit with code {unit_code}")
            try:
                user = await service.create_user(
                    session,
                    SYSTEM,
                    settings,
                    unit_id=unit.id,
                    username=username,
                    display_name=display_name,
                    password=password,
                    roles=[Role(r) for r in roles],
                )
            except (DomainError, ValueError) as exc:
                raise click.ClickException(str(exc)) from exc
            await session.commit()
            return user.username

    click.echo(f"user created: {_run(work)}")


@main.command("export-schema")
@click.option("--out", type=click.Path(path_type=Path), default=Path("schema/schema.graphql"))
def export_schema(out: Path) -> None:
    """Write the GraphQL SDL (the contract the web app and other systems are typed from)."""
    from schema.sdl import sdl

    out.write_text(sdl())
    click.echo(f"wrote {out}")


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute every tenant's hash chain; exit 1 if any entry was altered or removed."""
    from server.audit import verify

    settings = _settings()

    async def work() -> tuple[int, list[object]]:
        async with _system_session(settings) as session:
            checked, breaks = await verify(session)
            return checked, list(breaks)

    checked, breaks = _run(work)
    for b in breaks:
        click.echo(f"BROKEN tenant={b.tenant_id} seq={b.seq}: {b.reason}")  # type: ignore[attr-defined]
    click.echo(f"{checked} entries checked, {len(breaks)} problems")
    sys.exit(1 if breaks else 0)


@main.group()
def documents() -> None:
    """Documents in object storage."""


@documents.command("sweep")
@click.option("--apply", is_flag=True, help="Repair as well as report.")
def documents_sweep(apply: bool) -> None:
    """Find objects without a committed record and records without their object."""
    from server.documents.storage import store_from_settings
    from server.documents.sweep import SweepReport, sweep

    settings = _settings()
    store = store_from_settings(settings)

    async def work() -> SweepReport:
        async with _system_session(settings) as session:
            report = await sweep(session, store, apply=apply)
            await session.commit()
            return report

    report = _run(work)
    for key in report.orphan_objects:
        click.echo(f"ORPHAN object {key}" + (" (removed)" if apply else ""))
    for key in report.missing_objects:
        click.echo(f"MISSING object of a version: {key}" + (" (marked missing)" if apply else ""))
    click.echo(
        f"{len(report.orphan_objects)} orphan objects, {len(report.missing_objects)} missing, "
        f"{report.expired_uploads} expired uploads" + ("" if apply else " (report only; --apply)")
    )
    sys.exit(0 if report.clean or apply else 1)


@main.group()
def projects() -> None:
    """Projects."""


@projects.command("transitions")
def projects_transitions() -> None:
    """Print the lifecycle's transition table as Markdown (the README shows it)."""
    from server.projects.lifecycle import render_markdown

    click.echo(render_markdown(), nl=False)


@main.command("generate-academy")
@click.option("--branches", type=click.IntRange(1, 99), default=12, show_default=True)
@click.option("--institutes-per-branch", type=click.IntRange(1, 99), default=10, show_default=True)
@click.option("--projects", type=click.IntRange(0, 5_000_000), default=50_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same academy.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day it is generated for (dates are relative to it). Default: today.",
)
@click.option("--append", is_flag=True, help="Add to a database that holds a generated academy.")
@click.option(
    "--password",
    envvar="DATAGEN_PASSWORD",
    default=None,
    help="Password of every generated person (or DATAGEN_PASSWORD). Default: unusable.",
)
def generate_academy(
    branches: int,
    institutes_per_branch: int,
    projects: int,
    seed: int,
    today: datetime | None,
    append: bool,
    password: str | None,
) -> None:
    """Fill the database with a generated academy, for benchmarks and demonstrations.

    An operator's tool: it migrates, then writes in bulk as the owner role (DATABASE_URL).
    Refused if the database already holds generated units (codes GEN-...) unless --append.
    """
    from server.datagen import AcademySpec, generate
    from server.db.migrate import upgrade_async
    from server.errors import DomainError

    settings = _settings()
    owner = owner_url(settings)
    spec = AcademySpec(
        branches=branches,
        institutes_per_branch=institutes_per_branch,
        projects=projects,
        seed=seed,
        today=today.date() if today else None,
        append=append,
        password=password,
    )

    async def work() -> str:
        await upgrade_async(owner)
        engine = make_engine(owner, pool_size=1)
        try:
            manifest = await generate(engine, spec, progress=lambda m: click.echo(m, err=True))
        finally:
            await engine.dispose()
        return manifest.summary()

    try:
        click.echo(_run(work))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


def _app_database_url(settings: Settings) -> str:
    """Workers and the scheduler connect as the application role and never migrate."""
    return settings.app_database_url or application_url(settings, owner_url(settings))


@main.command()
@click.option("--no-relay", is_flag=True, help="Only consume; another process runs the relay.")
def worker(no_relay: bool) -> None:
    """Run a Dramatiq worker (REDIS_URL) and the outbox relay until SIGTERM."""
    from workers.main import run_worker

    settings = _settings()
    if not settings.redis_url:
        raise click.UsageError("Set REDIS_URL: without it the API process runs the workers.")
    run_worker(settings, _app_database_url(settings), relay=not no_relay)


@main.command()
@click.option("--once", is_flag=True, help="Scan once, print how many steps fired, and exit.")
def scheduler(once: bool) -> None:
    """Scan for due and overdue work (reminders, escalations) every SCHEDULER_INTERVAL_SECONDS."""
    from workers.main import run_scheduler

    settings = _settings()
    fired = run_scheduler(settings, _app_database_url(settings), once=once)
    if once:
        click.echo(f"{fired} steps fired")


@main.command()
@click.option(
    "--max-age",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Seconds since the last beat beyond which the process counts as dead.",
)
def heartbeat(max_age: float) -> None:
    """Liveness probe of `worker` and `scheduler`: exit 1 unless HEARTBEAT_FILE is fresh."""
    from workers.heartbeat import age_seconds

    path = Settings.from_env().heartbeat_file
    if path is None:
        raise click.UsageError("Set HEARTBEAT_FILE (the same file the process beats into).")
    age = age_seconds(path)
    if age is None or age > max_age:
        said = "no beat yet" if age is None else f"last beat {age:.0f} s ago"
        raise click.ClickException(f"{path}: {said} (limit {max_age:.0f} s)")
    click.echo(f"alive: last beat {age:.1f} s ago")


@main.group()
def outbox() -> None:
    """The outbox: delivery status of events."""


@outbox.command("status")
def outbox_status() -> None:
    """Counts of pending, waiting and failed events, and the delivery latency."""
    from server.outbox.delivery import stats

    settings = _settings()

    async def work() -> str:
        async with _system_session(settings) as session:
            s = await stats(session)
            return (
                f"pending {s.pending}, waiting {s.waiting}, failed {s.failed}; oldest pending "
                f"{s.oldest_pending_seconds:.0f} s; handled in the last hour {s.handled_last_hour}"
                f" (p50 {s.latency_p50_seconds}, p95 {s.latency_p95_seconds} s)"
            )

    click.echo(_run(work))


@main.group()
def notices() -> None:
    """Notices."""


@notices.command("routes")
def notices_routes() -> None:
    """Print the routing table (who is told what) as Markdown (the README shows it)."""
    from server.notices.routing import render_markdown

    click.echo(render_markdown(), nl=False)


@main.group()
def webhooks() -> None:
    """Webhook signing secrets, sealed at rest under DATA_ENCRYPTION_KEYS."""


@webhooks.command("new-key")
def webhooks_new_key() -> None:
    """Print a new data encryption key (put it first in DATA_ENCRYPTION_KEYS)."""
    from server.encryption import new_key

    click.echo(new_key())


@webhooks.command("reseal")
def webhooks_reseal() -> None:
    """Seal every webhook secret under the first DATA_ENCRYPTION_KEYS key (after a rotation)."""
    from server.notices.service import reseal_webhook_secrets

    settings = _settings()

    async def work() -> int:
        async with _system_session(settings) as session:
            count = await reseal_webhook_secrets(session, settings)
            await session.commit()
            return count

    click.echo(f"{_run(work)} webhook secrets sealed under the first key")


@main.group()
def embedded() -> None:
    """The embedded PostgreSQL of the data directory."""


@embedded.command("stop")
def embedded_stop() -> None:
    """Stop the embedded PostgreSQL (it keeps running between `make run`s for fast starts)."""
    from server.db import embedded as emb

    settings = _settings()
    emb.stop(settings.data_dir)
    click.echo("stopped")


if __name__ == "__main__":
    main()
