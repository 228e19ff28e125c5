"""Hazards and their rectification (R-HAZARD, R-REPORT, R-SUPERVISE, R-OVERDUE)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from project_support import Flow, attach_evidence, hazard_step, report_hazard
from sqlalchemy import func, select, text

from schema.relay import from_global_id
from server import clock
from server.auth.principal import SYSTEM
from server.db.engine import ALL_TENANTS, scope
from server.outbox.models import OutboxEvent
from server.warnlist import service as warnlist
from server.warnlist.models import WarningListEntry

TOMORROW = (clock.today() + timedelta(days=1)).isoformat()


async def _implementing(flow: Flow) -> dict[str, Any]:
    project = await flow.approved()
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    return started["project"]  # type: ignore[no-any-return]


async def test_R_REPORT_staff_report_and_supervisors_register_hazards(flow: Flow):
    project = await _implementing(flow)
    mine = await report_hazard(flow, "iph.researcher", project["id"])
    assert (mine["hazard"]["source"], mine["hazard"]["state"]) == ("SELF_REPORT", "OPEN")
    found = await report_hazard(flow, "bj.supervisor", project["id"], severity="MAJOR")
    assert found["hazard"]["source"] == "SUPERVISOR"
    assert (await report_hazard(flow, "ioc.researcher", project["id"]))["code"] == "NOT_FOUND"
    assert (await report_hazard(flow, "sh.supervisor", project["id"]))["code"] == "NOT_FOUND"
    # A researcher who is not on the project team does not register hazards for it.
    assert (await report_hazard(flow, "iph.secrecy-officer", project["id"]))["code"] == "FORBIDDEN"


async def test_R_HAZARD_rectification_is_verified_by_someone_else_with_evidence(flow: Flow):
    project = await _implementing(flow)
    hazard = (await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]
    owner = flow.ids["iph.safety-management"]
    planned = await hazard_step(
        flow,
        "iph.safety-management",
        "planRectification",
        hazard,
        ownerId=owner,
        deadline=TOMORROW,
        plan="更换排风机",
    )
    assert planned["hazard"]["state"] == "RECTIFYING"
    no_evidence = await hazard_step(
        flow, "iph.safety-management", "submitRectification", hazard, note="已更换"
    )
    assert (no_evidence["code"], no_evidence["field"]) == ("INVALID_INPUT", "evidence")
    await attach_evidence(flow, "iph.safety-management", hazard["id"])
    done = await hazard_step(
        flow, "iph.safety-management", "submitRectification", hazard, note="已更换"
    )
    assert done["hazard"]["state"] == "AWAITING_VERIFICATION"
    own = await hazard_step(
        flow, "iph.safety-management", "verifyRectification", hazard, adequate=True, note="自查合格"
    )
    assert own["code"] == "FORBIDDEN" and "someone else" in own["message"]
    back = await hazard_step(
        flow,
        "iph.research-management",
        "verifyRectification",
        hazard,
        adequate=False,
        note="风量仍不足",
    )
    assert (back["hazard"]["state"], back["hazard"]["inadequateRectifications"]) == (
        "RECTIFYING",
        1,
    )
    await hazard_step(flow, "iph.safety-management", "submitRectification", hazard, note="再次整改")
    closed = await hazard_step(
        flow,
        "iph.research-management",
        "verifyRectification",
        hazard,
        adequate=True,
        note="复查合格",
    )
    assert closed["hazard"]["state"] == "CLOSED"
    reopened = await hazard_step(
        flow, "iph.research-management", "reopenHazard", hazard, reason="复发"
    )
    assert reopened["hazard"]["state"] == "OPEN"


async def test_R_SUPERVISE_branch_and_HQ_press_on_hazards(flow: Flow):
    project = await _implementing(flow)
    hazard = (await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]
    query = """mutation($h: ID!, $d: Date) { superviseHazard(hazardId: $h, comment: "请限期整改",
                 deadline: $d) { __typename ... on SupervisionAdded { hazard { supervisions {
                 by comment deadline } } } ... on UserError { code } } }"""
    done = await flow.gql("bj.supervisor", query, {"h": hazard["id"], "d": TOMORROW})
    assert done["superviseHazard"]["hazard"]["supervisions"][0]["deadline"] == TOMORROW
    assert (await flow.gql("hq.safety-committee-office", query, {"h": hazard["id"], "d": None}))[
        "superviseHazard"
    ]["__typename"] == "SupervisionAdded"
    assert (await flow.gql("iph.researcher", query, {"h": hazard["id"], "d": None}))[
        "superviseHazard"
    ]["code"] == "FORBIDDEN"
    assert (await flow.gql("sh.supervisor", query, {"h": hazard["id"], "d": None}))[
        "superviseHazard"
    ]["code"] == "NOT_FOUND"


RECOMMEND = """mutation($h: ID!) { recommendHandling(hazardId: $h, reason: "重大隐患逾期未整改") {
  __typename ... on RecommendationSaved { recommendation { id } }
  ... on UserError { code message } } }"""
DECIDE = """mutation($r: ID!, $d: HandlingDecision!, $b: [BanInput!]) { decideHandling(
  recommendationId: $r, decision: $d, note: "院机关决定", bans: $b) { __typename
  ... on RecommendationSaved { recommendation { decision decidedBy } }
  ... on UserError { code message } } }"""


async def test_R_OVERDUE_overdue_is_derived_and_a_late_major_hazard_goes_to_HQ(
    flow: Flow, owner_engine: Any, sessions: Any
):
    project = await _implementing(flow)
    general = (await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]
    major = (await report_hazard(flow, "iph.researcher", project["id"], severity="MAJOR"))["hazard"]
    for h in (general, major):
        await hazard_step(
            flow,
            "iph.safety-management",
            "planRectification",
            h,
            ownerId=flow.ids["iph.researcher"],
            deadline=TOMORROW,
            plan="整改",
        )
    early = await flow.gql("bj.supervisor", RECOMMEND, {"h": major["id"]})
    assert early["recommendHandling"]["code"] == "CONFLICT"
    # Time passes: the deadlines lapse.
    async with owner_engine.begin() as conn:
        await conn.execute(
            text("UPDATE hazards SET deadline = :d WHERE project_id = CAST(:p AS uuid)"),
            {"d": clock.today() - timedelta(days=3), "p": str(from_global_id(project["id"])[1][1])},
        )
    listed = await flow.gql(
        "iph.safety-management",
        """query($p: ID!) { hazards(filter: {projectId: $p, overdue: true}) {
             nodes { id overdue } } }""",
        {"p": project["id"]},
    )
    assert {n["id"] for n in listed["hazards"]["nodes"]} == {general["id"], major["id"]}
    assert (await flow.gql("bj.supervisor", RECOMMEND, {"h": general["id"]}))["recommendHandling"][
        "code"
    ] == "CONFLICT"  # only major hazards
    rec = (await flow.gql("bj.supervisor", RECOMMEND, {"h": major["id"]}))["recommendHandling"]
    rec_id = rec["recommendation"]["id"]
    refused = await flow.gql(
        "iph.research-management", DECIDE, {"r": rec_id, "d": "BAN", "b": [{"target": "UNIT"}]}
    )
    assert refused["decideHandling"]["code"] == "FORBIDDEN"
    decided = await flow.gql(
        "hq.business-department",
        DECIDE,
        {"r": rec_id, "d": "BAN", "b": [{"target": "UNIT"}, {"target": "PERSON"}]},
    )
    assert decided["decideHandling"]["recommendation"]["decision"] == "BAN"
    async with owner_engine.connect() as conn:
        bans = await conn.scalar(
            select(func.count())
            .select_from(WarningListEntry)
            .where(
                WarningListEntry.tenant_id == from_global_id(project["id"])[1][0],
                WarningListEntry.ban.is_(True),
            )
        )
        told = await conn.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.topic == "hazard.handling_recommended")
        )
    assert bans >= 2 and told >= 1
    # The bans are enforced at the gate (R-WARNLIST, tests/warnlist): lift them, so that the
    # other tests' IPH projects can go on.
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        entries = await session.scalars(
            select(WarningListEntry).where(
                WarningListEntry.tenant_id == from_global_id(project["id"])[1][0],
                WarningListEntry.lifted_at.is_(None),
                WarningListEntry.ban.is_(True),
            )
        )
        for entry in entries.all():
            await warnlist.lift_entry(session, SYSTEM, entry.tenant_id, entry.id, reason="测试")


async def test_R_OVERDUE_HQ_may_suspend_the_project(flow: Flow):
    project = await _implementing(flow)
    major = (await report_hazard(flow, "iph.researcher", project["id"], severity="MAJOR"))["hazard"]
    owner = flow.ids["iph.safety-management"]
    await hazard_step(
        flow,
        "iph.safety-management",
        "planRectification",
        major,
        ownerId=owner,
        deadline=TOMORROW,
        plan="整改",
    )
    await attach_evidence(flow, "iph.safety-management", major["id"])
    await hazard_step(flow, "iph.safety-management", "submitRectification", major, note="完成")
    await hazard_step(
        flow,
        "iph.research-management",
        "verifyRectification",
        major,
        adequate=False,
        note="整改不到位",
    )
    rec = (await flow.gql("hq.safety-committee-office", RECOMMEND, {"h": major["id"]}))[
        "recommendHandling"
    ]
    decided = await flow.gql(
        "hq.business-department",
        DECIDE,
        {"r": rec["recommendation"]["id"], "d": "SUSPEND_PROJECT", "b": None},
    )
    assert decided["decideHandling"]["recommendation"]["decision"] == "SUSPEND_PROJECT"
    assert (await flow.project("iph.researcher", project["id"]))["state"] == "SUSPENDED"
    # HQ's suspension is lifted by HQ, not by the institute that approved the project.
    refused = await flow.fire("iph.research-management", "resumeProject", project["id"])
    assert refused["code"] == "FORBIDDEN" and "only HQ" in refused["message"], refused
    resumed = await flow.fire("hq.business-department", "resumeProject", project["id"])
    assert resumed["project"]["state"] == "IMPLEMENTING", resumed


async def test_R_CLOSE_open_hazards_are_closed_or_handed_over_before_closure(flow: Flow):
    project = await _implementing(flow)
    hazard = (await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]
    early = await hazard_step(
        flow, "iph.research-management", "handOverHazard", hazard, reason="转入常规管理"
    )
    assert early["code"] == "CONFLICT"  # only when the project is closing
    for mutation in ("enterOutcomeStage", "startClosing"):
        await flow.fire("iph.researcher", mutation, project["id"])
    refused = await flow.fire(
        "iph.research-management", "closeProject", project["id"], summary="经验与教训"
    )
    assert "R-CLOSE" in refused["message"] and "1 hazard" in refused["message"]
    assert (await hazard_step(flow, "iph.researcher", "handOverHazard", hazard, reason="x"))[
        "code"
    ] == "FORBIDDEN"
    handed = await hazard_step(
        flow, "iph.research-management", "handOverHazard", hazard, reason="转入所级安全管理持续整改"
    )
    assert handed["__typename"] == "HazardSaved"
    closed = await flow.fire(
        "iph.research-management", "closeProject", project["id"], summary="经验与教训"
    )
    assert closed["project"]["state"] == "CLOSED"
