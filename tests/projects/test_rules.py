"""The guidance's project rules, each proven through the API (test names carry the rule IDs)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from project_support import CATEGORIES, Flow
from sqlalchemy import func, select, text

from server import clock
from server.audit.models import AuditEntry
from server.outbox.models import OutboxEvent
from server.projects import lifecycle

ROOT = Path(__file__).resolve().parents[2]


async def _count(owner_engine: Any, model: Any, **where: Any) -> int:
    async with owner_engine.connect() as conn:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return int(await conn.scalar(stmt))


def _pid(global_id: str) -> str:
    from schema.relay import from_global_id

    return str(from_global_id(global_id)[1][1])


# -- R-ASSESS ---------------------------------------------------------------------------------


async def test_R_ASSESS_incomplete_assessment_cannot_be_submitted(flow: Flow):
    project = (await flow.create())["project"]
    partial = await flow.save(
        "iph.researcher",
        project,
        riskPoints=[
            {
                "category": "SAFETY",
                "description": "d",
                "likelihood": 1,
                "impact": 1,
                "measures": [{"description": "m"}],
            }
        ],
        dependencies=[],
    )
    assert partial["__typename"] == "AssessmentSaved"
    refused = await flow.submit("iph.researcher", project)
    assert refused["code"] == "TRANSITION_REFUSED"
    assert "category chokepoint" in refused["message"] and "dependencies" in refused["message"]
    assert (await flow.project("iph.researcher", project["id"]))["state"] == "DRAFT"


async def test_R_ASSESS_not_applicable_needs_a_reason(flow: Flow):
    project = (await flow.create())["project"]
    points = [
        {
            "category": c,
            "description": "d",
            "likelihood": 1,
            "impact": 1,
            "measures": [{"description": "m"}],
        }
        for c in CATEGORIES
        if c != "ETHICS"
    ]
    refused = await flow.save(
        "iph.researcher",
        project,
        riskPoints=points,
        notApplicable=[{"category": "ETHICS", "reason": "  "}],
    )
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "notApplicableReason")
    saved = await flow.save(
        "iph.researcher",
        project,
        riskPoints=points,
        notApplicable=[{"category": "ETHICS", "reason": "不涉及人或动物实验"}],
    )
    assert saved["__typename"] == "AssessmentSaved"
    assert (await flow.submit("iph.researcher", project))["__typename"] == "AssessmentSaved"


async def test_R_ASSESS_likelihood_outside_the_matrix_changes_nothing(flow: Flow):
    project = (await flow.create())["project"]
    before = (await flow.project("iph.researcher", project["id"]))["currentAssessment"]
    refused = await flow.save("iph.researcher", project, level=6)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "likelihood")
    after = (await flow.project("iph.researcher", project["id"]))["currentAssessment"]
    assert after == before


async def test_R_ASSESS_overall_level_is_derived_from_the_matrix(flow: Flow):
    project = (await flow.create())["project"]
    for level, expected in ((1, "LOW"), (3, "MEDIUM"), (4, "HIGH"), (5, "CRITICAL")):
        saved = await flow.save("iph.researcher", project, level=level)
        assert saved["assessment"]["overallLevel"] == expected


async def test_R_ASSESS_a_submitted_assessment_is_frozen(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    current = (await flow.project("iph.researcher", project["id"]))["currentAssessment"]
    await flow.submit("iph.researcher", project)
    refused = await flow.gql(
        "iph.researcher",
        """mutation($i: AssessmentInput!) { saveAssessment(input: $i) { __typename
             ... on UserError { code message } } }""",
        {"i": {"assessmentId": current["id"], "expectedVersion": current["version"] + 1}},
    )
    assert refused["saveAssessment"]["code"] == "CONFLICT"


async def test_concurrent_edits_conflict_instead_of_overwriting(flow: Flow):
    project = (await flow.create())["project"]
    current = (await flow.project("iph.researcher", project["id"]))["currentAssessment"]
    assert (await flow.save("iph.researcher", project))["__typename"] == "AssessmentSaved"
    stale = await flow.gql(
        "iph.researcher",
        """mutation($i: AssessmentInput!) { saveAssessment(input: $i) { __typename
             ... on UserError { code field } } }""",
        {"i": {"assessmentId": current["id"], "expectedVersion": current["version"]}},
    )
    assert stale["saveAssessment"] == {
        "__typename": "ConflictError",
        "code": "CONFLICT",
        "field": "expectedVersion",
    }
    # A transition sent with a stale project version is refused the same way.
    fired = await flow.gql(
        "iph.research-management",
        """mutation($id: ID!) { approveProject(id: $id, expectedVersion: 999) {
             ... on UserError { code field } } }""",
        {"id": project["id"]},
    )
    assert fired["approveProject"]["field"] == "expectedVersion"


async def test_project_input_errors_change_nothing(flow: Flow, owner_engine: Any):
    from server.projects.models import Project

    before = await _count(owner_engine, Project)
    wrong_dates = await flow.create(endDate="2020-01-01")
    assert (wrong_dates["code"], wrong_dates["field"]) == ("INVALID_INPUT", "endDate")
    hq = await flow.gql("hq.platform-admin", "{ users(first: 100) { nodes { id username } } }")
    foreign = next(n["id"] for n in hq["users"]["nodes"] if n["username"] == "ioc.researcher")
    foreign_pi = await flow.create(principalInvestigatorId=foreign)
    assert foreign_pi["code"] == "INVALID_INPUT"
    assert await _count(owner_engine, Project) == before


# -- The state machine ------------------------------------------------------------------------


async def test_a_transition_not_allowed_names_the_allowed_ones(flow: Flow):
    project = (await flow.create())["project"]
    refused = await flow.fire("iph.researcher", "startProject", project["id"])
    assert refused["code"] == "TRANSITION_NOT_ALLOWED"
    assert "allowed now: submit, terminate" in refused["message"]


async def test_transitions_are_audited_and_emit_outbox_events(flow: Flow, owner_engine: Any):
    project = await flow.approved()
    pid = _pid(project["id"])
    assert await _count(owner_engine, AuditEntry, action="project.approve", object_id=pid) == 1
    async with owner_engine.connect() as conn:
        topics = (
            (
                await conn.execute(
                    select(OutboxEvent.topic).where(OutboxEvent.payload["project_id"].astext == pid)
                )
            )
            .scalars()
            .all()
        )
    assert {
        "project.submit",
        "assessment.submitted",
        "assessment.reviewed",
        "project.approve",
    } <= set(topics)


def test_README_renders_the_lifecycle_table():
    assert lifecycle.render_markdown() in (ROOT / "README.md").read_text(), (
        "README.md's lifecycle table is stale: paste `python -m server.cli projects transitions`"
    )


# -- R-GATE, R-REVIEW, R-SENSITIVE, R-PLAN ---------------------------------------------------


async def test_R_GATE_no_approval_before_the_assessment_passes(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    refused = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert refused["code"] == "TRANSITION_REFUSED" and "R-GATE" in refused["message"]


async def test_R_REVIEW_only_research_management_reviews(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    assert (await flow.review("iph.researcher", project))["code"] == "FORBIDDEN"
    assert (await flow.review("iph.safety-management", project))["code"] == "FORBIDDEN"


async def test_R_REVIEW_return_opens_a_new_version_and_keeps_the_reviewed_one(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    returned = await flow.review("iph.research-management", project, decision="RETURN")
    assert returned["assessment"]["state"] == "RETURNED"
    now = await flow.project("iph.researcher", project["id"])
    assert now["state"] == "RETURNED"
    assert (now["currentAssessment"]["number"], now["currentAssessment"]["state"]) == (2, "DRAFT")
    assert (await flow.submit("iph.researcher", project))["__typename"] == "AssessmentSaved"
    assert (await flow.review("iph.research-management", project))["assessment"][
        "state"
    ] == "PASSED"


async def test_R_REVIEW_fail_rejects_the_proposal(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    await flow.review("iph.research-management", project, decision="FAIL")
    assert (await flow.project("iph.researcher", project["id"]))["state"] == "REJECTED"


async def test_R_REVIEW_a_meeting_review_attaches_its_minutes(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    refused = await flow.review("iph.research-management", project, method="MEETING")
    assert refused["field"] == "minutesDocumentId"
    minutes = await flow.attach("iph.research-management", project["id"], "MEETING_MINUTES")
    done = await flow.review("iph.research-management", project, method="MEETING", minutes=minutes)
    assert done["assessment"]["state"] == "PASSED"


async def test_R_SENSITIVE_needs_the_coordination_leaders_sign_off_and_tells_HQ(
    flow: Flow, owner_engine: Any
):
    project = (await flow.create(sensitiveFields=["GENE_EDITING"]))["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    passed = await flow.review("iph.research-management", project)
    assert passed["assessment"]["state"] == "SUBMITTED"  # still waiting for the sign-off
    refused = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert "R-GATE" in refused["message"]
    assert (await flow.review("iph.research-management", project, stage="COORDINATION"))[
        "code"
    ] == "FORBIDDEN"
    signed = await flow.review("iph.coordination-leader", project, stage="COORDINATION")
    assert signed["assessment"]["state"] == "PASSED"
    approved = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert approved["project"]["state"] == "APPROVED"
    async with owner_engine.connect() as conn:
        told = await conn.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.topic == "project.sensitive_field",
                OutboxEvent.payload["project_id"].astext == _pid(project["id"]),
            )
        )
    assert told == 1


async def test_R_REVIEW_HQ_re_reviews_and_approves_what_HQ_deploys(flow: Flow):
    project = (await flow.create(deployedByHq=True, hqDepartment="前沿科学与教育局"))["project"]
    await flow.save("iph.researcher", project)
    await flow.submit("iph.researcher", project)
    early = await flow.review("hq.business-department", project, stage="HQ")
    assert early["code"] == "CONFLICT"  # the institute reviews first
    await flow.review("iph.research-management", project)
    # R-OWN: the institute does not approve a project HQ deploys.
    refused = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert refused["code"] == "FORBIDDEN"
    re_reviewed = await flow.review("hq.business-department", project, stage="HQ")
    assert re_reviewed["assessment"]["state"] == "PASSED"
    approved = await flow.fire("hq.business-department", "approveProject", project["id"])
    assert approved["project"]["state"] == "APPROVED"


async def test_R_PLAN_a_high_level_needs_an_emergency_plan_and_a_letter(flow: Flow):
    project = (await flow.create())["project"]
    await flow.save("iph.researcher", project, level=4)
    await flow.submit("iph.researcher", project)
    await flow.review("iph.research-management", project)
    refused = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert "R-PLAN" in refused["message"] and "emergency response plan" in refused["message"]
    await flow.attach("iph.researcher", project["id"], "EMERGENCY_RESPONSE_PLAN")
    refused = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert "commitment letter" in refused["message"]
    await flow.attach("iph.legal-representative", project["id"], "COMMITMENT_LETTER")
    approved = await flow.fire("iph.research-management", "approveProject", project["id"])
    assert approved["project"]["state"] == "APPROVED"


# -- R-FILING, R-PERMIT, R-CHANGE -------------------------------------------------------------

FILE = """mutation($id: ID!, $v: Int!) {
  fileProject(id: $id, expectedVersion: $v, statement: "已签字") { __typename
    ... on FilingSaved { filing { id state } } ... on UserError { code message } } }"""
DECIDE = """mutation($f: ID!, $d: FilingDecision!, $c: String!) { decideFiling(filingId: $f,
  decision: $d, comment: $c) { __typename ... on FilingSaved { filing { state hqComment } }
  ... on UserError { code message } } }"""
PERMIT = """mutation($i: PermitInput!) { recordPermit(input: $i) { __typename
  ... on PermitSaved { permit { validToday } } ... on UserError { code message field } } }"""


async def test_R_FILING_implementation_waits_for_HQ_to_record_the_filing(flow: Flow):
    project = await flow.approved(internationalCooperation=True)
    assert project["filingRequired"] is True
    refused = await flow.fire("iph.researcher", "startProject", project["id"])
    assert "R-FILING" in refused["message"]
    version = (await flow.project("iph.researcher", project["id"]))["version"]
    not_signer = await flow.gql("iph.researcher", FILE, {"id": project["id"], "v": version})
    assert not_signer["fileProject"]["code"] == "FORBIDDEN"
    filed = await flow.gql("iph.legal-representative", FILE, {"id": project["id"], "v": version})
    filing = filed["fileProject"]["filing"]
    assert filing["state"] == "SUBMITTED"
    asked = await flow.gql(
        "hq.business-department",
        DECIDE,
        {"f": filing["id"], "d": "REQUIRE_ARGUMENTATION", "c": "需专家论证"},
    )
    assert asked["decideFiling"]["filing"]["state"] == "ARGUMENTATION_REQUIRED"
    still = await flow.fire("iph.researcher", "startProject", project["id"])
    assert "R-FILING" in still["message"]
    done = await flow.gql(
        "hq.business-department",
        DECIDE,
        {"f": filing["id"], "d": "APPROVE_AFTER_ARGUMENTATION", "c": "论证通过"},
    )
    assert done["decideFiling"]["filing"]["state"] == "RECORDED"
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["project"]["state"] == "IMPLEMENTING"


async def test_R_FILING_a_project_without_the_criteria_is_not_filed(flow: Flow):
    project = await flow.approved()
    version = (await flow.project("iph.researcher", project["id"]))["version"]
    refused = await flow.gql("iph.legal-representative", FILE, {"id": project["id"], "v": version})
    assert refused["fileProject"]["code"] == "TRANSITION_REFUSED"


async def test_R_PERMIT_no_start_without_a_valid_permit_and_expiry_blocks_work(
    flow: Flow, owner_engine: Any
):
    project = await flow.approved(nationalApprovalRequired=True)
    refused = await flow.fire("iph.researcher", "startProject", project["id"])
    assert "R-PERMIT" in refused["message"]
    today = clock.today()
    base = {
        "projectId": project["id"],
        "authority": "国家卫生健康委员会",
        "permitNumber": "许可-001",
        "scope": "人类遗传资源采集",
    }
    backwards = await flow.gql(
        "iph.researcher",
        PERMIT,
        {
            "i": base
            | {
                "validFrom": today.isoformat(),
                "validUntil": (today - timedelta(days=1)).isoformat(),
            }
        },
    )
    assert backwards["recordPermit"]["field"] == "validUntil"
    expired = await flow.gql(
        "iph.researcher",
        PERMIT,
        {
            "i": base
            | {
                "validFrom": (today - timedelta(days=400)).isoformat(),
                "validUntil": (today - timedelta(days=35)).isoformat(),
            }
        },
    )
    assert expired["recordPermit"]["permit"]["validToday"] is False
    assert (
        "R-PERMIT" in (await flow.fire("iph.researcher", "startProject", project["id"]))["message"]
    )
    valid = await flow.gql(
        "iph.researcher",
        PERMIT,
        {
            "i": base
            | {
                "permitNumber": "许可-002",
                "validFrom": (today - timedelta(days=1)).isoformat(),
                "validUntil": (today + timedelta(days=1)).isoformat(),
            }
        },
    )
    assert valid["recordPermit"]["permit"]["validToday"] is True
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["project"]["state"] == "IMPLEMENTING"
    # Time passes: the permit lapses, and work beyond its time limit is refused.
    async with owner_engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE permits SET valid_until = :d WHERE permit_number = '许可-002' "
                "AND project_id = CAST(:p AS uuid)"
            ),
            {"d": today - timedelta(days=1), "p": _pid(project["id"])},
        )
    blocked = await flow.fire("iph.researcher", "enterOutcomeStage", project["id"])
    assert "R-PERMIT" in blocked["message"]
    flagged = await flow.gql(
        "hq.business-department",
        "query($id: ID!) { project(id: $id) { permitLapsed } }",
        {"id": project["id"]},
    )
    assert flagged["project"]["permitLapsed"] is True


CHANGE = """mutation($id: ID!, $v: Int!, $s: Boolean!) { declareMajorChange(id: $id,
  expectedVersion: $v, description: "研究方案重大调整", suspend: $s) { __typename
  ... on ProjectSaved { project { state currentAssessment { number state } } }
  ... on UserError { code message } } }"""


async def test_R_CHANGE_suspends_until_the_re_assessment_passes(flow: Flow, owner_engine: Any):
    project = await flow.approved()
    await flow.fire("iph.researcher", "startProject", project["id"])
    version = (await flow.project("iph.researcher", project["id"]))["version"]
    by_pi = await flow.gql("iph.researcher", CHANGE, {"id": project["id"], "v": version, "s": True})
    assert by_pi["declareMajorChange"]["code"] == "FORBIDDEN"  # only the approver suspends
    changed = await flow.gql(
        "iph.research-management", CHANGE, {"id": project["id"], "v": version, "s": True}
    )
    now = changed["declareMajorChange"]["project"]
    assert now["state"] == "SUSPENDED"
    assert now["currentAssessment"] == {"number": 2, "state": "DRAFT"}
    refused = await flow.fire("iph.research-management", "resumeProject", project["id"])
    assert "R-CHANGE" in refused["message"]
    await flow.save("iph.researcher", project, level=2)
    assert (await flow.submit("iph.researcher", project))["__typename"] == "AssessmentSaved"
    await flow.review("iph.research-management", project)
    resumed = await flow.fire("iph.research-management", "resumeProject", project["id"])
    assert resumed["project"]["state"] == "IMPLEMENTING"
    async with owner_engine.connect() as conn:
        reported = await conn.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.topic == "project.major_change",
                OutboxEvent.payload["project_id"].astext == _pid(project["id"]),
            )
        )
    assert reported == 1


# -- Listing ----------------------------------------------------------------------------------

LIST = """query($f: ProjectFilter, $after: String) { projects(filter: $f, first: 2, after: $after,
  sort: TITLE, descending: false) {
    nodes { id title state } pageInfo { hasNextPage endCursor } } }"""


async def test_filters_sorting_and_pages(flow: Flow):
    marker = "筛选测试"
    made = []
    for i in range(3):
        made.append(
            (await flow.create(title=f"{marker} {i}", sensitiveFields=["DRONES"]))["project"]
        )
    seen: list[str] = []
    after = None
    while True:
        page = (
            await flow.gql(
                "iph.research-management",
                LIST,
                {
                    "f": {"search": marker, "sensitiveFields": ["DRONES"], "states": ["DRAFT"]},
                    "after": after,
                },
            )
        )["projects"]
        seen += [n["title"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"{marker} {i}" for i in range(3)]
    # The supervising branch sees them; another institute does not.
    bj = (await flow.gql("bj.supervisor", LIST, {"f": {"search": marker}}))["projects"]["nodes"]
    assert len(bj) == 2
    ioc = (await flow.gql("ioc.tenant-admin", LIST, {"f": {"search": marker}}))["projects"]
    assert ioc["nodes"] == []
    level = await flow.gql(
        "iph.research-management", LIST, {"f": {"search": marker, "levels": ["CRITICAL"]}}
    )
    assert level["projects"]["nodes"] == []


SETTINGS = """mutation($i: RiskSettingsInput!) { setRiskSettings(input: $i) { __typename
  ... on RiskSettingsSaved { matrix { size highFrom planRequiredFrom } }
  ... on UserError { code message field } } }"""


async def test_R_PLAN_thresholds_are_set_per_institute_and_new_assessments_use_them(flow: Flow):
    unit = flow.ids["IPH"]
    refused = await flow.gql("iph.researcher", SETTINGS, {"i": {"orgUnitId": unit}})
    assert refused["setRiskSettings"]["code"] == "FORBIDDEN"
    bad = await flow.gql(
        "iph.research-management",
        SETTINGS,
        {"i": {"orgUnitId": unit, "mediumFrom": 12, "highFrom": 10}},
    )
    assert bad["setRiskSettings"]["field"] == "thresholds"
    try:
        saved = await flow.gql(
            "iph.research-management",
            SETTINGS,
            {
                "i": {
                    "orgUnitId": unit,
                    "planRequiredFrom": "CRITICAL",
                    "letterRequiredFrom": "CRITICAL",
                }
            },
        )
        assert saved["setRiskSettings"]["matrix"]["planRequiredFrom"] == "CRITICAL"
        project = (await flow.create())["project"]
        await flow.save("iph.researcher", project, level=4)  # high: no plan needed here now
        await flow.submit("iph.researcher", project)
        await flow.review("iph.research-management", project)
        approved = await flow.fire("iph.research-management", "approveProject", project["id"])
        assert approved["project"]["state"] == "APPROVED"
    finally:
        await flow.gql("iph.research-management", SETTINGS, {"i": {"orgUnitId": unit}})


async def test_R_ASSESS_HQ_sees_chokepoint_exposure_across_the_academy(flow: Flow):
    project = await flow.approved()
    query = """query { chokepointExposure(sourceCountry: "日本") {
                 item sourceCountry domesticSubstitute project { id } } }"""
    hq = (await flow.gql("hq.safety-committee-office", query))["chokepointExposure"]
    assert any(e["project"]["id"] == project["id"] and e["item"] == "光刻胶" for e in hq)
    ioc = (await flow.gql("ioc.tenant-admin", query))["chokepointExposure"]
    assert all(e["project"]["id"] != project["id"] for e in ioc)


async def test_projects_filter_by_risk_category(flow: Flow):
    project = (await flow.create(title="类别筛选"))["project"]
    points = [
        {
            "category": c,
            "description": "d",
            "likelihood": 1,
            "impact": 1,
            "measures": [{"description": "m"}],
        }
        for c in CATEGORIES
        if c != "ETHICS"
    ]
    await flow.save(
        "iph.researcher",
        project,
        riskPoints=points,
        notApplicable=[{"category": "ETHICS", "reason": "不涉及"}],
    )
    query = """query($c: [RiskCategory!]) { projects(filter: {search: "类别筛选",
                 categories: $c}) { nodes { id } } }"""
    with_ethics = await flow.gql("iph.researcher", query, {"c": ["ETHICS"]})
    with_safety = await flow.gql("iph.researcher", query, {"c": ["SAFETY"]})
    assert with_ethics["projects"]["nodes"] == []
    assert [n["id"] for n in with_safety["projects"]["nodes"]] == [project["id"]]
