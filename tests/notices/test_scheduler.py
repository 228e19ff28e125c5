"""The scheduler's scans: reminders before deadlines, the escalation ladder after them, permits,
incident follow-ups, inspections and measures — each step fired once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from notice_support import notices_about, report_incident
from project_support import Flow, hazard_step, report_hazard
from sqlalchemy import func, select, text

from schema.relay import from_global_id
from server import clock
from server.db.engine import ALL_TENANTS, scope
from server.inspections.models import HandlingRecommendation
from server.notices.models import ScheduledStep
from server.outbox.models import OutboxEvent
from server.reminders.steps import Fired, run_once

TODAY = clock.today()
PERMIT = """mutation($i: PermitInput!) { recordPermit(input: $i) { __typename
  ... on PermitSaved { permit { validToday } } ... on UserError { code message field } } }"""


def _id(global_id: str) -> str:
    return str(from_global_id(global_id)[1][1])


async def _scan(sessions: Any, settings: Any) -> list[Fired]:
    async with sessions() as session, session.begin():
        return await run_once(session, settings)


async def _fired_for(sessions: Any, object_id: str) -> list[str]:
    """The topics of every step fired about the object, in key order."""
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        rows = await session.execute(
            select(ScheduledStep.topic)
            .where(ScheduledStep.key.contains(object_id))
            .order_by(ScheduledStep.key)
        )
        return list(rows.scalars())


async def _implementing(flow: Flow, **overrides: Any) -> dict[str, Any]:
    project = await flow.approved(**overrides)
    started = await flow.fire("iph.researcher", "startProject", project["id"])
    assert started["__typename"] == "ProjectSaved", started
    return project


async def _set_deadline(owner_engine: Any, hazard_ids: list[str], deadline: date) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(
            text("UPDATE hazards SET deadline = :d WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"d": deadline, "ids": hazard_ids},
        )


async def test_R_OVERDUE_reminder_then_the_escalation_ladder_each_step_once(
    flow, sessions, settings, owner_engine, deliver
):
    project = await _implementing(flow)
    hazards = []
    for severity in ("GENERAL", "MAJOR"):
        hazard = (await report_hazard(flow, "iph.researcher", project["id"], severity=severity))[
            "hazard"
        ]
        planned = await hazard_step(
            flow,
            "iph.safety-management",
            "planRectification",
            hazard,
            ownerId=flow.ids["iph.researcher"],
            deadline=(TODAY + timedelta(days=2)).isoformat(),
            plan="更换通风设备",
        )
        assert planned["__typename"] == "HazardSaved", planned
        hazards.append(_id(hazard["id"]))
    general, major = hazards

    # R-HAZARD: a reminder while the deadline is near, once however often the scan runs.
    await _scan(sessions, settings)
    await _scan(sessions, settings)
    assert await _fired_for(sessions, general) == ["hazard.deadline_near"]
    await deliver()
    assert ("iph.researcher", "hazard.deadline_near") in await notices_about(sessions, general)

    # Overdue by a day: the owner and the institute's coordination group leader.
    await _set_deadline(owner_engine, hazards, TODAY - timedelta(days=1))
    await _scan(sessions, settings)
    assert await _fired_for(sessions, general) == ["hazard.deadline_near", "hazard.overdue"]
    await deliver()
    told = await notices_about(sessions, general, "hazard.overdue")
    assert told == [
        ("iph.coordination-leader", "hazard.overdue"),
        ("iph.researcher", "hazard.overdue"),
    ]

    # Past ESCALATION_HQ_DAYS: the branch academy, then HQ. Two scans race, as two scheduler
    # replicas would; each step still fires once.
    await _set_deadline(
        owner_engine, hazards, TODAY - timedelta(days=settings.escalation_hq_days + 1)
    )
    await asyncio.gather(_scan(sessions, settings), _scan(sessions, settings))
    late = sorted(await _fired_for(sessions, general))
    assert late == sorted(
        ["hazard.deadline_near", "hazard.overdue", "hazard.overdue", "hazard.escalated_branch",
         "hazard.escalated_hq"]
    )  # fmt: skip
    await deliver()
    assert ("bj.supervisor", "hazard.escalated_branch") in await notices_about(sessions, general)
    assert ("hq.business-department", "hazard.escalated_hq") in await notices_about(
        sessions, general
    )
    # R-OVERDUE: for a major hazard the HQ step is a project-handling recommendation.
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        recommendations = await session.scalar(
            select(func.count())
            .select_from(HandlingRecommendation)
            .where(HandlingRecommendation.hazard_id == uuid.UUID(major))
        )
    assert recommendations == 1
    assert ("hq.business-department", "hazard.handling_recommended") in await notices_about(
        sessions, major
    )
    assert ("hq.business-department", "hazard.escalated_hq") not in await notices_about(
        sessions, major
    )
    # Nothing fires twice on later scans.
    before = await _fired_for(sessions, general) + await _fired_for(sessions, major)
    await _scan(sessions, settings)
    assert await _fired_for(sessions, general) + await _fired_for(sessions, major) == before


async def test_R_PERMIT_expiring_then_expired_permits_are_announced(
    flow, sessions, settings, owner_engine, deliver
):
    project = await flow.approved(nationalApprovalRequired=True)
    recorded = await flow.gql(
        "iph.researcher",
        PERMIT,
        {
            "i": {
                "projectId": project["id"],
                "authority": "国家卫生健康委员会",
                "permitNumber": "许可-提醒",
                "scope": "人类遗传资源采集",
                "validFrom": (TODAY - timedelta(days=10)).isoformat(),
                "validUntil": (TODAY + timedelta(days=10)).isoformat(),
            }
        },
    )
    assert recorded["recordPermit"]["permit"]["validToday"] is True
    assert (await flow.fire("iph.researcher", "startProject", project["id"]))["__typename"] == (
        "ProjectSaved"
    )
    pid = _id(project["id"])
    await _scan(sessions, settings)
    await deliver()
    told = await notices_about(sessions, pid, "permit.expiring")
    assert {u for u, _ in told} == {"iph.researcher", "iph.research-management"}
    async with owner_engine.begin() as conn:
        await conn.execute(
            text("UPDATE permits SET valid_until = :d WHERE project_id = CAST(:p AS uuid)"),
            {"d": TODAY - timedelta(days=1), "p": pid},
        )
    await _scan(sessions, settings)
    await _scan(sessions, settings)
    await deliver()
    told = await notices_about(sessions, pid, "permit.expired")
    assert {u for u, _ in told} == {
        "iph.researcher",
        "iph.research-management",
        "iph.safety-management",
    }


async def test_R_INCIDENT_a_late_follow_up_report_is_chased(
    flow, sessions, settings, owner_engine, deliver
):
    incident = await report_incident(flow, title="续报超时")
    await _scan(sessions, settings)
    assert await _fired_for(sessions, incident) == []
    async with owner_engine.begin() as conn:
        await conn.execute(
            text("UPDATE incidents SET follow_up_due_at = :t WHERE id = CAST(:i AS uuid)"),
            {"t": datetime.now(UTC) - timedelta(hours=1), "i": incident},
        )
    await _scan(sessions, settings)
    await _scan(sessions, settings)
    assert await _fired_for(sessions, incident) == ["incident.follow_up_overdue"]
    await deliver()
    told = {u for u, _ in await notices_about(sessions, incident, "incident.follow_up_overdue")}
    assert told == {"iph.safety-management", "iph.legal-representative", "bj.supervisor"}


async def test_R_INSPECT_inspections_due_and_measures_past_due(
    flow, sessions, settings, owner_engine, deliver
):
    project = await _implementing(flow)
    pid = _id(project["id"])
    await _scan(sessions, settings)
    assert await _fired_for(sessions, pid) == []
    async with owner_engine.begin() as conn:
        # Time passes: a year and more under way without an inspection, measures not done.
        await conn.execute(
            text("UPDATE projects SET state_changed_at = :t WHERE id = CAST(:p AS uuid)"),
            {"t": datetime.now(UTC) - timedelta(days=400), "p": pid},
        )
        await conn.execute(
            text(
                "UPDATE mitigation_measures SET due_date = :d WHERE assessment_id = "
                "(SELECT current_assessment_id FROM projects WHERE id = CAST(:p AS uuid))"
            ),
            {"d": TODAY - timedelta(days=1), "p": pid},
        )
    await _scan(sessions, settings)
    await _scan(sessions, settings)
    assert await _fired_for(sessions, pid) == ["inspection.due"]
    async with sessions() as session, session.begin():
        await scope(session, ALL_TENANTS)
        measures = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.topic == "measure.overdue",
                OutboxEvent.payload["project_id"].astext == pid,
            )
        )
    assert measures == 7  # one measure per category, once each
    await deliver()
    due = {u for u, _ in await notices_about(sessions, pid, "inspection.due")}
    assert due == {"iph.research-management", "iph.safety-management"}
    past = {u for u, _ in await notices_about(sessions, pid, "measure.overdue")}
    assert past == {"iph.researcher"}  # the measures' owner, who is also the PI
