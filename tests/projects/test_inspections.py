"""Inspections (R-INSPECT, R-SUPERVISE): cadence from the risk level, every measure checked,
findings become hazards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from project_support import Flow

from server import clock

PLAN = """query($id: ID!) { project(id: $id) { inspectionPlan { months lastInspectedOn nextDue due }
  currentAssessment { riskPoints { measures { id } } } } }"""
RECORD = """mutation($p: ID!, $d: Date!, $c: [MeasureCheckInput!]!, $f: [FindingInput!],
  $r: ID) { recordInspection(projectId: $p, inspectedOn: $d, summary: "季度检查", checks: $c,
  findings: $f, reportDocumentId: $r) { __typename
  ... on InspectionRecorded { inspection { inspector checks { result }
    hazards { source severity state } } }
  ... on UserError { code message field } } }"""


async def _implementing(flow: Flow, level: int = 2) -> dict[str, Any]:
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project, level=level)
    await flow.submit("iph.researcher", project)
    await flow.review("iph.research-management", project)
    if level >= 4:  # R-PLAN documents for a high level
        await flow.attach("iph.researcher", project["id"], "EMERGENCY_RESPONSE_PLAN")
        await flow.attach("iph.researcher", project["id"], "COMMITMENT_LETTER")
    await flow.fire("iph.research-management", "approveProject", project["id"])
    await flow.fire("iph.researcher", "startProject", project["id"])
    return project


async def test_R_INSPECT_cadence_follows_the_risk_level(flow: Flow):
    draft = (await flow.create())["project"]
    assert (await flow.gql("iph.researcher", PLAN, {"id": draft["id"]}))["project"][
        "inspectionPlan"
    ] is None
    medium = await _implementing(flow, level=3)
    high = await _implementing(flow, level=4)
    for project, months in ((medium, 6), (high, 3)):
        plan = (await flow.gql("iph.safety-management", PLAN, {"id": project["id"]}))["project"][
            "inspectionPlan"
        ]
        assert plan["months"] == months and plan["due"] is False


async def test_R_INSPECT_every_measure_is_checked_and_findings_become_hazards(flow: Flow):
    project = await _implementing(flow)
    data = (await flow.gql("iph.safety-management", PLAN, {"id": project["id"]}))["project"]
    measures = [m["id"] for p in data["currentAssessment"]["riskPoints"] for m in p["measures"]]
    today = clock.today().isoformat()
    partial = await flow.gql(
        "iph.safety-management",
        RECORD,
        {
            "p": project["id"],
            "d": today,
            "c": [{"measureId": measures[0], "result": "IMPLEMENTED"}],
        },
    )
    assert partial["recordInspection"]["field"] == "checks"
    future = await flow.gql(
        "iph.safety-management",
        RECORD,
        {
            "p": project["id"],
            "d": (clock.today() + timedelta(days=2)).isoformat(),
            "c": [{"measureId": m, "result": "IMPLEMENTED"} for m in measures],
        },
    )
    assert future["recordInspection"]["field"] == "inspectedOn"
    report = await flow.attach("iph.safety-management", project["id"], "INSPECTION_REPORT")
    checks = [{"measureId": m, "result": "IMPLEMENTED"} for m in measures]
    checks[0]["result"] = "NOT_IMPLEMENTED"
    done = await flow.gql(
        "iph.safety-management",
        RECORD,
        {
            "p": project["id"],
            "d": today,
            "c": checks,
            "r": report,
            "f": [
                {"title": "防护措施未落实", "description": "未配备防护装备", "severity": "MAJOR"}
            ],
        },
    )
    inspection = done["recordInspection"]["inspection"]
    assert [h["source"] for h in inspection["hazards"]] == ["INSPECTION"]
    assert sorted(c["result"] for c in inspection["checks"])[0] == "IMPLEMENTED"
    plan = (await flow.gql("iph.safety-management", PLAN, {"id": project["id"]}))["project"][
        "inspectionPlan"
    ]
    assert plan["lastInspectedOn"] == today


async def test_R_SUPERVISE_branch_and_HQ_inspect_and_others_do_not(flow: Flow):
    project = await _implementing(flow)
    data = (await flow.gql("iph.safety-management", PLAN, {"id": project["id"]}))["project"]
    checks = [
        {"measureId": m["id"], "result": "PARTLY"}
        for p in data["currentAssessment"]["riskPoints"]
        for m in p["measures"]
    ]
    variables = {"p": project["id"], "d": clock.today().isoformat(), "c": checks}
    branch = await flow.gql("bj.supervisor", RECORD, variables)
    assert branch["recordInspection"]["__typename"] == "InspectionRecorded"
    assert (await flow.gql("hq.safety-committee-office", RECORD, variables))["recordInspection"][
        "__typename"
    ] == "InspectionRecorded"
    assert (await flow.gql("iph.researcher", RECORD, variables))["recordInspection"][
        "code"
    ] == "FORBIDDEN"
    assert (await flow.gql("sh.supervisor", RECORD, variables))["recordInspection"][
        "code"
    ] == "NOT_FOUND"
