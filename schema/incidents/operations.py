"""Queries and mutations of incidents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.incidents.types import Incident
from schema.relay import Connection, connection, from_global_id, tenant_key
from server.errors import NotFound
from server.incidents import service
from server.incidents.models import Incident as IncidentRow
from server.incidents.models import IncidentSeverity, IncidentState, UpdateKind
from server.pagination import paginate
from server.projects.vocabulary import RiskCategory


@strawberry.input
class IncidentInput:
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
    project_id: strawberry.ID | None = None


@strawberry.input
class IncidentFilter:
    severities: list[IncidentSeverity] | None = None
    states: list[IncidentState] | None = None
    org_unit_ids: list[strawberry.ID] | None = None


@strawberry.type
class IncidentSaved:
    incident: Incident


IncidentResult = Annotated[IncidentSaved | MutationError, strawberry.union("IncidentResult")]


async def _saved(info: Info, tenant_id: uuid.UUID, incident_id: uuid.UUID) -> IncidentSaved:
    row = await service.load_incident(
        info.context.session, info.context.principal, tenant_id, incident_id
    )
    return IncidentSaved(incident=Incident.of(row))


async def incidents(
    info: Info, filter: IncidentFilter | None = None, first: int = 50, after: str | None = None
) -> Connection[Incident]:
    """Newest first; an institute sees its own, a branch its institutes', HQ all."""
    ctx = info.context
    f = filter or IncidentFilter()
    stmt = service.filtered(
        service.IncidentFilter(
            severities=tuple(f.severities or ()),
            states=tuple(f.states or ()),
            unit_ids=tuple(from_global_id(u, "OrgUnit")[1][0] for u in f.org_unit_ids or ()),
        )
    )
    page = await paginate(
        ctx.session,
        stmt,
        IncidentRow.occurred_at,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
        descending=True,
        tiebreak=IncidentRow.id,
    )
    return connection(page.keep(lambda i: service.may_read(ctx.principal, i)), Incident.of)


async def incident(info: Info, id: strawberry.ID) -> Incident | None:
    try:
        tenant_id, incident_id = tenant_key(id, "Incident")
        row = await service.load_incident(
            info.context.session, info.context.principal, tenant_id, incident_id
        )
        return Incident.of(row)
    except NotFound:
        return None


@strawberry.type
class IncidentsQuery:
    incidents: Connection[Incident] = strawberry.field(resolver=incidents)
    incident: Incident | None = strawberry.field(resolver=incident)


@strawberry.type
class IncidentsMutation:
    @strawberry.mutation(description="Report an incident: the branch and HQ are told at once.")
    async def report_incident(
        self, info: Info, org_unit_id: strawberry.ID, input: IncidentInput
    ) -> IncidentResult:
        ctx = info.context

        async def work() -> IncidentSaved:
            _, (unit_id,) = from_global_id(org_unit_id, "OrgUnit")
            project = None
            if input.project_id:
                p_tenant, project = from_global_id(input.project_id, "Project")[1]
                if p_tenant != unit_id:
                    raise NotFound("No such project in this institute.", field="projectId")
            row = await service.report_incident(
                ctx.session,
                ctx.principal,
                ctx.settings,
                unit_id=unit_id,
                report=service.IncidentReport(
                    title=input.title,
                    occurred_at=input.occurred_at,
                    place=input.place,
                    category=input.category,
                    severity=input.severity,
                    immediate_measures=input.immediate_measures,
                    deaths=input.deaths,
                    injuries=input.injuries,
                    losses=input.losses,
                    public_opinion=input.public_opinion,
                    project_id=project,
                ),
            )
            return IncidentSaved(incident=Incident.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="A follow-up report, investigation note or opinion record.")
    async def add_incident_update(
        self, info: Info, incident_id: strawberry.ID, kind: UpdateKind, text: str
    ) -> IncidentResult:
        ctx = info.context

        async def work() -> IncidentSaved:
            tenant_id, iid = tenant_key(incident_id, "Incident")
            await service.add_update(
                ctx.session, ctx.principal, ctx.settings, tenant_id, iid, kind=kind, text=text
            )
            return await _saved(info, tenant_id, iid)

        return await run_mutation(info, work)

    @strawberry.mutation(description="The HQ group's special meeting on a major incident.")
    async def record_special_meeting(
        self, info: Info, incident_id: strawberry.ID, held_on: date, minutes: str, decisions: str
    ) -> IncidentResult:
        ctx = info.context

        async def work() -> IncidentSaved:
            tenant_id, iid = tenant_key(incident_id, "Incident")
            await service.record_special_meeting(
                ctx.session,
                ctx.principal,
                tenant_id,
                iid,
                held_on=held_on,
                minutes=minutes,
                decisions=decisions,
            )
            return await _saved(info, tenant_id, iid)

        return await run_mutation(info, work)

    @strawberry.mutation(description="Close an incident with its lessons learned.")
    async def close_incident(
        self, info: Info, incident_id: strawberry.ID, lessons_learned: str
    ) -> IncidentResult:
        ctx = info.context

        async def work() -> IncidentSaved:
            tenant_id, iid = tenant_key(incident_id, "Incident")
            row = await service.close_incident(
                ctx.session, ctx.principal, tenant_id, iid, lessons_learned=lessons_learned
            )
            return IncidentSaved(incident=Incident.of(row))

        return await run_mutation(info, work)
