"""Adversarial tenant isolation over GraphQL (ORG-INST: each institute is a tenant).

A user of one institute tries every query and mutation on another institute's objects and learns
nothing; a branch academy sees only its own institutes (ORG-BRANCH); HQ sees all (ORG-HQ).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from projects.project_support import (
    Flow,
    attach_evidence,
    hazard_step,
    report_hazard,
)
from sqlalchemy import func, select

from schema.relay import tenant_key, to_global_id
from schema.sdl import sdl
from server import clock
from server.audit.models import AuditEntry
from server.db.base import utcnow
from server.db.engine import ALL_TENANTS, scope
from server.evaluations.rubric import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS
from server.notices.models import Notice
from server.outbox.models import OutboxEvent
from server.tenancy.models import User

UNIT_IDS = "{ orgUnits(first: 100) { nodes { id code } } }"
USERS_OF = "query($id: ID!) { users(orgUnitId: $id, first: 100) { nodes { id username } } }"


PROJECT_STATE = "query($id: ID!) { project(id: $id) { state version } }"


async def _projects(flow: Flow) -> dict[str, Any]:
    """IPH projects, each in a state where its owners could fire the mutation aimed at it.

    An attack then fails only because the object is another institute's, not because the
    state machine refuses it anyway.
    """

    def ok(result: dict[str, Any]) -> None:
        assert result["__typename"] in {"ProjectSaved", "AssessmentSaved", "ReviewRecorded"}, result

    async def fire(user: str, mutation: str, project: dict[str, Any], **args: str) -> None:
        ok(await flow.fire(user, mutation, str(project["id"]), **args))

    async def file(project: dict[str, Any]) -> str:
        current = await flow.project("iph.legal-representative", str(project["id"]))
        filed = await flow.gql(
            "iph.legal-representative",
            """mutation($id: ID!, $v: Int!) { fileProject(id: $id, expectedVersion: $v,
                 statement: "所长签字") { __typename ... on FilingSaved { filing { id } } } }""",
            {"id": project["id"], "v": current["version"]},
        )
        assert filed["fileProject"]["__typename"] == "FilingSaved", filed
        return str(filed["fileProject"]["filing"]["id"])

    pi, manager = "iph.researcher", "iph.research-management"
    draft = (await flow.create())["project"]  # a complete draft: the PI may submit it
    ok(await flow.save(pi, draft))
    submitted = (await flow.create())["project"]
    ok(await flow.save(pi, submitted))
    ok(await flow.submit(pi, submitted))
    passed = (await flow.create())["project"]  # reviewed and passed: ready for approval
    ok(await flow.save(pi, passed))
    ok(await flow.submit(pi, passed))
    ok(await flow.review(manager, passed))
    approved = await flow.approved()
    to_file = await flow.approved(internationalCooperation=True)
    filed = await flow.approved(internationalCooperation=True)
    filing = await file(filed)
    implementing = await flow.approved()
    await fire(pi, "startProject", implementing)
    suspended = await flow.approved()
    await fire(pi, "startProject", suspended)
    await fire(manager, "suspendProject", suspended, reason="检查")
    outcome = await flow.approved()
    await fire(pi, "startProject", outcome)
    await fire(pi, "enterOutcomeStage", outcome)
    closing = await flow.approved()
    for mutation in ("startProject", "enterOutcomeStage", "startClosing"):
        await fire(pi, mutation, closing)
    measures = await flow.gql(
        pi,
        "query($id: ID!) { project(id: $id) { currentAssessment { state "
        "riskPoints { measures { id } } } } }",
        {"id": implementing["id"]},
    )
    assessment = measures["project"]["currentAssessment"]
    assert assessment["state"] == "PASSED"
    projects = {
        "draft": draft,
        "submitted": submitted,
        "passed": passed,
        "approved": approved,
        "to_file": to_file,
        "filed": filed,
        "implementing": implementing,
        "suspended": suspended,
        "outcome": outcome,
        "closing": closing,
    }
    # Hazards of the implementing project: one open, one awaiting verification, one closed,
    # and a major one inadequately rectified with a recommendation awaiting HQ.
    safety, manager_ = "iph.safety-management", "iph.research-management"
    owner = flow.ids[safety]
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    hazards: dict[str, Any] = {}
    for name, severity in (
        ("open", "GENERAL"),
        ("awaiting", "GENERAL"),
        ("closed", "GENERAL"),
        ("major", "MAJOR"),
    ):
        hazards[name] = (await report_hazard(flow, pi, str(implementing["id"]), severity=severity))[
            "hazard"
        ]
    for name in ("awaiting", "closed", "major"):
        h = hazards[name]
        await hazard_step(
            flow, safety, "planRectification", h, ownerId=owner, deadline=tomorrow, plan="整改"
        )
        await attach_evidence(flow, safety, h["id"])
        await hazard_step(flow, safety, "submitRectification", h, note="完成")
    await hazard_step(
        flow, manager_, "verifyRectification", hazards["closed"], adequate=True, note="合格"
    )
    await hazard_step(
        flow, manager_, "verifyRectification", hazards["major"], adequate=False, note="不到位"
    )
    rec = await flow.gql(
        "bj.supervisor",
        """mutation($h: ID!) { recommendHandling(hazardId: $h, reason: "整改不到位") {
             ... on RecommendationSaved { recommendation { id } } } }""",
        {"h": hazards["major"]["id"]},
    )
    incident = await flow.gql(
        pi,
        """mutation($u: ID!) { reportIncident(orgUnitId: $u, input: {title: "x",
             occurredAt: "2026-01-01T00:00:00+00:00", place: "x", category: SAFETY,
             severity: MAJOR, immediateMeasures: "x"}) {
             ... on IncidentSaved { incident { id } } } }""",
        {"u": flow.ids["IPH"]},
    )
    outcome = await flow.gql(
        pi,
        """mutation($p: ID!) { submitOutcome(projectId: $p, kind: PAPER, title: "x",
             channel: "x") { ... on OutcomeSaved { outcome { id } } } }""",
        {"p": implementing["id"]},
    )
    out: dict[str, Any] = {
        "outcome_release": outcome["submitOutcome"]["outcome"]["id"],
        "incident": incident["reportIncident"]["incident"]["id"],
        "hazards": {k: v["id"] for k, v in hazards.items()},
        "recommendation": rec["recommendHandling"]["recommendation"]["id"],
        "filing": filing,
        "measure": assessment["riskPoints"][0]["measures"][0]["id"],
        "project_states": {},
    }
    for name, project in projects.items():
        current = await flow.project(pi, str(project["id"]))
        out[name] = {
            "id": current["id"],
            "version": current["version"],
            "assessment": current["currentAssessment"]["id"],
            "assessment_version": current["currentAssessment"]["version"],
        }
        out["project_states"][name] = current["state"]
    return out


async def _notices(sessions, as_user, iph: str) -> dict[str, str]:
    """A notice in iph.researcher's inbox, an IPH webhook endpoint and a parked IPH event."""
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        researcher = await session.scalar(select(User).where(User.username == "iph.researcher"))
        assert researcher is not None
        notice = Notice(
            tenant_id=researcher.tenant_id,
            user_id=researcher.id,
            source_id=uuid.uuid4(),
            topic="hazard.overdue",
            params={"hazard": "通风系统故障", "deadline": "2026-01-01"},
        )
        # `project.submit` has no audience: retried by the owner, it would tell nobody.
        event = OutboxEvent(
            tenant_id=researcher.tenant_id,
            topic="project.submit",
            payload={},
            available_at=utcnow(),
            attempts=8,
            last_error="ConnectError: refused",
            failed_at=utcnow(),
        )
        session.add_all([notice, event])
        await session.flush()
        keys = {
            "notice": to_global_id("Notice", notice.tenant_id, notice.id),
            "parked_event": to_global_id("OutboxEvent", event.tenant_id, event.id),
        }
    admin = as_user("iph.tenant-admin")
    registered = await admin(
        """mutation($u: ID!) { registerWebhook(orgUnitId: $u, url: "https://hooks.iph.example/n",
             topics: []) { __typename ... on WebhookRegistered { webhookEndpoint { id } } } }""",
        {"u": iph},
    )
    webhook = registered["registerWebhook"]["webhookEndpoint"]["id"]
    # Disabled at once, so that no delivery in other tests tries to reach it; the attack is the
    # same on an active endpoint: it is found only inside IPH.
    disabled = await admin(
        "mutation($id: ID!) { disableWebhook(id: $id) { __typename } }", {"id": webhook}
    )
    assert disabled["disableWebhook"]["__typename"] == "WebhookEndpointSaved"
    return keys | {"webhook": webhook}


