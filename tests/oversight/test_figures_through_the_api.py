"""The oversight figures follow what people do through the API: a project approved, one proposed
in a sensitive field, a hazard found and left past its deadline, an incident reported. Each
moves exactly the counts it should in IPH's view and its branch's (the demo academy is shared
with other tests, so the figures are compared before and after)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from oversight_support import OVERSIGHT
from project_support import Flow, hazard_step, report_hazard
from sqlalchemy import text

from schema.relay import from_global_id
from server import clock

REPORT = """mutation($u: ID!, $i: IncidentInput!) { reportIncident(orgUnitId: $u, input: $i) {
  __typename ... on IncidentSaved { incident { id } } ... on UserError { code message } } }"""


def _figures(view: dict[str, Any]) -> dict[str, Any]:
    """The counts of a view, flat, so that two views can be subtracted."""
    out: dict[str, Any] = {"total": view["projects"]["total"], "live": view["projects"]["live"]}
    out |= {f"state.{r['state']}": r["projects"] for r in view["projects"]["byState"]}
    out |= {f"level.{r['level']}": (r["projects"], r["live"]) for r in view["levels"]}
    out |= {f"field.{r['field']}": r["projects"] for r in view["sensitiveFields"]["fields"]}
    out["field.any"] = view["sensitiveFields"]["projects"]
    for c in view["riskPoints"]["byCategory"]:
        out |= {f"points.{c['category']}.{lv['level']}": lv["points"] for lv in c["byLevel"]}
    out |= {
        f"cell.{c['likelihood']}x{c['impact']}": c["points"]
        for c in view["riskPoints"]["heatmap"]["cells"]
    }
    out |= {f"overdue.{r['severity']}": r["hazards"] for r in view["overdueHazards"]["bySeverity"]}
    out |= {
        f"incidents.{r['severity']}": r["incidents"] for r in view["openIncidents"]["bySeverity"]
    }
    month = view["trends"][-1]
    out |= {f"month.{k}": month[k] for k in ("newProjects", "hazardsFound", "incidentsReported")}
    out |= {
        f"exposure.{d['item']}.{d['sourceCountry']}": (d["projects"], d["institutes"])
        for d in view["chokepointExposure"]["top"]
    }
    return out


def _delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, 0), after.get(key, 0)
        if isinstance(old, tuple) or isinstance(new, tuple):
            old, new = old or (0, 0), new or (0, 0)
            diff: Any = tuple(n - o for o, n in zip(old, new, strict=True))
            if any(diff):
                changed[key] = diff
        elif new != old:
            changed[key] = new - old
    return changed


async def test_R_ASSESS_R_HAZARD_R_INCIDENT_figures_follow_what_people_do(
    flow: Flow, owner_engine: Any
):
    async def views() -> list[dict[str, Any]]:
        return [
            _figures((await flow.gql(user, OVERSIGHT, {"u": unit, "n": 100}))["oversight"])
            for user, unit in (
                ("hq.safety-committee-office", flow.ids["IPH"]),
                ("bj.supervisor", None),
                ("iph.safety-management", None),
            )
        ]

    before = await views()
    # An approved project: seven risk points at likelihood 2 × impact 2 (low), one key
    # dependency (光刻胶 from 日本, no domestic substitute) in its passed assessment.
    approved = await flow.approved()
    # A proposal in a sensitive field (R-SENSITIVE), its assessment still empty.
    proposed = await flow.create(sensitiveFields=["DRONES"])
    assert proposed["__typename"] == "ProjectSaved", proposed
    # A hazard found in the approved project, planned, and left past its deadline.
    hazard = (await report_hazard(flow, "iph.researcher", approved["id"]))["hazard"]
    planned = await hazard_step(
        flow,
        "iph.safety-management",
        "planRectification",
        hazard,
        ownerId=flow.ids["iph.researcher"],
        deadline=(clock.today() + timedelta(days=1)).isoformat(),
        plan="整改",
    )
    assert planned["__typename"] == "HazardSaved", planned
    async with owner_engine.begin() as conn:  # time passes: the deadline lapses
        await conn.execute(
            text("UPDATE hazards SET deadline = :d WHERE id = CAST(:h AS uuid)"),
            {"d": clock.today() - timedelta(days=3), "h": str(from_global_id(hazard["id"])[1][1])},
        )
    reported = await flow.gql(
        "iph.researcher",
        REPORT,
        {
            "u": flow.ids["IPH"],
            "i": {
                "title": "样本泄漏",
                "occurredAt": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
                "place": "中心实验室",
                "category": "SAFETY",
                "severity": "MAJOR",
                "immediateMeasures": "封闭现场",
            },
        },
    )
    assert reported["reportIncident"]["__typename"] == "IncidentSaved", reported
    after = await views()

    categories = ("CHOKEPOINT", "SAFETY", "COMPLIANCE", "DATA_SECURITY", "ETHICS")
    categories += ("PUBLIC_OPINION", "CONFIDENTIALITY")
    expected = {
        "total": 2,
        "live": 2,
        "state.APPROVED": 1,
        "state.DRAFT": 1,
        "level.LOW": (1, 1),
        "level.None": (1, 1),
        "field.DRONES": 1,
        "field.any": 1,
        **{f"points.{c}.LOW": 1 for c in categories},
        "cell.2x2": 7,
        "overdue.GENERAL": 1,
        "incidents.MAJOR": 1,
        "month.newProjects": 2,
        "month.hazardsFound": 1,
        "month.incidentsReported": 1,
        "exposure.光刻胶.日本": (1, 0),
    }
    for view_before, view_after in zip(before, after, strict=True):
        delta = _delta(view_before, view_after)
        # The first project relying on 光刻胶 in this view also adds an institute.
        exposure = delta.get("exposure.光刻胶.日本", (1, 0))
        assert exposure[0] == 1 and exposure[1] in (0, 1)
        delta["exposure.光刻胶.日本"] = (1, 0)
        assert delta == expected
