"""Projects: proposal, details and team, listing, and firing lifecycle transitions.

Assessments, reviews, filing, permits and major changes have modules of their own beside this
one; every transition of the state machine goes through `fire()`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.errors import Forbidden, InvalidInput, NotFound
from server.pagination import Page, paginate
from server.projects import lifecycle
from server.projects.access import ProjectAccess, check_version, load
from server.projects.facts import gather
from server.projects.matrix import Matrix
from server.projects.models import (
    Project,
    ProjectMember,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from server.projects.vocabulary import (
    AssessmentState,
    ProjectState,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)
from server.tenancy.models import Department, OrgUnit, User
from server.tenancy.roles import UnitKind


@dataclass(frozen=True)
class ProjectInput:
    title: str
    department_id: uuid.UUID
    pi_user_id: uuid.UUID
    start_date: date
    end_date: date
    summary: str = ""
    member_ids: Sequence[uuid.UUID] = ()
    deployed_by_hq: bool = False
    hq_department: str | None = None
    funding_source: str = ""
    research_fields: Sequence[str] = ()
    sensitive_fields: Sequence[SensitiveField] = ()
    international_cooperation: bool = False
    national_filing_required: bool = False
    national_approval_required: bool = False
    major_impact: bool = False


@dataclass(frozen=True)
class ProjectFilter:
    states: Sequence[ProjectState] = ()
    levels: Sequence[RiskLevel] = ()
    categories: Sequence[RiskCategory] = ()
    sensitive_fields: Sequence[SensitiveField] = ()
    any_sensitive: bool | None = None
    deployed_by_hq: bool | None = None
    unit_ids: Sequence[uuid.UUID] = ()
    search: str | None = None


SORT_KEYS = {"created": Project.created_at, "title": Project.title, "start": Project.start_date}


@dataclass(frozen=True)
class Sort:
    key: str = "created"
    descending: bool = True


# ---------------------------------------------------------------------------------------------
# Proposal and details


async def matrix_for(session: AsyncSession, tenant_id: uuid.UUID) -> Matrix:
    row = await session.scalar(select(RiskSettings).where(RiskSettings.tenant_id == tenant_id))
    return Matrix.from_json(row.matrix if row else None)


async def _validate(
    session: AsyncSession, tenant_id: uuid.UUID, data: ProjectInput
) -> tuple[str, list[uuid.UUID]]:
    title = data.title.strip()
    if not 1 <= len(title) <= 200:
        raise InvalidInput("Give a title of 1 to 200 characters.", field="title")
    if data.end_date < data.start_date:
        raise InvalidInput("The project ends before it starts.", field="endDate")
    if await session.get(Department, (tenant_id, data.department_id)) is None:
        raise InvalidInput("No such department in the undertaking institute.", field="departmentId")
    members = list(dict.fromkeys(m for m in data.member_ids if m != data.pi_user_id))
    people = {data.pi_user_id, *members}
    found = set(
        (
            await session.execute(
                select(User.id).where(
                    User.tenant_id == tenant_id, User.id.in_(people), User.disabled.is_(False)
                )
            )
        ).scalars()
    )
    if data.pi_user_id not in found:
        raise InvalidInput(
            "The principal investigator must be a person of the undertaking institute.",
            field="piUserId",
        )
    if people - found:
        raise InvalidInput(
            "Every member must be a person of the undertaking institute.", field="memberIds"
        )
    if data.deployed_by_hq and not (data.hq_department or "").strip():
        raise InvalidInput("Name the HQ business department that deploys it.", field="hqDepartment")
    for name in data.research_fields:
        if not 1 <= len(name.strip()) <= 100:
            raise InvalidInput("A research field has 1 to 100 characters.", field="researchFields")
    return title, members


async def create_project(
    session: AsyncSession, principal: Principal, *, unit_id: uuid.UUID, data: ProjectInput
) -> Project:
    """A proposal in draft, with an empty first assessment on the institute's current matrix."""
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    authorize(principal, "create", Target("project", unit_id))
    if unit.kind != UnitKind.INSTITUTE.value:
        raise InvalidInput("Projects are undertaken by institutes.", field="orgUnitId")
    title, members = await _validate(session, unit_id, data)
    project = Project(
        tenant_id=unit_id,
        title=title,
        summary=data.summary.strip(),
        department_id=data.department_id,
        pi_user_id=data.pi_user_id,
        deployed_by_hq=data.deployed_by_hq,
        hq_department=(data.hq_department or "").strip() or None,
        funding_source=data.funding_source.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        research_fields=[f.strip() for f in data.research_fields],
        sensitive_fields=sorted({f.value for f in data.sensitive_fields}),
        international_cooperation=data.international_cooperation,
        national_filing_required=data.national_filing_required,
        national_approval_required=data.national_approval_required,
        major_impact=data.major_impact,
        state=ProjectState.DRAFT.value,
        state_changed_at=utcnow(),
        created_by=principal.actor_id,
    )
    session.add(project)
    await session.flush()
    session.add_all(
        ProjectMember(tenant_id=unit_id, project_id=project.id, user_id=m) for m in members
    )
    assessment = RiskAssessment(
        tenant_id=unit_id,
        project_id=project.id,
        number=1,
        state=AssessmentState.DRAFT.value,
        matrix=(await matrix_for(session, unit_id)).to_json(),
        not_applicable={},
        created_by=principal.actor_id,
    )
    session.add(assessment)
    await session.flush()
    project.current_assessment_id = assessment.id
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=unit_id,
        action="project.create",
        object_type="project",
        object_id=project.id,
        changes=_details(project, members),
    )
    return project


