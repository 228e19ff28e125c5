"""Risk assessments (R-ASSESS): the seven categories, risk points, measures, dependencies.

An assessment is edited as a whole while it is a draft (the form is one document), versioned per
project, and frozen once submitted. A returned or re-opened assessment continues as a new
version, so every version that was reviewed stays as it was reviewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox, validation
from server.auth.principal import Principal
from server.db.base import new_id, utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.projects import lifecycle
from server.projects.access import ProjectAccess, load
from server.projects.facts import completeness_problems
from server.projects.matrix import Matrix
from server.projects.models import (
    ChokepointDependency,
    MitigationMeasure,
    Project,
    RiskAssessment,
    RiskPoint,
)
from server.projects.service import apply
from server.projects.vocabulary import (
    AssessmentState,
    MeasureStatus,
    ProjectState,
    RiskCategory,
    RiskLevel,
)
from server.tenancy.models import User

ITEM_KINDS = {"technology", "material", "equipment"}


@dataclass(frozen=True)
class MeasureInput:
    description: str
    owner_user_id: uuid.UUID | None = None
    due_date: date | None = None
    status: MeasureStatus = MeasureStatus.PLANNED


@dataclass(frozen=True)
class RiskPointInput:
    category: RiskCategory
    description: str
    likelihood: int
    impact: int
    consequences: str = ""
    measures: Sequence[MeasureInput] = ()


@dataclass(frozen=True)
class DependencyInput:
    item: str
    item_kind: str
    source_country: str
    supplier: str = ""
    domestic_substitute: bool = False
    stock_or_lead_time: str = ""


@dataclass(frozen=True)
class AssessmentContent:
    risk_points: Sequence[RiskPointInput] = ()
    not_applicable: dict[RiskCategory, str] = field(default_factory=dict)
    dependencies: Sequence[DependencyInput] = ()


async def load_assessment(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    action: str = "read",
) -> tuple[ProjectAccess, RiskAssessment]:
    assessment = await session.get(RiskAssessment, (tenant_id, assessment_id))
    if assessment is None:
        raise NotFound("No such risk assessment.")
    access = await load(
        session,
        principal,
        tenant_id,
        assessment.project_id,
        action=action,
        for_update=action != "read",
    )
    return access, assessment


async def save_assessment(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    expected_version: int,
    content: AssessmentContent,
) -> RiskAssessment:
    """Replace the content of a draft (the undertakers' form); nothing else is editable."""
    access, assessment = await load_assessment(
        session, principal, tenant_id, assessment_id, action="edit"
    )
    if assessment.state != AssessmentState.DRAFT.value:
        raise Conflict(
            f"Version {assessment.number} is {assessment.state} and can no longer be edited.",
            field="assessmentId",
        )
    if assessment.id != access.project.current_assessment_id:
        raise Conflict("Only the project's current assessment can be edited.", field="assessmentId")
    if expected_version != assessment.lock_version:
        raise Conflict(
            "The assessment was changed by someone else meanwhile; reload it and try again.",
            field="expectedVersion",
        )
    matrix = Matrix.from_json(assessment.matrix)
    not_applicable: dict[str, str] = {}
    for category, reason in content.not_applicable.items():
        # A category is marked not applicable only with a reason (R-ASSESS).
        not_applicable[category.value] = validation.text(
            reason, "notApplicableReason", max_len=2000
        )
    for point in content.risk_points:
        if point.category.value in not_applicable:
            raise InvalidInput(
                f"The category {point.category.value} is marked not applicable "
                "but has risk points.",
                field="riskPoints",
            )
    if content.dependencies and RiskCategory.CHOKEPOINT.value in not_applicable:
        raise InvalidInput(
            "Dependencies belong to the chokepoint category, which is marked not applicable.",
            field="dependencies",
        )
    owners = {m.owner_user_id for p in content.risk_points for m in p.measures if m.owner_user_id}
    if owners:
        found = set(
            (
                await session.execute(
                    select(User.id).where(User.tenant_id == tenant_id, User.id.in_(owners))
                )
            ).scalars()
        )
        if owners - found:
            raise InvalidInput(
                "A measure's owner must be a person of the undertaking institute.",
                field="ownerUserId",
            )
    for table in (MitigationMeasure, RiskPoint, ChokepointDependency):
        await session.execute(
            delete(table).where(table.tenant_id == tenant_id, table.assessment_id == assessment.id)
        )
    levels: list[RiskLevel] = []
    measures: list[MitigationMeasure] = []
    for position, point in enumerate(content.risk_points):
        level = matrix.level(point.likelihood, point.impact)
        levels.append(level)
        row = RiskPoint(
            tenant_id=tenant_id,
            id=new_id(),
            assessment_id=assessment.id,
            category=point.category.value,
            position=position,
            description=validation.text(point.description, "description", max_len=4000),
            likelihood=point.likelihood,
            impact=point.impact,
            level=level.value,
            consequences=validation.text(
                point.consequences, "consequences", max_len=4000, required=False
            ),
        )
        session.add(row)
        measures.extend(
            MitigationMeasure(
                tenant_id=tenant_id,
                assessment_id=assessment.id,
                risk_point_id=row.id,
                position=m_position,
                description=validation.text(measure.description, "measure", max_len=4000),
                owner_user_id=measure.owner_user_id,
                due_date=measure.due_date,
                status=measure.status.value,
            )
            for m_position, measure in enumerate(point.measures)
        )
    # Risk points first: measures refer to them, and the unit of work does not order inserts
    # by foreign keys between mappers that have no relationship().
    await session.flush()
    session.add_all(measures)
    for position, dep in enumerate(content.dependencies):
        if dep.item_kind not in ITEM_KINDS:
            raise InvalidInput(
                "A dependency is a technology, material or equipment.", field="itemKind"
            )
        session.add(
            ChokepointDependency(
                tenant_id=tenant_id,
                assessment_id=assessment.id,
                position=position,
                item=validation.text(dep.item, "item", max_len=200),
                item_kind=dep.item_kind,
                source_country=validation.text(dep.source_country, "sourceCountry", max_len=100),
                supplier=validation.text(dep.supplier, "supplier", max_len=200, required=False),
                domestic_substitute=dep.domestic_substitute,
                stock_or_lead_time=validation.text(
                    dep.stock_or_lead_time, "stockOrLeadTime", max_len=200, required=False
                ),
            )
        )
    assessment.not_applicable = not_applicable
    assessment.overall_level = max(levels, key=lambda lv: lv.rank).value if levels else None
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="assessment.save",
        object_type="risk_assessment",
        object_id=assessment.id,
        changes={
            "version": assessment.number,
            "risk_points": len(content.risk_points),
            "not_applicable": not_applicable,
            "overall_level": assessment.overall_level,
            "dependencies": len(content.dependencies),
        },
    )
    return assessment