# A year no other test evaluates: its evaluation stays a draft here.
EVALUATED_YEAR = 2010
VALID_RUBRIC = {
    "weights": [{"statistic": k, **v} for k, v in DEFAULT_WEIGHTS.items()],
    "thresholds": DEFAULT_THRESHOLDS,
}


async def _evaluation_and_warning_list(as_user, iph: str) -> dict[str, str]:
    """A draft evaluation with IPH's rating (R-EVAL), and an IPH warning-list entry that starts
    next year (R-WARNLIST), so that it bars and flags none of the projects other tests make."""
    hq = as_user("hq.safety-committee-office")
    ran = await hq(
        """mutation($y: Int!) { runEvaluation(year: $y) { __typename
             ... on EvaluationRunSaved { run { id ratings { id orgUnit { id } } } } } }""",
        {"y": EVALUATED_YEAR},
    )
    run = ran["runEvaluation"]["run"]
    added = await hq(
        """mutation($u: ID!, $s: Date!) { addWarningListEntry(orgUnitId: $u, input: {
             subjectKind: UNIT, subjectId: $u, reason: "违规", source: VIOLATION, startsOn: $s})
           { __typename ... on WarningListEntrySaved { entry { id } } } }""",
        {"u": iph, "s": date(clock.today().year + 1, 6, 1).isoformat()},
    )
    return {
        "evaluation_run": run["id"],
        "rating": next(r["id"] for r in run["ratings"] if r["orgUnit"]["id"] == iph),
        "warning_entry": added["addWarningListEntry"]["entry"]["id"],
    }


