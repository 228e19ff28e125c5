"""Early-warning indicators (监测预警): signals open at the right level, escalate as the value
grows, de-escalate and clear as it falls, keep their history, tell the people the routing table
names, and an evaluation over unchanged data changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from notice_support import notices_about
from project_support import Flow, report_hazard
from signal_support import (
    count_signal_rows,
    owner_sql,
    run_evaluation,
    signal_events,
    signals_of,
    uid,
)

from server import clock
from server.signals.evaluation import evaluate
from server.signals.models import SignalEventKind

TODAY = clock.today()
PERMIT = """mutation($i: PermitInput!) { recordPermit(input: $i) { __typename
  ... on PermitSaved { permit { validToday } } ... on UserError { code message field } } }"""


async def _implementing(flow: Flow, **overrides: Any) -> dict[str, Any]:
    project = await flow.approved(**overrides)
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["__typename"] == "ProjectSaved", started
    return project


async def _told(sessions: Any, subject_id: str, topic: str) -> set[str]:
    return {u for u, _ in await notices_about(sessions, subject_id, topic)}


PROJECT_PEOPLE = {"iph.research-management", "iph.researcher", "iph.safety-management"}


async def test_R_OVERDUE_project_signal_opens_escalates_clears_and_keeps_its_history(
    flow, sessions, owner_engine, deliver
):
    project = await _implementing(flow)
    pid = uid(project["id"])
    hazards = [
        uid((await report_hazard(flow, "iph.researcher", project["id"]))["hazard"]["id"])
        for _ in range(3)
    ]
    set_deadline = "UPDATE hazards SET deadline = :d WHERE id = ANY(CAST(:ids AS uuid[]))"
    await owner_sql(owner_engine, set_deadline, d=TODAY + timedelta(days=5), ids=hazards)
    await run_evaluation(sessions)
    assert await signals_of(sessions, pid, "overdue_rectifications_project") == []

    # One rectification late: blue, told to those who manage and undertake the project and
    # to the unit's safety management; not yet to the branch academy.
    await owner_sql(owner_engine, set_deadline, d=TODAY - timedelta(days=1), ids=hazards[:1])
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "overdue_rectifications_project")
    assert (signal.state, signal.level, signal.value) == ("open", "blue", 1)
    [(topic, payload)] = await signal_events(sessions, signal.id)
    assert topic == "signal.opened"
    assert payload["project_id"] == pid and payload["level"] == "blue"
    await deliver()
    assert await _told(sessions, pid, "signal.opened") == PROJECT_PEOPLE

    # All three late: orange, and now the branch academy hears of it too.
    await owner_sql(owner_engine, set_deadline, d=TODAY - timedelta(days=3), ids=hazards)
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "overdue_rectifications_project")
    assert (signal.level, signal.value) == ("orange", 3)
    await deliver()
    assert await _told(sessions, pid, "signal.escalated") == PROJECT_PEOPLE | {"bj.supervisor"}

    # Evaluating again with nothing changed writes nothing and emits nothing.
    before = await count_signal_rows(owner_engine)
    again = await run_evaluation(sessions)
    assert again.ran and again.changes == ()
    assert await count_signal_rows(owner_engine) == before

    # Rectified in time after all: the signal clears, and its history stays.
    await owner_sql(owner_engine, set_deadline, d=TODAY + timedelta(days=30), ids=hazards)
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "overdue_rectifications_project")
    assert signal.state == "cleared"
    assert signal.history == [
        ("opened", "blue", 1),
        ("escalated", "orange", 3),
        ("cleared", "orange", 0),
    ]
    topics = [t for t, _ in await signal_events(sessions, signal.id)]
    assert topics == ["signal.opened", "signal.escalated", "signal.cleared"]
    await deliver()
    assert await _told(sessions, pid, "signal.cleared") == PROJECT_PEOPLE | {"bj.supervisor"}

    # A new breach opens a new signal; the cleared one stays as it was.
    await owner_sql(owner_engine, set_deadline, d=TODAY - timedelta(days=1), ids=hazards[:2])
    await run_evaluation(sessions)
    old, new = await signals_of(sessions, pid, "overdue_rectifications_project")
    assert (old.state, new.state, new.level, new.value) == ("cleared", "open", "yellow", 2)


async def test_R_INSPECT_measures_past_due_escalate_and_de_escalate_without_a_notice(
    flow, sessions, owner_engine
):
    project = await _implementing(flow)
    pid = uid(project["id"])
    by_project = (
        "UPDATE mitigation_measures SET due_date = :d, status = :s WHERE assessment_id = "
        "(SELECT current_assessment_id FROM projects WHERE id = CAST(:p AS uuid))"
    )
    # All seven measures (one per category) past due: orange (5 ≤ 7 < 8).
    await owner_sql(owner_engine, by_project, d=TODAY - timedelta(days=2), s="planned", p=pid)
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "measures_past_due")
    assert (signal.level, signal.value) == ("orange", 7)
    # Five of them done: blue. A lower level is kept in the history but tells nobody.
    await owner_sql(
        owner_engine,
        "UPDATE mitigation_measures SET status = 'done' WHERE id IN (SELECT m.id FROM "
        "mitigation_measures m JOIN projects p ON p.tenant_id = m.tenant_id AND "
        "p.current_assessment_id = m.assessment_id WHERE p.id = CAST(:p AS uuid) "
        "ORDER BY m.position, m.id LIMIT 5)",
        p=pid,
    )
    result = await run_evaluation(sessions)
    assert [c.kind for c in result.changes if str(c.subject_id) == pid] == [
        SignalEventKind.DE_ESCALATED
    ]
    [signal] = await signals_of(sessions, pid, "measures_past_due")
    assert (signal.level, signal.value) == ("blue", 2)
    assert signal.history == [("opened", "orange", 7), ("de_escalated", "blue", 2)]
    assert [t for t, _ in await signal_events(sessions, signal.id)] == ["signal.opened"]


async def test_R_PERMIT_expiring_then_expired_then_renewed(flow, sessions, owner_engine, deliver):
    project = await flow.approved(nationalApprovalRequired=True)
    recorded = await flow.gql(
        "iph.researcher",
        PERMIT,
        {
            "i": {
                "projectId": project["id"],
                "authority": "国家卫生健康委员会",
                "permitNumber": "许可-预警",
                "scope": "人类遗传资源采集",
                "validFrom": (TODAY - timedelta(days=10)).isoformat(),
                "validUntil": (TODAY + timedelta(days=10)).isoformat(),
            }
        },
    )
    assert recorded["recordPermit"]["permit"]["validToday"] is True
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["__typename"] == "ProjectSaved"
    pid = uid(project["id"])
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "permit_lapse")
    assert (signal.level, signal.value) == ("blue", -10)  # ten days left: within 30

    move = "UPDATE permits SET valid_until = :d WHERE project_id = CAST(:p AS uuid)"
    await owner_sql(owner_engine, move, d=TODAY - timedelta(days=1), p=pid)
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "permit_lapse")
    assert (signal.level, signal.value) == ("orange", 1)  # expired yesterday
    await deliver()
    assert "bj.supervisor" in await _told(sessions, pid, "signal.escalated")

    await owner_sql(owner_engine, move, d=TODAY + timedelta(days=365), p=pid)
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "permit_lapse")
    assert signal.state == "cleared"
    assert signal.history[-1] == ("cleared", "orange", -365)


async def test_R_SENSITIVE_R_INSPECT_sensitive_project_past_its_inspection_cadence(
    flow, sessions, owner_engine
):
    sensitive = (await flow.create(sensitiveFields=["DRONES"]))["project"]
    await flow.save("iph.researcher", sensitive)
    await flow.submit("iph.researcher", sensitive)
    await flow.review("iph.research-management", sensitive)
    await flow.review("iph.coordination-leader", sensitive, stage="COORDINATION")
    approved = await flow.fire("iph.research-management", "approveProject", sensitive["id"])
    assert approved["project"]["state"] == "APPROVED", approved
    await flow.fire("iph.researcher", "startProject", sensitive["id"])
    ordinary = await _implementing(flow)
    ids = [uid(sensitive["id"]), uid(ordinary["id"])]
    await run_evaluation(sessions)
    assert await signals_of(sessions, ids[0], "sensitive_inspection_overdue") == []

    # 400 days under way without an inspection: the plan (a low level: every 12 months) was
    # due weeks ago.
    await owner_sql(
        owner_engine,
        "UPDATE projects SET state_changed_at = :t WHERE id = ANY(CAST(:ids AS uuid[]))",
        t=datetime.now(UTC) - timedelta(days=400),
        ids=ids,
    )
    plan = await flow.gql(
        "iph.safety-management",
        "query($id: ID!) { project(id: $id) { inspectionPlan { nextDue due } } }",
        {"id": sensitive["id"]},
    )
    next_due = date.fromisoformat(plan["project"]["inspectionPlan"]["nextDue"])
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, ids[0], "sensitive_inspection_overdue")
    assert signal.value == (TODAY - next_due).days
    assert 30 <= signal.value < 60 and signal.level == "orange"
    # The same neglect of a project outside the sensitive fields raises nothing here.
    assert await signals_of(sessions, ids[1], "sensitive_inspection_overdue") == []

    # Inspected today: the cadence starts again and the signal clears.
    await owner_sql(
        owner_engine,
        "INSERT INTO inspections (tenant_id, id, project_id, assessment_id, inspected_on, "
        "inspector_label, inspector_unit_kind, summary, created_at) SELECT tenant_id, "
        "gen_random_uuid(), id, current_assessment_id, :d, '测试', 'institute', '检查', now() "
        "FROM projects WHERE id = CAST(:p AS uuid)",
        d=TODAY,
        p=ids[0],
    )
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, ids[0], "sensitive_inspection_overdue")
    assert signal.state == "cleared"


async def test_R_GATE_project_under_way_without_a_complete_assessment_trail(
    flow, sessions, owner_engine
):
    project = await _implementing(flow)
    pid = uid(project["id"])
    await run_evaluation(sessions)
    assert await signals_of(sessions, pid, "assessment_trail_incomplete") == []
    current = "(SELECT current_assessment_id FROM projects WHERE id = CAST(:p AS uuid))"

    # Its passing review withdrawn behind the application's back: the trail is incomplete.
    await owner_sql(
        owner_engine, f"UPDATE reviews SET decision = 'return' WHERE assessment_id = {current}",
        p=pid,
    )  # fmt: skip
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "assessment_trail_incomplete")
    assert (signal.level, signal.value) == ("yellow", 1)

    # And the assessment itself not passed, opened three weeks ago: orange.
    await owner_sql(
        owner_engine,
        f"UPDATE risk_assessments SET state = 'submitted', created_at = :t WHERE id = {current}",
        t=datetime.now(UTC) - timedelta(days=20),
        p=pid,
    )
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "assessment_trail_incomplete")
    assert (signal.level, signal.value) == ("orange", 21)

    await owner_sql(
        owner_engine,
        f"UPDATE risk_assessments SET state = 'passed' WHERE id = {current}",
        p=pid,
    )
    await owner_sql(
        owner_engine, f"UPDATE reviews SET decision = 'pass' WHERE assessment_id = {current}",
        p=pid,
    )  # fmt: skip
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "assessment_trail_incomplete")
    assert signal.state == "cleared"
    assert [k for k, _, _ in signal.history] == ["opened", "escalated", "cleared"]


async def test_a_closed_project_clears_its_day_measures_without_a_value(
    flow, sessions, owner_engine
):
    """A subject the indicator no longer watches (the project is closed) is cleared; its last
    value is kept on the signal and the history says it was no longer measured."""
    project = await _implementing(flow)
    pid = uid(project["id"])
    await owner_sql(
        owner_engine,
        "UPDATE reviews SET decision = 'return' WHERE assessment_id = (SELECT "
        "current_assessment_id FROM projects WHERE id = CAST(:p AS uuid))",
        p=pid,
    )
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "assessment_trail_incomplete")
    assert signal.state == "open"
    await owner_sql(
        owner_engine, "UPDATE projects SET state = 'closed' WHERE id = CAST(:p AS uuid)", p=pid
    )
    await run_evaluation(sessions)
    [signal] = await signals_of(sessions, pid, "assessment_trail_incomplete")
    assert (signal.state, signal.value) == ("cleared", 1)
    assert signal.history[-1] == ("cleared", "yellow", None)


async def test_two_evaluations_at_once_take_turns(sessions):
    """Scheduler replicas: while one evaluation holds the advisory lock, another skips."""
    async with sessions() as first, first.begin():
        held = await evaluate(first)
        assert held.ran
        async with sessions() as second, second.begin():
            skipped = await evaluate(second)
        assert not skipped.ran and skipped.changes == ()
    after = await run_evaluation(sessions)
    assert after.ran
