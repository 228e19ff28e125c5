"""Oversight on a realistic academy: generation time, the HQ overview, a branch overview and an
institute's first page of projects, over real HTTP; and the SQL statements per request at two
sizes, to show the count does not grow with the data.

The academy goes into a database of its own on the bench server (the other benchmarks keep their
small data; the scheduler's scan would otherwise meet 50,000 projects). First one branch academy
(a twelfth of the projects) is generated and the HQ overview measured on it; then the other
branch academies are appended and everything is measured on the full academy.

Knobs (environment): BENCH_ACADEMY_BRANCHES (12), BENCH_ACADEMY_INSTITUTES_PER_BRANCH (10),
BENCH_ACADEMY_PROJECTS (50000), BENCH_OVERSIGHT_REQUESTS (20, sequential requests per figure).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from databases import fresh_database
from sql_statements import sql_statements
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from server.app import create_app
from server.config import Settings
from server.datagen import AcademySpec, Manifest, generate
from server.db.engine import make_engine
from server.runtime import prepare
from server.tenancy.roles import Role

pytestmark = pytest.mark.bench


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


BRANCHES = _int_env("BENCH_ACADEMY_BRANCHES", 12)
INSTITUTES_PER_BRANCH = _int_env("BENCH_ACADEMY_INSTITUTES_PER_BRANCH", 10)
PROJECTS = _int_env("BENCH_ACADEMY_PROJECTS", 50_000)
REQUESTS = _int_env("BENCH_OVERSIGHT_REQUESTS", 20)
PASSWORD = "Bench-Academy-4711!"
SEED = 2026

OVERVIEW = """
query($u: ID) { oversight(orgUnitId: $u) {
  orgUnit { code } asOf institutes { code }
  projects { total live byState { state projects }
             institutes { orgUnit { code name } total live byState { state projects } } }
  sensitiveFields { projects live fields { field projects live } }
  levels { level projects live }
  riskPoints { byCategory { category titleZh points byLevel { level points } }
               heatmap { size cells { likelihood impact points } } }
  overdueHazards(first: 20) { count bySeverity { severity hazards }
    oldest { hazard { id title deadline } orgUnit { code } projectTitle daysOverdue } }
  openIncidents(first: 20) { count bySeverity { severity incidents }
    latest { incident { id title severity occurredAt } orgUnit { code } projectTitle } }
  trends { month newProjects hazardsFound incidentsReported }
  chokepointExposure(first: 20) { dependencies
    top { item itemKind sourceCountry projects institutes withoutDomesticSubstitute } }
} }
"""
# An institute's list view: the first page of its projects with everything a list row shows
# (the same document as tests/projects/test_query_counts.py).
PROJECTS_PAGE = """
query($n: Int!) { projects(first: $n) {
  pageInfo { hasNextPage }
  nodes {
    id title state version allowedTransitions
    orgUnit { id code name }
    department { id name }
    principalInvestigator { id username displayName }
    members { id username }
    currentAssessment {
      id number state overallLevel
      riskPoints { category level measures { id description status owner { username } } }
      dependencies { item sourceCountry }
      reviews { decision }
    }
    documents { id title kind versions { id number state } }
  }
} }
"""
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p, delivery: BODY)
  { __typename ... on SignedIn { accessToken } } }"""


@pytest.fixture(scope="module")
async def academy_db(
    server_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, Settings, dict[str, str]]]:
    """A database of its own, migrated and seeded with the demo academy (HQ's sign-ins)."""
    async with fresh_database(server_url, "stsec_bench_academy") as url:
        own = replace(settings, database_url=url, data_dir=tmp_path_factory.mktemp("bench-academy"))
        demo = {u.username: u.password for u in await prepare(own, url, seed=True)}
        yield url, own, demo


async def _token(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}}
    )
    signed_in = response.json()["data"]["login"]
    assert signed_in["__typename"] == "SignedIn", signed_in
    return str(signed_in["accessToken"])


async def _measure(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    token: str,
    query: str,
    variables: dict[str, Any],
) -> dict[str, Any]:
    """Sequential requests (one at a time): latency p50/p95 and the statements per request."""
    body = {"query": query, "variables": variables}
    headers = {"authorization": f"Bearer {token}"}

    async def once() -> dict[str, Any]:
        response = await client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        assert not data.get("errors"), data
        return data["data"]  # type: ignore[no-any-return]

    for _ in range(3):  # warm: plans, prepared statements, caches
        data = await once()
    with sql_statements(engine) as statements:
        await once()
    seconds = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        await once()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {
        "requests": REQUESTS,
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(seconds[max(0, round(0.95 * len(seconds)) - 1)] * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1),
        "sql_statements": len(statements),
        "data": data,
    }


