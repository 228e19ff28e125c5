"""Fields the portal reads to show what the viewer may do and where a record belongs."""

from __future__ import annotations

from typing import Any

from project_support import Flow, report_hazard

QUERY = "query($id: ID!) { project(id: $id) { allowedTransitions permittedTransitions } }"


async def test_R_OWN_permitted_transitions_follow_the_viewers_relations(flow: Flow):
    project = await flow.approved()
    seen: dict[str, Any] = {}
    for user in ("iph.researcher", "iph.research-management"):
        seen[user] = (await flow.gql(user, QUERY, {"id": project["id"]}))["project"]
    allowed = set(seen["iph.researcher"]["allowedTransitions"])
    researcher = set(seen["iph.researcher"]["permittedTransitions"])
    manager = set(seen["iph.research-management"]["permittedTransitions"])
    assert researcher <= allowed and manager <= allowed
    # R-OWN: the undertakers start the work; the approving body terminates.
    assert "start" in researcher and "terminate" not in researcher
    assert "terminate" in manager


async def test_hazards_and_incidents_name_their_unit_and_project(flow: Flow):
    project = await flow.approved()
    await flow.fire("iph.researcher", "startProject", project["id"])
    hazard = (await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]
    data = await flow.gql(
        "bj.supervisor",
        "query($id: ID!) { hazard(id: $id) { orgUnit { code } projectTitle } }",
        {"id": hazard["id"]},
    )
    assert data["hazard"] == {"orgUnit": {"code": "IPH"}, "projectTitle": project["title"]}
    listed = await flow.gql(
        "hq.safety-committee-office", "{ incidents(first: 5) { nodes { orgUnit { code } } } }"
    )
    assert all(n["orgUnit"]["code"] for n in listed["incidents"]["nodes"])
