"""GraphQL types of incidents."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit
from server.incidents import models
from server.incidents.models import IncidentSeverity, IncidentState, UpdateKind
from server.projects.vocabulary import RiskCategory

for _enum, _name in (
    (IncidentSeverity, "IncidentSeverity"),
    (IncidentState, "IncidentState"),
    (UpdateKind, "IncidentUpdateKind"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.type
class IncidentUpdate:
    kind: UpdateKind
    text: str
    by: str
    created_at: datetime


@strawberry.type(description="The HQ coordination group's special meeting on a major incident.")
class SpecialMeeting:
    held_on: date
    minutes: str
    decisions: str
    recorded_by: str


@strawberry.type(description="An incident (事件事故, R-INCIDENT).")
class Incident(Node):
    title: str
    occurred_at: datetime
    place: str
    category: RiskCategory
    severity: IncidentSeverity
    deaths: int
    injuries: int
    losses: str
    public_opinion: str
    immediate_measures: str
    state: IncidentState
    reported_by: str
    reported_at: datetime
    reported_late: bool = strawberry.field(description="Reported after the time limit.")
    follow_up_due_at: datetime | None
    lessons_learned: str | None
    closed_at: datetime | None
    project_id: strawberry.ID | None
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, i: models.Incident) -> Incident:
        return cls(
            id=to_global_id("Incident", i.tenant_id, i.id),
            title=i.title,
            occurred_at=i.occurred_at,
            place=i.place,
            category=RiskCategory(i.category),
            severity=IncidentSeverity(i.severity),
            deaths=i.deaths,
            injuries=i.injuries,
            losses=i.losses,
            public_opinion=i.public_opinion,
            immediate_measures=i.immediate_measures,
            state=IncidentState(i.state),
            reported_by=i.reported_by_label,
            reported_at=i.reported_at,
            reported_late=i.reported_late,
            follow_up_due_at=i.follow_up_due_at,
            lessons_learned=i.lessons_learned,
            closed_at=i.closed_at,
            project_id=to_global_id("Project", i.tenant_id, i.project_id) if i.project_id else None,
            key=(i.tenant_id, i.id),
        )

    @strawberry.field(description="The unit that reported it (for branch and HQ lists).")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.key[0])
        return OrgUnit.of(unit) if unit is not None else None

    @strawberry.field(description="Follow-ups, investigation and public-opinion records.")
    async def updates(self, info: Info) -> list[IncidentUpdate]:
        rows = await info.context.loaders.updates_by_incident.load(self.key)
        return [
            IncidentUpdate(
                kind=UpdateKind(u.kind), text=u.text, by=u.by_label, created_at=u.created_at
            )
            for u in rows
        ]

    @strawberry.field
    async def special_meetings(self, info: Info) -> list[SpecialMeeting]:
        rows = await info.context.loaders.meetings_by_incident.load(self.key)
        return [
            SpecialMeeting(
                held_on=m.held_on,
                minutes=m.minutes,
                decisions=m.decisions,
                recorded_by=m.recorded_by_label,
            )
            for m in rows
        ]