@pytest.fixture(scope="module")
async def ids(as_user, client, tokens, sessions):
    """Global IDs of units, users, an API token, documents and projects, as HQ sees them."""
    hq = as_user("hq.platform-admin")
    units = {n["code"]: n["id"] for n in (await hq(UNIT_IDS))["orgUnits"]["nodes"]}
    users = {}
    for code in ("IPH", "IOC"):
        data = await hq(USERS_OF, {"id": units[code]})
        users.update({n["username"]: n["id"] for n in data["users"]["nodes"]})
    created = await as_user("iph.tenant-admin")(
        """mutation($u: ID!) {
             createApiToken(input: {orgUnitId: $u, name: "victim", role: RESEARCHER})
           { __typename ... on ApiTokenCreated { apiToken { id } } } }""",
        {"u": units["IPH"]},
    )
    token_id = created["createApiToken"]["apiToken"]["id"]
    flow = Flow(client, tokens)
    await flow.setup()
    dept = await as_user("iph.tenant-admin")(
        "query($id: ID!) { orgUnit(id: $id) { departments { id } } }", {"id": units["IPH"]}
    )
    leader = as_user("iph.coordination-leader")
    started = await leader(
        """mutation($u: ID!) { startUpload(input: {fileName: "plan.pdf", newDocument: {
             attachedTo: {type: ORG_UNIT, id: $u}, kind: EMERGENCY_RESPONSE_PLAN,
             sensitivity: PUBLIC, title: "预案"}}) { ... on UploadStarted {
             ticket { uploadId documentId uploadUrl } } } }""",
        {"u": units["IPH"]},
    )
    ticket = started["startUpload"]["ticket"]
    put = await leader.client.put(
        ticket["uploadUrl"],
        content=b"%PDF-1.4\n%%EOF\n",
        headers={"authorization": f"Bearer {leader.token}"},
    )
    assert put.status_code == 201, put.text
    pending = await leader(
        """mutation($d: ID!) { startUpload(input: {fileName: "v2.pdf", documentId: $d}) {
             ... on UploadStarted { ticket { uploadId } } } }""",
        {"d": ticket["documentId"]},
    )
    versions = await leader(
        "query($d: ID!) { document(id: $d) { versions { id } } }", {"d": ticket["documentId"]}
    )
    notices = await _notices(sessions, as_user, units["IPH"])
    evaluation = await _evaluation_and_warning_list(as_user, units["IPH"])
    return {
        "document": ticket["documentId"],
        "version": versions["document"]["versions"][0]["id"],
        "upload": pending["startUpload"]["ticket"]["uploadId"],
        "units": units,
        "users": users,
        "token": token_id,
        "dept": dept["orgUnit"]["departments"][0]["id"],
        **notices,
        **evaluation,
    } | await _projects(flow)


