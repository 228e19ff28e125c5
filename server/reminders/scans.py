"""Scans for due and overdue work across every unit (the scheduler runs them as the system).

Each scan returns steps. A step's key names the object *and* the date that makes it due, so a
moved deadline or a renewed permit starts its reminders afresh, while the same step is never
announced twice (see `steps.fire`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.incidents.models import Incident, IncidentState
from server.inspections.inspections import INSPECTED_STATES, plan_for
from server.inspections.models import Hazard, HazardSeverity, HazardState, Inspection
from server.projects.matrix import Matrix
from server.projects.models import (
    MitigationMeasure,
    Permit,
    Project,
    RiskAssessment,
    RiskSettings,
)
from server.projects.vocabulary import MeasureStatus, ProjectState, RiskLevel

UNDER_WAY = [s.value for s in INSPECTED_STATES]

# The topics the scans announce; each has a row in the routing table (a test checks).
TOPICS = (
    "inspection.due",
    "hazard.deadline_near",
    "hazard.overdue",
    "hazard.escalated_branch",
    "hazard.escalated_hq",
    "permit.expiring",
    "permit.expired",
    "incident.follow_up_overdue",
    "measure.overdue",
)


@dataclass(frozen=True)
class Step:
    """One reminder or escalation: `key` makes it fire once; `topic` is one of TOPICS."""

    tenant_id: uuid.UUID
    key: str
    topic: str
    payload: dict[str, Any] = field(default_factory=dict)
    # R-OVERDUE: the HQ step on a major hazard is a project-handling recommendation.
    recommend_handling: bool = False


async def inspections_due(session: AsyncSession, today: date) -> list[Step]:
    """R-INSPECT: projects under way whose cadence (by overall level) says an inspection is due."""
    last = (
        select(Inspection.tenant_id, Inspection.project_id, func.max(Inspection.inspected_on))
        .group_by(Inspection.tenant_id, Inspection.project_id)
        .subquery()
    )
    rows = await session.execute(
        select(Project, RiskAssessment.overall_level, last.c[2], RiskSettings.matrix)
        .outerjoin(
            RiskAssessment,
            (RiskAssessment.tenant_id == Project.tenant_id)
            & (RiskAssessment.id == Project.current_assessment_id),
        )
        .outerjoin(
            last, (last.c.tenant_id == Project.tenant_id) & (last.c.project_id == Project.id)
        )
        .outerjoin(RiskSettings, RiskSettings.tenant_id == Project.tenant_id)
        .where(Project.state.in_(UNDER_WAY))
    )
    steps = []
    for project, level, last_on, matrix in rows:
        plan = plan_for(project, RiskLevel(level or "low"), Matrix.from_json(matrix), last_on)
        if plan is not None and plan.due_on(today):
            due = plan.next_due.isoformat()
            steps.append(
                Step(
                    project.tenant_id,
                    f"inspection.due:{project.id}:{due}",
                    "inspection.due",
                    {"project_id": str(project.id), "due": due, "level": plan.level.value},
                )
            )
    return steps


async def hazard_deadlines(session: AsyncSession, settings: Settings, today: date) -> list[Step]:
    """R-HAZARD reminders before the deadline; R-OVERDUE escalation after it: the hazard's owner
    and the institute's coordination group leader at once, the branch academy after
    ESCALATION_BRANCH_DAYS, the HQ business department after ESCALATION_HQ_DAYS."""
    rows = await session.execute(
        select(Hazard).where(
            Hazard.state != HazardState.CLOSED.value,
            Hazard.deadline.is_not(None),
            Hazard.handed_over_at.is_(None),
        )
    )
    steps = []
    for hazard in rows.scalars():
        assert hazard.deadline is not None
        deadline = hazard.deadline.isoformat()
        base = f"{hazard.id}:{deadline}"
        payload = {"hazard_id": str(hazard.id), "deadline": deadline}
        days_left = (hazard.deadline - today).days
        if 0 <= days_left <= settings.hazard_reminder_days:
            steps.append(
                Step(
                    hazard.tenant_id,
                    f"hazard.deadline_near:{base}",
                    "hazard.deadline_near",
                    payload,
                )
            )
        overdue = -days_left
        if overdue >= 1:
            late = {**payload, "days": overdue}
            steps.append(Step(hazard.tenant_id, f"hazard.overdue:{base}", "hazard.overdue", late))
        if overdue >= settings.escalation_branch_days:
            steps.append(
                Step(
                    hazard.tenant_id,
                    f"hazard.escalated_branch:{base}",
                    "hazard.escalated_branch",
                    {**payload, "days": overdue},
                )
            )
        if overdue >= settings.escalation_hq_days:
            steps.append(
                Step(
                    hazard.tenant_id,
                    f"hazard.escalated_hq:{base}",
                    "hazard.escalated_hq",
                    {**payload, "days": overdue},
                    recommend_handling=hazard.severity == HazardSeverity.MAJOR.value,
                )
            )
    return steps


async def permits(session: AsyncSession, settings: Settings, today: date) -> list[Step]:
    """R-PERMIT: the newest permit of each project under way, expiring soon or expired."""
    newest = (
        select(Permit)
        .ext(distinct_on(Permit.tenant_id, Permit.project_id))
        .order_by(Permit.tenant_id, Permit.project_id, Permit.valid_until.desc())
        .subquery()
    )
    rows = await session.execute(
        select(newest.c.tenant_id, newest.c.id, newest.c.project_id, newest.c.valid_until)
        .join(
            Project,
            (Project.tenant_id == newest.c.tenant_id) & (Project.id == newest.c.project_id),
        )
        .where(Project.state.in_([ProjectState.IMPLEMENTING.value, ProjectState.SUSPENDED.value]))
    )
    steps = []
    for tenant_id, permit_id, project_id, valid_until in rows:
        until = valid_until.isoformat()
        payload = {"project_id": str(project_id), "permit_id": str(permit_id), "valid_until": until}
        days_left = (valid_until - today).days
        if 0 <= days_left <= settings.permit_reminder_days:
            steps.append(
                Step(tenant_id, f"permit.expiring:{permit_id}", "permit.expiring", payload)
            )
        elif days_left < 0:
            steps.append(Step(tenant_id, f"permit.expired:{permit_id}", "permit.expired", payload))
    return steps


async def incident_follow_ups(session: AsyncSession, now: datetime) -> list[Step]:
    """R-INCIDENT: open incidents whose follow-up report is past its time limit."""
    rows = await session.execute(
        select(Incident.tenant_id, Incident.id, Incident.follow_up_due_at).where(
            Incident.state != IncidentState.CLOSED.value,
            Incident.follow_up_due_at.is_not(None),
            Incident.follow_up_due_at < now,
        )
    )
    return [
        Step(
            tenant_id,
            f"incident.follow_up_overdue:{incident_id}:{due.isoformat()}",
            "incident.follow_up_overdue",
            {"incident_id": str(incident_id), "due": due.isoformat(timespec="minutes")},
        )
        for tenant_id, incident_id, due in rows
        if due is not None
    ]


async def measures_past_due(session: AsyncSession, today: date) -> list[Step]:
    """R-INSPECT: mitigation measures of the current assessment not done by their due date."""
    rows = await session.execute(
        select(
            MitigationMeasure.tenant_id,
            MitigationMeasure.id,
            MitigationMeasure.due_date,
            Project.id,
        )
        .join(
            Project,
            (Project.tenant_id == MitigationMeasure.tenant_id)
            & (Project.current_assessment_id == MitigationMeasure.assessment_id),
        )
        .where(
            Project.state.in_(UNDER_WAY),
            MitigationMeasure.due_date < today,
            MitigationMeasure.status != MeasureStatus.DONE.value,
        )
    )
    return [
        Step(
            tenant_id,
            f"measure.overdue:{measure_id}:{due.isoformat()}",
            "measure.overdue",
            {"measure_id": str(measure_id), "project_id": str(project_id), "due": due.isoformat()},
        )
        for tenant_id, measure_id, due, project_id in rows
        if due is not None
    ]


async def all_due(
    session: AsyncSession, settings: Settings, today: date, now: datetime
) -> list[Step]:
    return [
        *await inspections_due(session, today),
        *await hazard_deadlines(session, settings, today),
        *await permits(session, settings, today),
        *await incident_follow_ups(session, now),
        *await measures_past_due(session, today),
    ]
