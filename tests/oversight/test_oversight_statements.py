"""The whole oversight query costs a fixed number of SQL statements, whatever the data size.

Every panel is aggregated by PostgreSQL (GROUP BY, FILTER, GROUPING SETS, generate_series), so
the statement count depends on the panels asked for, never on how many projects, hazards or
incidents there are. Counted with a `before_cursor_execute` listener on the app's engine, as
tests/projects/test_query_counts.py does: first on the small generated academy, then after a
further branch academy with more projects than the whole academy had was appended to it.
"""

from __future__ import annotations

from oversight_support import OVERSIGHT, SMALL, check_against_tally
from sql_statements import sql_statements

from server.datagen import AcademySpec
from server.tenancy.roles import Role

MORE = AcademySpec(
    branches=1,
    institutes_per_branch=2,
    projects=2 * SMALL.projects + 60,
    seed=SMALL.seed,
    password=SMALL.password,
)


async def _count(academy, username: str) -> tuple[dict, list[str]]:
    api = await academy.api(username)
    variables = {"n": 100}
    await api(OVERSIGHT, variables)  # warm: the first request may prepare what later ones reuse
    with sql_statements(academy.engine) as statements:
        view = (await api(OVERSIGHT, variables))["oversight"]
    return view, statements


async def test_the_oversight_query_costs_the_same_statements_on_three_times_the_data(academy):
    hq = "hq.safety-committee-office"
    branch_code = academy.manifest.branches[0][1]
    supervisor = academy.manifest.user(branch_code, Role.BRANCH_SUPERVISOR)
    small, small_statements = await _count(academy, hq)
    _, branch_statements = await _count(academy, supervisor)

    await academy.append(MORE)
    large, large_statements = await _count(academy, hq)
    _, branch_large_statements = await _count(academy, supervisor)

    print(
        f"\nSQL statements for the whole oversight query: HQ, {small['projects']['total']} "
        f"projects: {len(small_statements)}; {large['projects']['total']} projects: "
        f"{len(large_statements)}; a branch academy: {len(branch_statements)}"
    )
    assert large["projects"]["total"] >= 3 * small["projects"]["total"]
    assert len(large["institutes"]) == len(small["institutes"]) + MORE.institutes_per_branch
    assert len(large_statements) == len(small_statements), "\n".join(
        ["small:", *small_statements, "", "large:", *large_statements]
    )
    assert len(branch_large_statements) == len(branch_statements) == len(small_statements)
    # The tenant set (2) and the principal (1), the view's scope (1), then one statement per
    # panel: three for the trends, two for each list with its counts (12 for every panel).
    assert len(small_statements) <= 16, "\n".join(small_statements)
    # The figures still equal what was generated, now the appended branch included.
    check_against_tally(large, academy.manifest.tally, first=100)