# Every mutation, aimed at IPH's objects. The test below checks that this list is complete.
FOREIGN_MUTATIONS = {
    "createOrgUnit": (
        'mutation($p: ID!) { createOrgUnit(input: {kind: INSTITUTE, code: "X1", '
        'name: "x", parentId: $p}) { __typename } }',
        lambda i: {"p": i["units"]["BJ"]},
    ),
    "updateOrgUnit": (
        'mutation($id: ID!) { updateOrgUnit(input: {id: $id, name: "pwned"}) { __typename } }',
        lambda i: {"id": i["units"]["IPH"]},
    ),
    "createDepartment": (
        'mutation($u: ID!) { createDepartment(orgUnitId: $u, name: "x") { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "createUser": (
        'mutation($u: ID!) { createUser(input: {orgUnitId: $u, username: "smuggled", '
        'displayName: "x", password: "Very-Long-Passw0rd"}) { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "updateUser": (
        'mutation($id: ID!) { updateUser(input: {id: $id, displayName: "pwned"}) { __typename } }',
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "setUserDisabled": (
        "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { __typename } }",
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "setPassword": (
        "mutation($id: ID!) { setPassword(input: {userId: $id, newPassword: "
        '"Another-Passw0rd-1"}) { __typename } }',
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "grantRole": (
        "mutation($id: ID!) { grantRole(userId: $id, role: TENANT_ADMIN) { __typename } }",
        lambda i: {"id": i["users"]["iph.researcher"]},
    ),
    "revokeRole": (
        "mutation($id: ID!) { revokeRole(userId: $id, role: TENANT_ADMIN) { __typename } }",
        lambda i: {"id": i["users"]["iph.tenant-admin"]},
    ),
    "createApiToken": (
        'mutation($u: ID!) { createApiToken(input: {orgUnitId: $u, name: "x", '
        "role: RESEARCHER}) { __typename } }",
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "startUpload": (
        'mutation($d: ID!) { startUpload(input: {fileName: "x.pdf", documentId: $d}) '
        "{ __typename } }",
        lambda i: {"d": i["document"]},
    ),
    "confirmUpload": (
        "mutation($u: ID!) { confirmUpload(uploadId: $u) { __typename } }",
        lambda i: {"u": i["upload"]},
    ),
    "createDownloadLink": (
        "mutation($v: ID!) { createDownloadLink(versionId: $v) { __typename } }",
        lambda i: {"v": i["version"]},
    ),
    "withdrawDocumentVersion": (
        'mutation($v: ID!) { withdrawDocumentVersion(versionId: $v, reason: "x") { __typename } }',
        lambda i: {"v": i["version"]},
    ),
    "revokeApiToken": (
        "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }",
        lambda i: {"id": i["token"]},
    ),
    # Projects (R-OWN): every transition, review, filing, permit and measure of IPH's projects.
    "setRiskSettings": (
        "mutation($u: ID!) { setRiskSettings(input: {orgUnitId: $u, size: 3, mediumFrom: 2, "
        "highFrom: 4, criticalFrom: 6}) { __typename } }",
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "createProject": (
        "mutation($u: ID!, $d: ID!, $pi: ID!) { createProject(orgUnitId: $u, input: "
        '{title: "smuggled", departmentId: $d, principalInvestigatorId: $pi, '
        'startDate: "2025-01-01", endDate: "2026-01-01"}) { __typename } }',
        lambda i: {"u": i["units"]["IPH"], "d": i["dept"], "pi": i["users"]["iph.researcher"]},
    ),
    "updateProject": (
        "mutation($id: ID!, $v: Int!, $d: ID!, $pi: ID!) { updateProject(id: $id, "
        'expectedVersion: $v, input: {title: "pwned", departmentId: $d, '
        'principalInvestigatorId: $pi, startDate: "2025-01-01", endDate: "2026-01-01"}) '
        "{ __typename } }",
        lambda i: {
            "id": i["draft"]["id"],
            "v": i["draft"]["version"],
            "d": i["dept"],
            "pi": i["users"]["iph.researcher"],
        },
    ),
    "saveAssessment": (
        "mutation($a: ID!, $v: Int!) { saveAssessment(input: {assessmentId: $a, "
        "expectedVersion: $v}) { __typename } }",
        lambda i: {"a": i["draft"]["assessment"], "v": i["draft"]["assessment_version"]},
    ),
    "submitProject": (
        "mutation($a: ID!, $v: Int) { submitProject(assessmentId: $a, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"a": i["draft"]["assessment"], "v": i["draft"]["version"]},
    ),
    "recordReview": (
        "mutation($a: ID!) { recordReview(input: {assessmentId: $a, stage: INSTITUTE, "
        'method: ADMINISTRATIVE, opinionAccuracy: "x", opinionMeasures: "x", '
        "decision: PASS}) { __typename } }",
        lambda i: {"a": i["submitted"]["assessment"]},
    ),
    "approveProject": (
        "mutation($id: ID!, $v: Int!) { approveProject(id: $id, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"id": i["passed"]["id"], "v": i["passed"]["version"]},
    ),
    "fileProject": (
        "mutation($id: ID!, $v: Int!) { fileProject(id: $id, expectedVersion: $v, "
        'statement: "x") { __typename } }',
        lambda i: {"id": i["to_file"]["id"], "v": i["to_file"]["version"]},
    ),
    "decideFiling": (
        "mutation($f: ID!) { decideFiling(filingId: $f, decision: RECORD) { __typename } }",
        lambda i: {"f": i["filing"]},
    ),
    "recordPermit": (
        'mutation($p: ID!) { recordPermit(input: {projectId: $p, authority: "x", '
        'permitNumber: "1", scope: "x", validFrom: "2025-01-01", validUntil: "2035-01-01"}) '
        "{ __typename } }",
        lambda i: {"p": i["implementing"]["id"]},
    ),
    "startProject": (
        "mutation($id: ID!, $v: Int!) { startProject(id: $id, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"id": i["approved"]["id"], "v": i["approved"]["version"]},
    ),
    "suspendProject": (
        "mutation($id: ID!, $v: Int!) { suspendProject(id: $id, expectedVersion: $v, "
        'reason: "x") { __typename } }',
        lambda i: {"id": i["implementing"]["id"], "v": i["implementing"]["version"]},
    ),
    "resumeProject": (
        "mutation($id: ID!, $v: Int!) { resumeProject(id: $id, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"id": i["suspended"]["id"], "v": i["suspended"]["version"]},
    ),
    "enterOutcomeStage": (
        "mutation($id: ID!, $v: Int!) { enterOutcomeStage(id: $id, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"id": i["implementing"]["id"], "v": i["implementing"]["version"]},
    ),
    "startClosing": (
        "mutation($id: ID!, $v: Int!) { startClosing(id: $id, expectedVersion: $v) "
        "{ __typename } }",
        lambda i: {"id": i["outcome"]["id"], "v": i["outcome"]["version"]},
    ),
    "closeProject": (
        "mutation($id: ID!, $v: Int!) { closeProject(id: $id, expectedVersion: $v, "
        'summary: "x") { __typename } }',
        lambda i: {"id": i["closing"]["id"], "v": i["closing"]["version"]},
    ),
    "terminateProject": (
        "mutation($id: ID!, $v: Int!) { terminateProject(id: $id, expectedVersion: $v, "
        'reason: "x") { __typename } }',
        lambda i: {"id": i["submitted"]["id"], "v": i["submitted"]["version"]},
    ),
    "declareMajorChange": (
        "mutation($id: ID!, $v: Int!) { declareMajorChange(id: $id, expectedVersion: $v, "
        'description: "x", suspend: true) { __typename } }',
        lambda i: {"id": i["implementing"]["id"], "v": i["implementing"]["version"]},
    ),
    "recordInspection": (
        'mutation($p: ID!, $m: ID!) { recordInspection(projectId: $p, inspectedOn: "2026-01-01", '
        'summary: "x", checks: [{measureId: $m, result: IMPLEMENTED}]) { __typename } }',
        lambda i: {"p": i["implementing"]["id"], "m": i["measure"]},
    ),
    "reportIncident": (
        'mutation($u: ID!) { reportIncident(orgUnitId: $u, input: {title: "x", '
        'occurredAt: "2026-01-01T00:00:00+00:00", place: "x", category: SAFETY, '
        'severity: GENERAL, immediateMeasures: "x"}) { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "addIncidentUpdate": (
        'mutation($i: ID!) { addIncidentUpdate(incidentId: $i, kind: FOLLOW_UP, text: "x") '
        "{ __typename } }",
        lambda i: {"i": i["incident"]},
    ),
    "recordSpecialMeeting": (
        'mutation($i: ID!) { recordSpecialMeeting(incidentId: $i, heldOn: "2026-01-02", '
        'minutes: "x", decisions: "x") { __typename } }',
        lambda i: {"i": i["incident"]},
    ),
    "closeIncident": (
        'mutation($i: ID!) { closeIncident(incidentId: $i, lessonsLearned: "x") { __typename } }',
        lambda i: {"i": i["incident"]},
    ),
    "submitOutcome": (
        'mutation($p: ID!) { submitOutcome(projectId: $p, kind: PAPER, title: "x", channel: "x") '
        "{ __typename } }",
        lambda i: {"p": i["implementing"]["id"]},
    ),
    "reviewOutcome": (
        "mutation($o: ID!) { reviewOutcome(outcomeId: $o, aspect: SECRECY, verdict: FIT, "
        'opinion: "x") { __typename } }',
        lambda i: {"o": i["outcome_release"]},
    ),
    "decideOutcomeRelease": (
        "mutation($o: ID!) { decideOutcomeRelease(outcomeId: $o, decision: NOT_FOR_RELEASE, "
        'note: "x") { __typename } }',
        lambda i: {"o": i["outcome_release"]},
    ),
    "reportHazard": (
        'mutation($p: ID!) { reportHazard(projectId: $p, title: "x", description: "x", '
        "severity: MAJOR) { __typename } }",
        lambda i: {"p": i["implementing"]["id"]},
    ),
    "planRectification": (
        "mutation($h: ID!, $o: ID!) { planRectification(hazardId: $h, expectedVersion: 1, "
        'ownerId: $o, deadline: "2099-01-01", plan: "x") { __typename } }',
        lambda i: {"h": i["hazards"]["open"], "o": i["users"]["iph.researcher"]},
    ),
    "submitRectification": (
        'mutation($h: ID!) { submitRectification(hazardId: $h, expectedVersion: 1, note: "x") '
        "{ __typename } }",
        lambda i: {"h": i["hazards"]["open"]},
    ),
    "verifyRectification": (
        "mutation($h: ID!) { verifyRectification(hazardId: $h, expectedVersion: 1, "
        'adequate: true, note: "x") { __typename } }',
        lambda i: {"h": i["hazards"]["awaiting"]},
    ),
    "reopenHazard": (
        'mutation($h: ID!) { reopenHazard(hazardId: $h, expectedVersion: 1, reason: "x") '
        "{ __typename } }",
        lambda i: {"h": i["hazards"]["closed"]},
    ),
    "handOverHazard": (
        'mutation($h: ID!) { handOverHazard(hazardId: $h, expectedVersion: 1, reason: "x") '
        "{ __typename } }",
        lambda i: {"h": i["hazards"]["open"]},
    ),
    "superviseHazard": (
        'mutation($h: ID!) { superviseHazard(hazardId: $h, comment: "x") { __typename } }',
        lambda i: {"h": i["hazards"]["open"]},
    ),
    "recommendHandling": (
        'mutation($h: ID!) { recommendHandling(hazardId: $h, reason: "x") { __typename } }',
        lambda i: {"h": i["hazards"]["major"]},
    ),
    "decideHandling": (
        "mutation($r: ID!) { decideHandling(recommendationId: $r, decision: SUSPEND_PROJECT, "
        'note: "x") { __typename } }',
        lambda i: {"r": i["recommendation"]},
    ),
    "setMeasureStatus": (
        "mutation($m: ID!) { setMeasureStatus(measureId: $m, status: DONE) { __typename } }",
        lambda i: {"m": i["measure"]},
    ),
    # Notices: an IPH person's notice, IPH's webhook endpoints, a parked IPH event.
    "markNoticesRead": (
        "mutation($n: ID!) { markNoticesRead(ids: [$n]) { __typename } }",
        lambda i: {"n": i["notice"]},
    ),
    "registerWebhook": (
        'mutation($u: ID!) { registerWebhook(orgUnitId: $u, url: "https://evil.example/hook", '
        "topics: []) { __typename } }",
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "disableWebhook": (
        "mutation($id: ID!) { disableWebhook(id: $id) { __typename } }",
        lambda i: {"id": i["webhook"]},
    ),
    "retryEvent": (
        "mutation($id: ID!) { retryEvent(id: $id) { __typename } }",
        lambda i: {"id": i["parked_event"]},
    ),
    # The evaluation (R-EVAL) is HQ's, outside an institute's tenants; IPH's rating, its
    # warning-list entry and its rewards (R-WARNLIST, R-REWARD) are IPH's.
    "saveRubric": (
        "mutation($i: RubricInput!) { saveRubric(input: $i) { __typename } }",
        lambda i: {"i": VALID_RUBRIC},
    ),
    "runEvaluation": (
        "mutation($y: Int!) { runEvaluation(year: $y) { __typename } }",
        lambda i: {"y": EVALUATED_YEAR},
    ),
    "adjustRating": (
        'mutation($id: ID!) { adjustRating(id: $id, level: RED, reason: "pwned") { __typename } }',
        lambda i: {"id": i["rating"]},
    ),
    "publishEvaluation": (
        "mutation($id: ID!) { publishEvaluation(runId: $id) { __typename } }",
        lambda i: {"id": i["evaluation_run"]},
    ),
    "addWarningListEntry": (
        "mutation($u: ID!) { addWarningListEntry(orgUnitId: $u, input: {subjectKind: UNIT, "
        'subjectId: $u, reason: "pwned", source: VIOLATION, ban: true}) { __typename } }',
        lambda i: {"u": i["units"]["IPH"]},
    ),
    "changeWarningListEntry": (
        "mutation($id: ID!) { changeWarningListEntry(id: $id, endsOn: null, ban: true, "
        'reason: "pwned") { __typename } }',
        lambda i: {"id": i["warning_entry"]},
    ),
    "liftWarningListEntry": (
        'mutation($id: ID!) { liftWarningListEntry(id: $id, reason: "pwned") { __typename } }',
        lambda i: {"id": i["warning_entry"]},
    ),
    "addReward": (
        "mutation($u: ID!) { addReward(orgUnitId: $u, input: {recipientKind: UNIT, "
        'recipientId: $u, reason: MEASURES, citation: "pwned", awardedOn: "2025-01-01"}) '
        "{ __typename } }",
        lambda i: {"u": i["units"]["IPH"]},
    ),
}
# Only HQ runs the evaluation and keeps the warning list and rewards (ORG-HQ-DUTY, R-EVAL,
# R-WARNLIST, R-REWARD): what the institute itself and its branch academy get instead. The
# evaluation is HQ's, outside their tenants; the list and rewards of IPH they can see.
HQ_ONLY_MUTATIONS = {
    "saveRubric": "NotFoundError",
    "runEvaluation": "NotFoundError",
    "adjustRating": "NotFoundError",
    "publishEvaluation": "NotFoundError",
    "addWarningListEntry": "ForbiddenError",
    "changeWarningListEntry": "ForbiddenError",
    "liftWarningListEntry": "ForbiddenError",
    "addReward": "ForbiddenError",
}
SIGN_IN_MUTATIONS = {"login", "refresh", "logout"}
# Mutations that take no ID to aim at another institute: they act on the caller's own rows only
# (checked by their own test below).
OWN_ONLY_MUTATIONS = {"markAllNoticesRead"}
# Mutations that change HQ's rules for every unit, aimed at no unit: an institute is refused
# with a reason (the rules are no secret: every unit reads them) and nothing changes.
HQ_RULE_MUTATIONS = {
    "setIndicatorThresholds": (
        'mutation { setIndicatorThresholds(indicator: "incidents_90_days", '
        "thresholds: {red: 1000}) { __typename } }"
    ),
}


def test_every_mutation_is_attacked():
    import re

    block = sdl().split("type Mutation {", 1)[1].split("\n}", 1)[0]
    names = set(re.findall(r"^\s+(\w+)\(", block, re.M))
    unaimed = SIGN_IN_MUTATIONS | OWN_ONLY_MUTATIONS | set(HQ_RULE_MUTATIONS)
    assert names - unaimed == set(FOREIGN_MUTATIONS)


async def _audit_count(owner_engine) -> int:
    async with owner_engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.mark.parametrize("attacker", ["ioc.tenant-admin", "ioc.researcher"])
@pytest.mark.parametrize("name", sorted(FOREIGN_MUTATIONS))
async def test_ORG_INST_foreign_institute_mutation_is_not_found(
    as_user, ids, owner_engine, attacker, name
):
    query, variables = FOREIGN_MUTATIONS[name]
    before = await _audit_count(owner_engine)
    data = await as_user(attacker)(query, variables(ids))
    result = data[name]["__typename"]
    assert result == "NotFoundError", (name, data)
    assert await _audit_count(owner_engine) == before


@pytest.mark.parametrize("attacker", ["iph.legal-representative", "bj.supervisor"])
@pytest.mark.parametrize("name", sorted(HQ_ONLY_MUTATIONS))
async def test_ORG_HQ_DUTY_the_unit_and_its_branch_cannot_evaluate_or_list(
    as_user, ids, owner_engine, attacker, name
):
    query, variables = FOREIGN_MUTATIONS[name]
    before = await _audit_count(owner_engine)
    data = await as_user(attacker)(query, variables(ids))
    assert data[name]["__typename"] == HQ_ONLY_MUTATIONS[name], (name, data)
    assert await _audit_count(owner_engine) == before


@pytest.mark.parametrize("attacker", ["ioc.tenant-admin", "ioc.researcher"])
async def test_ORG_INST_mark_all_notices_read_touches_only_the_callers_inbox(
    as_user, ids, sessions, attacker
):
    data = await as_user(attacker)("mutation { markAllNoticesRead { __typename } }")
    assert data["markAllNoticesRead"]["__typename"] == "NoticesMarked"
    tenant_id, notice_id = tenant_key(ids["notice"], "Notice")
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        notice = await session.get(Notice, (tenant_id, notice_id))
        assert notice is not None and notice.read_at is None


@pytest.mark.parametrize("attacker", ["ioc.tenant-admin", "iph.legal-representative"])
@pytest.mark.parametrize("name", sorted(HQ_RULE_MUTATIONS))
async def test_ORG_HQ_rule_mutations_are_refused_to_institutes(
    as_user, owner_engine, attacker, name
):
    before = await _audit_count(owner_engine)
    data = await as_user(attacker)(HQ_RULE_MUTATIONS[name])
    assert data[name]["__typename"] == "ForbiddenError", data
    assert await _audit_count(owner_engine) == before


async def test_ORG_INST_foreign_institute_queries_learn_nothing(as_user, ids):
    ioc = as_user("ioc.tenant-admin")
    units = ids["units"]
    assert (await ioc("query($id: ID!) { orgUnit(id: $id) { name } }", {"id": units["IPH"]}))[
        "orgUnit"
    ] is None
    assert (
        await ioc(
            "query($id: ID!) { user(id: $id) { username } }", {"id": ids["users"]["iph.researcher"]}
        )
    )["user"] is None
    listed = await ioc(UNIT_IDS)
    assert {n["code"] for n in listed["orgUnits"]["nodes"]} == {"IOC"}
    everyone = await ioc("{ users(first: 100) { nodes { username } } }")
    assert all(n["username"].startswith("ioc.") for n in everyone["users"]["nodes"])
    # Listing another institute's users by ID: an error that says only "not found".
    response = await ioc.post(USERS_OF, {"id": units["IPH"]})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "IPH" not in response.text and "物理" not in response.text
    # An unknown ID and a foreign ID look the same.
    unknown = await ioc.post(USERS_OF, {"id": units["IPH"][:-2] + "AA"})
    assert unknown.json()["errors"][0]["message"] in {
        body["errors"][0]["message"],
        "No object has this ID.",
    }


async def test_ORG_INST_data_unchanged_after_attacks(as_user, ids):
    data = await as_user("iph.tenant-admin")(
        "query($id: ID!) { user(id: $id) { displayName disabled roles { role } } }",
        {"id": ids["users"]["iph.researcher"]},
    )
    assert data["user"]["disabled"] is False
    assert data["user"]["displayName"] != "pwned"
    assert [r["role"] for r in data["user"]["roles"]] == ["RESEARCHER"]
    manager = as_user("iph.research-management")
    for name, state in ids["project_states"].items():
        project = (await manager(PROJECT_STATE, {"id": ids[name]["id"]}))["project"]
        assert project == {"state": state, "version": ids[name]["version"]}, name
    hq = as_user("hq.safety-committee-office")
    runs = (await hq("{ evaluationRuns { id state } }"))["evaluationRuns"]
    assert {"id": ids["evaluation_run"], "state": "DRAFT"} in runs
    ratings = (
        await hq(
            "query($y: Int!, $u: ID) { ratings(year: $y, orgUnitId: $u) { id level "
            "computedLevel adjustedReason } }",
            {"y": EVALUATED_YEAR, "u": ids["units"]["IPH"]},
        )
    )["ratings"]
    assert [(r["id"], r["adjustedReason"]) for r in ratings] == [(ids["rating"], None)]
    assert ratings[0]["level"] == ratings[0]["computedLevel"]
    entries = (
        await hq(
            "query($u: ID!) { warningList(filter: {orgUnitId: $u}, first: 100) { nodes { id "
            "reason ban liftedAt history { action } } } }",
            {"u": ids["units"]["IPH"]},
        )
    )["warningList"]["nodes"]
    assert all(e["reason"] != "pwned" for e in entries)
    entry = next(e for e in entries if e["id"] == ids["warning_entry"])
    assert (entry["ban"], entry["liftedAt"]) == (False, None)
    assert entry["history"] == [{"action": "added"}]
    rewards = await hq(
        "query($u: ID!) { rewards(orgUnitId: $u, first: 100) { nodes { citation } } }",
        {"u": ids["units"]["IPH"]},
    )
    assert all(r["citation"] != "pwned" for r in rewards["rewards"]["nodes"])


async def test_ORG_BRANCH_supervisor_sees_only_its_own_institutes(as_user, ids):
    bj = as_user("bj.supervisor")
    codes = {n["code"] for n in (await bj(UNIT_IDS))["orgUnits"]["nodes"]}
    assert codes == {"BJ", "IPH", "IAU"}
    users = await bj("{ users(first: 100) { nodes { username orgUnit { code } } } }")
    assert {n["orgUnit"]["code"] for n in users["users"]["nodes"]} == {"BJ", "IPH", "IAU"}
    assert (
        await bj(
            "query($id: ID!) { user(id: $id) { username } }", {"id": ids["users"]["ioc.researcher"]}
        )
    )["user"] is None
    # Supervising is not managing: a branch cannot change an institute's people.
    data = await bj(FOREIGN_MUTATIONS["updateUser"][0], {"id": ids["users"]["iph.researcher"]})
    assert data["updateUser"]["__typename"] == "ForbiddenError"


async def test_ORG_HQ_sees_every_unit(as_user):
    for username in ("hq.safety-committee-office", "hq.business-department"):
        codes = {n["code"] for n in (await as_user(username)(UNIT_IDS))["orgUnits"]["nodes"]}
        assert {"HQ", "BJ", "SH", "IPH", "IAU", "IOC", "IMS"} <= codes


async def test_ORG_INST_node_query_hides_foreign_objects(as_user, ids):
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    ioc = as_user("ioc.tenant-admin")
    for foreign in (
        ids["units"]["IPH"],
        ids["users"]["iph.researcher"],
        ids["token"],
        ids["document"],
        ids["version"],
        ids["draft"]["id"],
        ids["implementing"]["id"],
        ids["draft"]["assessment"],
        ids["filing"],
        ids["measure"],
        "garbage",
    ):
        assert (await ioc(query, {"id": foreign}))["node"] is None
    # The project IDs are real: HQ, which supervises every institute, finds them.
    hq = as_user("hq.safety-committee-office")
    for name in ("draft", "implementing"):
        found = await hq(query, {"id": ids[name]["id"]})
        assert found["node"] == {"__typename": "Project", "id": ids[name]["id"]}
    own = await ioc(query, {"id": ids["users"]["ioc.researcher"]})
    assert own["node"] == {"__typename": "User", "id": ids["users"]["ioc.researcher"]}