def _details(project: Project, members: Sequence[uuid.UUID]) -> dict[str, object]:
    return {
        "title": project.title,
        "pi": project.pi_user_id,
        "members": list(members),
        "department": project.department_id,
        "deployed_by_hq": project.deployed_by_hq,
        "sensitive_fields": project.sensitive_fields,
        "dates": [project.start_date, project.end_date],
        "flags": {
            "international_cooperation": project.international_cooperation,
            "national_filing_required": project.national_filing_required,
            "national_approval_required": project.national_approval_required,
            "major_impact": project.major_impact,
        },
    }


async def update_project(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    expected_version: int,
    data: ProjectInput,
) -> Project:
    """Details change only before review (draft or returned), by the undertakers."""
    access = await load(session, principal, tenant_id, project_id, action="edit", for_update=True)
    project = access.project
    check_version(project, expected_version)
    if ProjectState(project.state) not in {ProjectState.DRAFT, ProjectState.RETURNED}:
        raise InvalidInput(
            f"A project that is {project.state} cannot be edited; declare a major change instead.",
            field="id",
        )
    title, members = await _validate(session, tenant_id, data)
    project.title = title
    project.summary = data.summary.strip()
    project.department_id = data.department_id
    project.pi_user_id = data.pi_user_id
    project.deployed_by_hq = data.deployed_by_hq
    project.hq_department = (data.hq_department or "").strip() or None
    project.funding_source = data.funding_source.strip()
    project.start_date, project.end_date = data.start_date, data.end_date
    project.research_fields = [f.strip() for f in data.research_fields]
    project.sensitive_fields = sorted({f.value for f in data.sensitive_fields})
    project.international_cooperation = data.international_cooperation
    project.national_filing_required = data.national_filing_required
    project.national_approval_required = data.national_approval_required
    project.major_impact = data.major_impact
    current = set(access.members)
    wanted = set(members)
    for user_id in wanted - current:
        session.add(ProjectMember(tenant_id=tenant_id, project_id=project.id, user_id=user_id))
    if current - wanted:
        for row in (
            await session.execute(
                select(ProjectMember).where(
                    ProjectMember.tenant_id == tenant_id,
                    ProjectMember.project_id == project.id,
                    ProjectMember.user_id.in_(current - wanted),
                )
            )
        ).scalars():
            await session.delete(row)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="project.update",
        object_type="project",
        object_id=project.id,
        changes=_details(project, members),
    )
    return project


async def get_project(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, project_id: uuid.UUID
) -> Project:
    return (await load(session, principal, tenant_id, project_id)).project