async def submit_assessment(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> RiskAssessment:
    """Submit the current draft for review; a proposal is submitted with it (transition submit)."""
    access, assessment = await load_assessment(
        session, principal, tenant_id, assessment_id, action="submit"
    )
    project = access.project
    if (
        assessment.id != project.current_assessment_id
        or assessment.state != AssessmentState.DRAFT.value
    ):
        raise Conflict(
            "Only the project's current draft assessment can be submitted.", field="assessmentId"
        )
    state = ProjectState(project.state)
    if state in {ProjectState.DRAFT, ProjectState.RETURNED}:
        await apply(
            session,
            principal,
            access,
            lifecycle.TRANSITIONS["submit"],
            expected_version=expected_version,
        )
    elif state in {ProjectState.IMPLEMENTING, ProjectState.SUSPENDED}:
        # The re-assessment of a major change (R-CHANGE): the project keeps its state.
        problems = await completeness_problems(session, assessment)
        if problems:
            raise lifecycle.GuardFailed(
                "submit", "The assessment is incomplete: " + "; ".join(problems)
            )
    else:
        raise lifecycle.NotAllowed("submit", state, lifecycle.allowed_from(state))
    assessment.state = AssessmentState.SUBMITTED.value
    assessment.submitted_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="assessment.submit",
        object_type="risk_assessment",
        object_id=assessment.id,
        changes={"version": assessment.number, "overall_level": assessment.overall_level},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="assessment.submitted",
        payload={
            "project_id": str(project.id),
            "assessment_id": str(assessment.id),
            "overall_level": assessment.overall_level,
        },
    )
    if project.sensitive_fields:
        # R-SENSITIVE: a sensitive-field project is brought to HQ's attention.
        await outbox.emit(
            session,
            tenant_id=tenant_id,
            topic="project.sensitive_field",
            payload={"project_id": str(project.id), "fields": project.sensitive_fields},
        )
    return assessment


