"""The oversight query as a client asks it, and the figures a generator tally says it must show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx

from server.datagen import AcademySpec
from server.datagen.plan import Tally
from server.projects.vocabulary import ProjectState

GENERATED_PASSWORD = "Generated-Pass-4711!"
# Small enough for `make test` (a few seconds), large enough that every panel has rows.
SMALL = AcademySpec(
    branches=2, institutes_per_branch=2, projects=240, seed=11, password=GENERATED_PASSWORD
)

OVERSIGHT = """
query($u: ID, $n: Int!) { oversight(orgUnitId: $u) {
  orgUnit { id code } asOf institutes { id code } exportUrl
  projects { total live byState { state projects }
             institutes { orgUnit { code } total live byState { state projects } } }
  sensitiveFields { projects live fields { field projects live } }
  levels { level projects live }
  riskPoints { byCategory { category titleZh points byLevel { level points } }
               heatmap { size cells { likelihood impact points } } }
  overdueHazards(first: $n) { count bySeverity { severity hazards }
    oldest { hazard { id title deadline overdue state } orgUnit { code } projectTitle
             daysOverdue } }
  openIncidents(first: $n) { count bySeverity { severity incidents }
    latest { incident { id title severity state } orgUnit { code } projectTitle } }
  trends { month newProjects hazardsFound incidentsReported }
  chokepointExposure(first: $n) { dependencies
    top { item itemKind sourceCountry projects institutes withoutDomesticSubstitute } }
} }
"""


class Api:
    """GraphQL over an app, with one bearer token (a user's access token or an API token)."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}"},
        )

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.post(query, variables)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]


def lower(rows: Iterable[dict[str, Any]], key: str, value: str) -> dict[str | None, Any]:
    """A list of {key, value} as a dict, the GraphQL enum names back in the domain's values."""
    return {(r[key].lower() if r[key] else None): r[value] for r in rows}


def expected_projects(tally: Tally, codes: Iterable[str]) -> dict[str, dict[str, int]]:
    return {
        code: {s.value: tally.projects[(code, s.value)] for s in ProjectState} for code in codes
    }


def shown_projects(view: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        row["orgUnit"]["code"]: {
            s: n for s, n in lower(row["byState"], "state", "projects").items() if s
        }
        for row in view["projects"]["institutes"]
    }


def check_against_tally(view: dict[str, Any], tally: Tally, *, first: int) -> None:
    """Every panel of `view` equals what the generator counted by hand while drawing the rows.

    For a view whose institutes hold exactly the generated data (HQ's view of the academy
    database: the demo institutes there have no projects).
    """
    live = {s.value for s in ProjectState} - {"closed", "terminated", "rejected"}
    by_state: Counter[str] = Counter()
    for (_, state), n in tally.projects.items():
        by_state[state] += n
    projects = view["projects"]
    assert projects["total"] == sum(by_state.values())
    assert projects["live"] == sum(n for s, n in by_state.items() if s in live)
    assert lower(projects["byState"], "state", "projects") == {
        s.value: by_state[s.value] for s in ProjectState
    }
    # Levels of the current assessments: all projects, and the live ones.
    levels = {r["level"].lower() if r["level"] else None: r for r in view["levels"]}
    for level, row in levels.items():
        assert row["projects"] == tally.levels[(level, True)] + tally.levels[(level, False)]
        assert row["live"] == tally.levels[(level, True)]
    # Sensitive fields (R-SENSITIVE).
    fields = view["sensitiveFields"]
    for row in fields["fields"]:
        name = row["field"].lower()
        assert row["projects"] == tally.sensitive[(name, True)] + tally.sensitive[(name, False)]
        assert row["live"] == tally.sensitive[(name, True)]
    assert fields["projects"] == tally.sensitive_any[True] + tally.sensitive_any[False]
    assert fields["live"] == tally.sensitive_any[True]
    # Risk points of live projects: category × level, and the heatmap.
    points = view["riskPoints"]
    for row in points["byCategory"]:
        category = row["category"].lower()
        by_level = lower(row["byLevel"], "level", "points")
        assert by_level == {lv: tally.points[(category, lv)] for lv in by_level}, category
        assert row["points"] == sum(by_level.values())
    cells = {(c["likelihood"], c["impact"]): c["points"] for c in points["heatmap"]["cells"]}
    assert cells == {k: v for k, v in tally.heatmap.items() if v}
    # Overdue hazards (R-OVERDUE): the count, by severity, and the oldest first.
    overdue = view["overdueHazards"]
    assert overdue["count"] == sum(tally.overdue.values())
    assert lower(overdue["bySeverity"], "severity", "hazards") == {
        "general": tally.overdue["general"],
        "major": tally.overdue["major"],
    }
    oldest = overdue["oldest"]
    assert len(oldest) == min(first, overdue["count"])
    deadlines = [r["hazard"]["deadline"] for r in oldest]
    assert deadlines == sorted(deadlines)
    assert all(r["hazard"]["overdue"] and r["daysOverdue"] > 0 for r in oldest)
    # Open incidents (R-INCIDENT).
    incidents = view["openIncidents"]
    assert incidents["count"] == sum(tally.open_incidents.values())
    assert lower(incidents["bySeverity"], "severity", "incidents") == {
        s: tally.open_incidents[s] for s in ("general", "major", "especially_major")
    }
    assert all(r["incident"]["state"] != "CLOSED" for r in incidents["latest"])
    # Trends: the last twelve months.
    trends = view["trends"]
    assert len(trends) == 12
    for row in trends:
        month = row["month"]
        assert row["newProjects"] == sum(
            n for m, n in tally.new_projects.items() if str(m) == month
        )
        assert row["hazardsFound"] == sum(
            n for m, n in tally.hazards_found.items() if str(m) == month
        )
        assert row["incidentsReported"] == sum(
            n for m, n in tally.incidents_reported.items() if str(m) == month
        )
    # Chokepoint exposure: projects and institutes per dependency, most relied on first.
    exposure = view["chokepointExposure"]
    assert exposure["dependencies"] == len(tally.exposure)
    top = exposure["top"]
    assert [r["projects"] for r in top] == sorted((r["projects"] for r in top), reverse=True)
    for row in top:
        projects_, codes, without = tally.exposure[
            (row["item"], row["itemKind"], row["sourceCountry"])
        ]
        assert (row["projects"], row["institutes"], row["withoutDomesticSubstitute"]) == (
            projects_,
            len(codes),
            without,
        )
