"""The project lifecycle through the API: proposal, assessment, review, approval, closure."""

from __future__ import annotations

from project_support import Flow


async def test_proposal_to_closure(flow: Flow):
    project = await flow.approved()
    assert project["state"] == "APPROVED"
    pid = project["id"]
    for mutation, state in (
        ("startProject", "IMPLEMENTING"),
        ("enterOutcomeStage", "OUTCOME"),
        ("startClosing", "CLOSING"),
    ):
        fired = await flow.fire("iph.researcher", mutation, pid)
        assert fired["__typename"] == "ProjectSaved", fired
        assert fired["project"]["state"] == state
    closed = await flow.fire(
        "iph.research-management", "closeProject", pid, summary="经验与教训：……"
    )
    assert closed["project"]["state"] == "CLOSED"
    assert closed["project"]["allowedTransitions"] == []