async def new_version(
    session: AsyncSession,
    project: Project,
    source: RiskAssessment,
    *,
    reason: str,
    principal: Principal,
) -> RiskAssessment:
    """A new draft that starts as a copy of `source`; it becomes the project's current one."""
    copy = RiskAssessment(
        tenant_id=project.tenant_id,
        id=new_id(),
        project_id=project.id,
        number=source.number + 1,
        state=AssessmentState.DRAFT.value,
        matrix=source.matrix,
        overall_level=source.overall_level,
        not_applicable=dict(source.not_applicable),
        reason_for_version=reason,
        created_by=principal.actor_id,
    )
    session.add(copy)
    await session.flush()
    points = (
        (
            await session.execute(
                select(RiskPoint).where(
                    RiskPoint.tenant_id == source.tenant_id, RiskPoint.assessment_id == source.id
                )
            )
        )
        .scalars()
        .all()
    )
    measures = (
        (
            await session.execute(
                select(MitigationMeasure).where(
                    MitigationMeasure.tenant_id == source.tenant_id,
                    MitigationMeasure.assessment_id == source.id,
                )
            )
        )
        .scalars()
        .all()
    )
    new_ids = {p.id: new_id() for p in points}
    for p in points:
        session.add(
            RiskPoint(
                tenant_id=p.tenant_id,
                id=new_ids[p.id],
                assessment_id=copy.id,
                category=p.category,
                position=p.position,
                description=p.description,
                likelihood=p.likelihood,
                impact=p.impact,
                level=p.level,
                consequences=p.consequences,
            )
        )
    await session.flush()
    for m in measures:
        session.add(
            MitigationMeasure(
                tenant_id=m.tenant_id,
                assessment_id=copy.id,
                risk_point_id=new_ids[m.risk_point_id],
                position=m.position,
                description=m.description,
                owner_user_id=m.owner_user_id,
                due_date=m.due_date,
                status=m.status,
            )
        )
    for d in (
        await session.execute(
            select(ChokepointDependency).where(
                ChokepointDependency.tenant_id == source.tenant_id,
                ChokepointDependency.assessment_id == source.id,
            )
        )
    ).scalars():
        session.add(
            ChokepointDependency(
                tenant_id=d.tenant_id,
                assessment_id=copy.id,
                position=d.position,
                item=d.item,
                item_kind=d.item_kind,
                source_country=d.source_country,
                supplier=d.supplier,
                domestic_substitute=d.domestic_substitute,
                stock_or_lead_time=d.stock_or_lead_time,
            )
        )
    project.current_assessment_id = copy.id
    await session.flush()
    return copy


async def set_measure_status(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    measure_id: uuid.UUID,
    *,
    status: MeasureStatus,
) -> MitigationMeasure:
    """The undertakers carry out the measures of the passed assessment (R-INSPECT checks them)."""
    measure = await session.get(MitigationMeasure, (tenant_id, measure_id))
    if measure is None:
        raise NotFound("No such measure.")
    access, assessment = await load_assessment(
        session, principal, tenant_id, measure.assessment_id, action="carry_out"
    )
    if assessment.state != AssessmentState.PASSED.value:
        raise Conflict(
            "Measures are carried out once their assessment has passed.", field="measureId"
        )
    previous = measure.status
    measure.status = status.value
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="measure.status",
        object_type="mitigation_measure",
        object_id=measure.id,
        changes={"status": [previous, status.value], "project": str(access.project.id)},
    )
    return measure
