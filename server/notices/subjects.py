"""What an event is about, loaded once from its payload: the unit, and where named the project,
hazard, incident or measure. Audiences and message texts both read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.incidents.models import Incident
from server.inspections.models import Hazard
from server.projects.models import MitigationMeasure, Project, ProjectMember
from server.tenancy.models import OrgUnit


@dataclass
class Subject:
    unit: OrgUnit
    project: Project | None = None
    members: tuple[uuid.UUID, ...] = ()
    hazard: Hazard | None = None
    incident: Incident | None = None
    measure: MitigationMeasure | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def reference(self) -> tuple[str, uuid.UUID, uuid.UUID]:
        """The node a notice links to: the most specific object named."""
        for kind, obj in (("hazard", self.hazard), ("incident", self.incident)):
            if obj is not None:
                return kind, obj.tenant_id, obj.id
        if self.project is not None:
            return "project", self.project.tenant_id, self.project.id
        return "org_unit", self.unit.id, self.unit.id

    def params(self) -> dict[str, Any]:
        """Plain values for the message texts; kept on the notice so it renders later."""
        params: dict[str, Any] = {
            k: v for k, v in self.payload.items() if isinstance(v, str | int | float | bool)
        }
        params["unit"] = self.unit.name
        params["unit_en"] = self.unit.name_en or self.unit.name
        if self.project is not None:
            params["project"] = self.project.title
        if self.hazard is not None:
            params["hazard"] = self.hazard.title
            params["severity"] = self.hazard.severity
            if self.hazard.deadline is not None:
                params.setdefault("deadline", self.hazard.deadline.isoformat())
        if self.incident is not None:
            params["incident"] = self.incident.title
            params["severity"] = self.incident.severity
        if self.measure is not None:
            params["measure"] = self.measure.description[:200]
        return params


def _uuid(payload: dict[str, Any], key: str) -> uuid.UUID | None:
    raw = payload.get(key)
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def load(session: AsyncSession, tenant_id: uuid.UUID, payload: dict[str, Any]) -> Subject:
    unit = await session.get(OrgUnit, tenant_id)
    if unit is None:
        raise LookupError(f"org unit {tenant_id} not found")
    subject = Subject(unit=unit, payload=payload)
    if hazard_id := _uuid(payload, "hazard_id"):
        subject.hazard = await session.get(Hazard, (tenant_id, hazard_id))
    if incident_id := _uuid(payload, "incident_id"):
        subject.incident = await session.get(Incident, (tenant_id, incident_id))
    if measure_id := _uuid(payload, "measure_id"):
        subject.measure = await session.get(MitigationMeasure, (tenant_id, measure_id))
    project_id = _uuid(payload, "project_id") or (
        subject.hazard.project_id if subject.hazard else None
    )
    if project_id is None and subject.incident is not None:
        project_id = subject.incident.project_id
    if project_id is not None:
        subject.project = await session.get(Project, (tenant_id, project_id))
    if subject.project is not None:
        rows = await session.execute(
            select(ProjectMember.user_id).where(
                ProjectMember.tenant_id == tenant_id,
                ProjectMember.project_id == subject.project.id,
            )
        )
        subject.members = tuple(rows.scalars())
    return subject
