"""Incidents (R-INCIDENT): the report reaches the branch academy and the HQ Safety Committee
Office at once (an outbox event in the same transaction); follow-ups, investigation and
public-opinion records; a special meeting of the HQ group for major ones; closure with lessons."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, clock, outbox, validation
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.config import Settings
from server.db.base import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.incidents.models import (
    Incident,
    IncidentSeverity,
    IncidentState,
    IncidentUpdate,
    SpecialMeeting,
    UpdateKind,
)
from server.projects.models import Project
from server.projects.vocabulary import RiskCategory
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind

# Who may add which kind of record (gate actions).
UPDATE_ACTION = {
    UpdateKind.FOLLOW_UP: "follow_up",
    UpdateKind.INVESTIGATION: "investigate",
    UpdateKind.PUBLIC_OPINION: "monitor_opinion",
    UpdateKind.FALSE_STATEMENT: "monitor_opinion",
}
MAJOR = {IncidentSeverity.MAJOR, IncidentSeverity.ESPECIALLY_MAJOR}


@dataclass(frozen=True)
class IncidentReport:
    title: str
    occurred_at: datetime
    place: str
    category: RiskCategory
    severity: IncidentSeverity
    immediate_measures: str
    deaths: int = 0
    injuries: int = 0
    losses: str = ""
    public_opinion: str = ""
    project_id: uuid.UUID | None = None


async def report_incident(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    *,
    unit_id: uuid.UUID,
    report: IncidentReport,
) -> Incident:
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    authorize(principal, "report", Target("incident", unit_id))
    if unit.kind != UnitKind.INSTITUTE.value:
        raise InvalidInput(
            "Incidents are reported by the institute where they happen.", field="orgUnitId"
        )
    now = utcnow()
    if report.occurred_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", field="occurredAt")
    if report.occurred_at > now + timedelta(minutes=5):
        raise InvalidInput("The incident time is in the future.", field="occurredAt")
    if report.deaths < 0 or report.injuries < 0:
        raise InvalidInput("Casualties are counted from zero.", field="deaths")
    if report.project_id is not None:
        project = await session.get(Project, (unit_id, report.project_id))
        if project is None:
            raise NotFound("No such project in this institute.", field="projectId")
    incident = Incident(
        tenant_id=unit_id,
        project_id=report.project_id,
        title=validation.text(report.title, "title", max_len=200),
        occurred_at=report.occurred_at,
        place=validation.text(report.place, "place", max_len=200),
        category=report.category.value,
        severity=report.severity.value,
        deaths=report.deaths,
        injuries=report.injuries,
        losses=validation.text(report.losses, "losses", required=False, max_len=8000),
        public_opinion=validation.text(
            report.public_opinion, "publicOpinion", required=False, max_len=8000
        ),
        immediate_measures=validation.text(
            report.immediate_measures, "immediateMeasures", max_len=8000
        ),
        state=IncidentState.REPORTED.value,
        reported_by_label=principal.label,
        reported_at=now,
        report_limit_hours=settings.incident_report_hours[report.severity.value],
        follow_up_due_at=now + timedelta(hours=settings.incident_follow_up_hours),
    )
    session.add(incident)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=unit_id,
        action="incident.report",
        object_type="incident",
        object_id=incident.id,
        changes={
            "title": incident.title,
            "severity": incident.severity,
            "occurred_at": incident.occurred_at,
            "category": incident.category,
            "late": incident.reported_late,
        },
    )
    payload = {
        "incident_id": str(incident.id),
        "severity": incident.severity,
        "branch_id": str(unit.parent_id),
        "late": incident.reported_late,
    }
    # At once, up the chain: the branch academy and the HQ Safety Committee Office.
    await outbox.emit(session, tenant_id=unit_id, topic="incident.reported", payload=payload)
    if report.severity in MAJOR:
        await outbox.emit(session, tenant_id=unit_id, topic="incident.major", payload=payload)
    return incident


async def load_incident(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    incident_id: uuid.UUID,
    *,
    action: str = "read",
) -> Incident:
    incident = await session.get(
        Incident, (tenant_id, incident_id), with_for_update=action != "read"
    )
    if incident is None:
        raise NotFound("No such incident.")
    authorize(principal, "read", incident)
    if action != "read":
        authorize(principal, action, incident)
    return incident


async def add_update(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    tenant_id: uuid.UUID,
    incident_id: uuid.UUID,
    *,
    kind: UpdateKind,
    text: str,
) -> IncidentUpdate:
    incident = await load_incident(
        session, principal, tenant_id, incident_id, action=UPDATE_ACTION[kind]
    )
    if incident.state == IncidentState.CLOSED.value:
        raise Conflict("The incident is closed.", field="incidentId")
    row = IncidentUpdate(
        tenant_id=tenant_id,
        incident_id=incident.id,
        kind=kind.value,
        text=validation.text(text, "text", max_len=8000),
        by_label=principal.label,
    )
    session.add(row)
    if kind is UpdateKind.INVESTIGATION:
        incident.state = IncidentState.INVESTIGATING.value
    if kind is UpdateKind.FOLLOW_UP:
        incident.follow_up_due_at = utcnow() + timedelta(hours=settings.incident_follow_up_hours)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action=f"incident.{kind.value}",
        object_type="incident",
        object_id=incident.id,
        changes={"text": row.text},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic=f"incident.{kind.value}",
        payload={"incident_id": str(incident.id)},
    )
    return row


async def record_special_meeting(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    incident_id: uuid.UUID,
    *,
    held_on: date,
    minutes: str,
    decisions: str,
) -> SpecialMeeting:
    incident = await load_incident(
        session, principal, tenant_id, incident_id, action="hold_special_meeting"
    )
    if IncidentSeverity(incident.severity) not in MAJOR:
        raise Conflict(
            "Special meetings of the HQ group are for major incidents.", field="incidentId"
        )
    if held_on > clock.today():
        raise InvalidInput("Record a meeting after it was held.", field="heldOn")
    row = SpecialMeeting(
        tenant_id=tenant_id,
        incident_id=incident.id,
        held_on=held_on,
        minutes=validation.text(minutes, "minutes", max_len=8000),
        decisions=validation.text(decisions, "decisions", max_len=8000),
        recorded_by_label=principal.label,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="incident.special_meeting",
        object_type="incident",
        object_id=incident.id,
        changes={"held_on": held_on, "decisions": row.decisions},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="incident.special_meeting",
        payload={"incident_id": str(incident.id)},
    )
    return row


async def close_incident(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    incident_id: uuid.UUID,
    *,
    lessons_learned: str,
) -> Incident:
    incident = await load_incident(session, principal, tenant_id, incident_id, action="close")
    if incident.state == IncidentState.CLOSED.value:
        raise Conflict("The incident is closed already.", field="incidentId")
    if IncidentSeverity(incident.severity) in MAJOR:
        met = await session.scalar(
            select(SpecialMeeting.id)
            .where(SpecialMeeting.tenant_id == tenant_id, SpecialMeeting.incident_id == incident.id)
            .limit(1)
        )
        if met is None:
            raise Conflict(
                "A major incident is closed after the HQ group's special meeting.",
                field="incidentId",
            )
    incident.lessons_learned = validation.text(lessons_learned, "lessonsLearned", max_len=8000)
    incident.state = IncidentState.CLOSED.value
    incident.closed_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="incident.close",
        object_type="incident",
        object_id=incident.id,
        changes={"lessons_learned": incident.lessons_learned},
    )
    return incident


@dataclass(frozen=True)
class IncidentFilter:
    severities: tuple[IncidentSeverity, ...] = ()
    states: tuple[IncidentState, ...] = ()
    unit_ids: tuple[uuid.UUID, ...] = ()


def filtered(filters: IncidentFilter) -> Select[Incident]:
    stmt: Select[Incident] = select(Incident)
    if filters.severities:
        stmt = stmt.where(Incident.severity.in_([s.value for s in filters.severities]))
    if filters.states:
        stmt = stmt.where(Incident.state.in_([s.value for s in filters.states]))
    if filters.unit_ids:
        stmt = stmt.where(Incident.tenant_id.in_(filters.unit_ids))
    return stmt


def may_read(principal: Principal, incident: Incident) -> bool:
    return is_allowed(principal, "read", incident)