def _figures(manifest: Manifest) -> dict[str, Any]:
    return {
        "branches": len(manifest.branches),
        "institutes": len(manifest.institutes),
        "projects": sum(i.projects for i in manifest.institutes),
        "rows": sum(manifest.tally.rows.values()),
        "seconds": round(manifest.seconds, 1),
    }


async def test_oversight_on_a_generated_academy(
    academy_db: tuple[str, Settings, dict[str, str]],
    serve_app: Any,
    bench_record: Any,
) -> None:
    url, own, demo = academy_db
    owner = make_engine(url, pool_size=1)
    small_spec = AcademySpec(
        branches=1,
        institutes_per_branch=INSTITUTES_PER_BRANCH,
        projects=max(1, PROJECTS // BRANCHES),
        seed=SEED,
        password=PASSWORD,
    )
    try:
        small = await generate(owner, small_spec)
        app = create_app(own, url)
        engine: AsyncEngine = app.state.engine
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:
            hq = await _token(
                client, "hq.safety-committee-office", demo["hq.safety-committee-office"]
            )
            hq_small = await _measure(client, engine, hq, OVERVIEW, {})

            full = Manifest(spec=small_spec, today=small.today)
            full.absorb(small)
            if BRANCHES > 1:
                rest = AcademySpec(
                    branches=BRANCHES - 1,
                    institutes_per_branch=INSTITUTES_PER_BRANCH,
                    projects=PROJECTS - small_spec.projects,
                    seed=SEED,
                    password=PASSWORD,
                    append=True,
                )
                full.absorb(await generate(owner, rest))

            hq_full = await _measure(client, engine, hq, OVERVIEW, {})
            branch_id, branch_code = full.branches[0]
            supervisor = await _token(
                client, full.user(branch_code, Role.BRANCH_SUPERVISOR), PASSWORD
            )
            branch = await _measure(client, engine, supervisor, OVERVIEW, {})
            largest = max(full.institutes, key=lambda i: i.projects)
            manager = await _token(
                client, full.user(largest.code, Role.RESEARCH_MANAGEMENT), PASSWORD
            )
            institute = await _measure(client, engine, manager, OVERVIEW, {})
            page = await _measure(client, engine, manager, PROJECTS_PAGE, {"n": 50})
            hq_narrowed = await _measure(
                client, engine, hq, OVERVIEW, {"u": to_global_id("OrgUnit", branch_id)}
            )
        await app.state.engine.dispose()
    finally:
        await owner.dispose()

    assert hq_small["data"]["oversight"]["projects"]["total"] == small_spec.projects
    assert hq_full["data"]["oversight"]["projects"]["total"] == PROJECTS
    assert len(page["data"]["projects"]["nodes"]) == min(50, largest.projects)
    # The statement count is a property of the query, not of the data.
    assert hq_full["sql_statements"] == hq_small["sql_statements"]
    assert branch["sql_statements"] == hq_full["sql_statements"]

    def strip(m: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in m.items() if k != "data"}

    entry = bench_record(
        "oversight",
        {
            "generation": {
                "small": _figures(small),
                "full": _figures(full),
                "rows_per_second": round(sum(full.tally.rows.values()) / max(full.seconds, 1e-9)),
                "rows_by_table": dict(sorted(full.tally.rows.items())),
            },
            "hq_overview_small": {"projects": small_spec.projects, **strip(hq_small)},
            "hq_overview": {"projects": PROJECTS, **strip(hq_full)},
            "hq_overview_of_a_branch": strip(hq_narrowed),
            "branch_overview": {
                "institutes": len(branch["data"]["oversight"]["institutes"]),
                "projects": branch["data"]["oversight"]["projects"]["total"],
                **strip(branch),
            },
            "institute_overview": {"projects": largest.projects, **strip(institute)},
            "institute_project_list_first_page": {
                "page_size": 50,
                "institute_projects": largest.projects,
                **strip(page),
            },
            "server": "uvicorn in the test process, one worker; requests one at a time (httpx)",
        },
    )
    print(
        f"\ngenerated {entry['generation']['full']}: HQ overview p50 {hq_full['p50_ms']} ms "
        f"p95 {hq_full['p95_ms']} ms ({hq_full['sql_statements']} statements; "
        f"{hq_small['sql_statements']} at {small_spec.projects} projects, p50 "
        f"{hq_small['p50_ms']} ms); branch p50 {branch['p50_ms']} ms p95 {branch['p95_ms']} ms; "
        f"institute project list p50 {page['p50_ms']} ms p95 {page['p95_ms']} ms "
        f"({page['sql_statements']} statements)"
    )
    # "Well under a second" on this 2-core machine for the HQ overview of the full academy.
    assert hq_full["p50_ms"] < 1000, hq_full
