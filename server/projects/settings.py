"""An institute's risk matrix and plan thresholds (R-ASSESS, R-PLAN), and HQ's view of the
chokepoint dependencies across the academy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.errors import InvalidInput, NotFound
from server.projects.matrix import Matrix
from server.projects.models import ChokepointDependency, Project, RiskAssessment, RiskSettings
from server.projects.service import matrix_for
from server.projects.vocabulary import AssessmentState
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind


async def get_matrix(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Matrix:
    authorize(principal, "read", Target("risk_settings", unit_id))
    return await matrix_for(session, unit_id)


async def set_matrix(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, matrix: Matrix
) -> Matrix:
    """New assessments use it; existing ones keep the matrix they were made on."""
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    authorize(principal, "manage", Target("risk_settings", unit_id))
    if unit.kind != UnitKind.INSTITUTE.value:
        raise InvalidInput("Risk settings belong to institutes.", field="orgUnitId")
    matrix.validate()
    await session.execute(
        insert(RiskSettings)
        .values(tenant_id=unit_id, id=uuid.uuid4(), matrix=matrix.to_json())
        .on_conflict_do_update(index_elements=["tenant_id"], set_={"matrix": matrix.to_json()})
    )
    await audit.record(
        session,
        principal,
        tenant_id=unit_id,
        action="risk_settings.update",
        object_type="risk_settings",
        object_id=unit_id,
        changes=matrix.to_json(),
    )
    return matrix


@dataclass(frozen=True)
class Exposure:
    dependency: ChokepointDependency
    project: Project


async def chokepoint_exposure(
    session: AsyncSession,
    principal: Principal,
    *,
    source_country: str | None,
    without_substitute: bool | None,
    limit: int,
) -> Sequence[Exposure]:
    """Dependencies in the passed assessments of the projects the principal may read."""
    stmt = (
        select(ChokepointDependency, Project)
        .join(
            RiskAssessment,
            (RiskAssessment.tenant_id == ChokepointDependency.tenant_id)
            & (RiskAssessment.id == ChokepointDependency.assessment_id),
        )
        .join(
            Project,
            (Project.tenant_id == RiskAssessment.tenant_id)
            & (Project.current_assessment_id == RiskAssessment.id),
        )
        .where(RiskAssessment.state == AssessmentState.PASSED.value)
        .order_by(ChokepointDependency.source_country, ChokepointDependency.item)
        .limit(limit)
    )
    if source_country:
        stmt = stmt.where(ChokepointDependency.source_country == source_country.strip())
    if without_substitute is not None:
        stmt = stmt.where(ChokepointDependency.domestic_substitute.is_(not without_substitute))
    rows = (await session.execute(stmt)).all()
    return [
        Exposure(dep, project)
        for dep, project in rows
        if is_allowed(principal, "read", Target("project", project.tenant_id))
    ]