async def list_projects(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ProjectFilter,
    sort: Sort,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[Project]:
    """Projects the principal may read; row-level security bounds the tenants."""
    stmt: Select[Project] = select(Project)
    if filters.states:
        stmt = stmt.where(Project.state.in_([s.value for s in filters.states]))
    if filters.unit_ids:
        stmt = stmt.where(Project.tenant_id.in_(filters.unit_ids))
    if filters.deployed_by_hq is not None:
        stmt = stmt.where(Project.deployed_by_hq.is_(filters.deployed_by_hq))
    if filters.sensitive_fields:
        stmt = stmt.where(
            Project.sensitive_fields.overlap([f.value for f in filters.sensitive_fields])
        )
    if filters.any_sensitive is not None:
        has_any = func.cardinality(Project.sensitive_fields) > 0
        stmt = stmt.where(has_any if filters.any_sensitive else ~has_any)
    if filters.levels:
        stmt = stmt.where(
            exists().where(
                RiskAssessment.tenant_id == Project.tenant_id,
                RiskAssessment.id == Project.current_assessment_id,
                RiskAssessment.overall_level.in_([lv.value for lv in filters.levels]),
            )
        )
    if filters.categories:
        # Projects whose current assessment has risk points in these categories.
        stmt = stmt.where(
            exists().where(
                RiskPoint.tenant_id == Project.tenant_id,
                RiskPoint.assessment_id == Project.current_assessment_id,
                RiskPoint.category.in_([c.value for c in filters.categories]),
            )
        )
    if filters.search:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", filters.search.strip()) + "%"
        stmt = stmt.where(or_(Project.title.ilike(pattern), Project.summary.ilike(pattern)))
    if sort.key not in SORT_KEYS:
        raise InvalidInput(f"Sort by one of {', '.join(SORT_KEYS)}.", field="sort")
    page = await paginate(
        session,
        stmt,
        SORT_KEYS[sort.key],
        first=first,
        after=after,
        max_size=max_size,
        descending=sort.descending,
        tiebreak=Project.id,
    )
    # Reading a project needs no R-OWN relation, so the gate decides per tenant, not per row.
    return page.keep(lambda p: is_allowed(principal, "read", Target("project", p.tenant_id)))


# ---------------------------------------------------------------------------------------------
# Transitions


@dataclass
class Fired:
    project: Project
    transition: lifecycle.Transition


async def fire(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    name: str,
    *,
    expected_version: int | None,
    reason: str | None = None,
) -> Fired:
    """Fire one transition of the table: allowed from here, permitted to you, guard holds."""
    transition = lifecycle.TRANSITIONS[name]
    access = await load(session, principal, tenant_id, project_id, for_update=True)
    return await apply(
        session, principal, access, transition, expected_version=expected_version, reason=reason
    )


async def apply(
    session: AsyncSession,
    principal: Principal,
    access: ProjectAccess,
    transition: lifecycle.Transition,
    *,
    expected_version: int | None,
    reason: str | None = None,
    authorize_action: bool = True,
) -> Fired:
    project = access.project
    check_version(project, expected_version)
    state = ProjectState(project.state)
    if state not in transition.sources:
        allowed = lifecycle.allowed_from(state)
        raise lifecycle.NotAllowed(transition.name, state, allowed)
    if authorize_action:
        authorize(principal, transition.action, access)
    if transition.name == "resume":
        # Who suspended lifts: HQ's suspension only by HQ; HQ, outside projects it deploys,
        # lifts only its own.
        if project.suspended_by_hq and not principal.sees_all:
            raise Forbidden("HQ suspended this project (R-OVERDUE); only HQ lifts the suspension.")
        if (
            not project.suspended_by_hq
            and principal.sees_all
            and "approver" not in access.relations_to(principal)
            and not principal.system
        ):
            raise Forbidden("The approving body suspended this project; it lifts the suspension.")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 4000:
        raise InvalidInput("The reason may have at most 4000 characters.", field="reason")
    if transition.guard is not None:
        refusal = transition.guard(await gather(session, project, reason_given=reason is not None))
        if refusal is not None:
            raise lifecycle.GuardFailed(transition.name, refusal)
    previous = project.state
    project.state = transition.target.value
    project.state_changed_at = utcnow()
    project.state_reason = reason
    if transition.name in ("suspend", "resume"):
        project.suspended_by_hq = transition.name == "suspend" and principal.sees_all
    if transition.name == "close":
        project.closure_summary = reason  # R-CLOSE: the summary of the project's risk work
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=project.tenant_id,
        action=f"project.{transition.name}",
        object_type="project",
        object_id=project.id,
        changes={"state": [previous, project.state], "reason": reason},
    )
    await outbox.emit(
        session,
        tenant_id=project.tenant_id,
        topic=f"project.{transition.name}",
        payload={
            "project_id": str(project.id),
            "from": previous,
            "to": project.state,
            "by": str(principal.actor_id) if principal.actor_id else None,
        },
    )
    return Fired(project, transition)
