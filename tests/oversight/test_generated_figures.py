"""The oversight figures on a small generated academy equal the counts the generator kept by hand
while drawing the rows (ORG-HQ-DUTY: HQ sees all; ORG-BRANCH: a branch sees its institutes)."""

from __future__ import annotations

from oversight_support import OVERSIGHT, check_against_tally, expected_projects, shown_projects

from schema.relay import to_global_id
from server.tenancy.roles import Role

DEMO_INSTITUTES = {"IPH", "IAU", "IOC", "IMS"}


async def test_ORG_HQ_DUTY_hq_view_equals_the_generated_counts(academy):
    hq = await academy.api("hq.safety-committee-office")
    view = (await hq(OVERSIGHT, {"n": 100}))["oversight"]
    generated = {i.code for i in academy.manifest.institutes}
    assert view["orgUnit"]["code"] == "HQ"
    assert {u["code"] for u in view["institutes"]} == DEMO_INSTITUTES | generated
    shown = shown_projects(view)
    assert {code: shown[code] for code in generated} == expected_projects(
        academy.manifest.tally, generated
    )
    assert all(sum(shown[code].values()) == 0 for code in DEMO_INSTITUTES)
    check_against_tally(view, academy.manifest.tally, first=100)


async def test_ORG_BRANCH_branch_view_covers_exactly_its_institutes(academy):
    manifest = academy.manifest
    branch_id, branch_code = manifest.branches[0]
    own = [i for i in manifest.institutes if i.branch_id == branch_id]
    supervisor = await academy.api(manifest.user(branch_code, Role.BRANCH_SUPERVISOR))
    view = (await supervisor(OVERSIGHT, {"n": 100}))["oversight"]
    assert view["orgUnit"]["code"] == branch_code
    assert [u["code"] for u in view["institutes"]] == sorted(i.code for i in own)
    assert shown_projects(view) == expected_projects(manifest.tally, [i.code for i in own])
    total = sum(manifest.tally.projects[(i.code, s)] for i in own for s in _states(manifest))
    assert view["projects"]["total"] == total
    assert {r["orgUnit"]["code"] for r in view["overdueHazards"]["oldest"]} <= {i.code for i in own}


async def test_ORG_BRANCH_branch_narrows_to_one_institute_and_not_to_another_branchs(academy):
    manifest = academy.manifest
    (branch_id, branch_code), (other_id, _) = manifest.branches[0], manifest.branches[1]
    mine = next(i for i in manifest.institutes if i.branch_id == branch_id)
    theirs = next(i for i in manifest.institutes if i.branch_id == other_id)
    supervisor = await academy.api(manifest.user(branch_code, Role.BRANCH_SUPERVISOR))
    view = (await supervisor(OVERSIGHT, {"u": to_global_id("OrgUnit", mine.id), "n": 5}))[
        "oversight"
    ]
    assert [u["code"] for u in view["institutes"]] == [mine.code]
    assert shown_projects(view) == expected_projects(manifest.tally, [mine.code])
    for foreign in (theirs.id, other_id):
        response = await supervisor.post(OVERSIGHT, {"u": to_global_id("OrgUnit", foreign), "n": 5})
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert theirs.code not in response.text and theirs.name not in response.text


async def test_ORG_INST_DUTY_institute_managers_see_their_own_figures_only(academy):
    manifest = academy.manifest
    inst = manifest.institutes[0]
    manager = await academy.api(manifest.user(inst.code, Role.RESEARCH_MANAGEMENT))
    view = (await manager(OVERSIGHT, {"n": 5}))["oversight"]
    assert [u["code"] for u in view["institutes"]] == [inst.code]
    assert shown_projects(view) == expected_projects(manifest.tally, [inst.code])
    assert view["projects"]["total"] == inst.projects
    # The researcher of the same institute does not get the management view.
    researcher = await academy.api(manifest.user(inst.code, Role.RESEARCHER))
    body = (await researcher.post(OVERSIGHT, {"n": 5})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _states(manifest):
    return {state for (_, state) in manifest.tally.projects}
