"""An institute's risk matrix and plan thresholds (R-ASSESS, R-PLAN), and HQ's view of the
chokepoint dependencies across the academy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, String, Uuid, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
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
        _current_passed(select(ChokepointDependency, Project))
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


_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def _current_passed(stmt: _S) -> _S:
    """`stmt` over the dependencies recorded in projects' current, passed assessments."""
    return (
        stmt.select_from(ChokepointDependency)
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
    )


@dataclass(frozen=True)
class DependencyTotal:
    """How many projects and institutes rely on one key dependency (卡脖子 exposure)."""

    item: str
    item_kind: str
    source_country: str
    projects: int
    institutes: int
    # Of those projects, how many recorded no domestic substitute.
    without_substitute: int


@dataclass(frozen=True)
class DependencyTotals:
    dependencies: int  # distinct (item, kind, country) in scope, however many are listed
    top: Sequence[DependencyTotal]


async def dependency_totals(
    session: AsyncSession,
    *,
    tenant_ids: Sequence[uuid.UUID] | None,
    states: Sequence[str],
    limit: int,
) -> DependencyTotals:
    """Exposure per dependency across `tenant_ids` (None: every tenant), for projects in
    `states`: one statement.

    The caller has authorized the view (oversight); row-level security still bounds the rows.
    """
    projects = func.count(func.distinct(Project.id))
    stmt = (
        _current_passed(
            select(
                ChokepointDependency.item,
                ChokepointDependency.item_kind,
                ChokepointDependency.source_country,
                projects.label("projects"),
                func.count(func.distinct(Project.tenant_id)).label("institutes"),
                func.count(func.distinct(Project.id))
                .filter(ChokepointDependency.domestic_substitute.is_(False))
                .label("without_substitute"),
                func.count().over().label("dependencies"),
            )
        )
        .where(Project.state == any_(literal(list(states), ARRAY(String))))
        .group_by(
            ChokepointDependency.item,
            ChokepointDependency.item_kind,
            ChokepointDependency.source_country,
        )
        .order_by(
            projects.desc(),
            func.count(func.distinct(Project.tenant_id)).desc(),
            ChokepointDependency.source_country,
            ChokepointDependency.item,
        )
        # At least one row, which carries the number of dependencies.
        .limit(max(limit, 1))
    )
    if tenant_ids is not None:
        # The tenants on every table: the planner then reads only their rows (by the key).
        stmt = stmt.where(
            *(
                table.tenant_id == any_(literal(list(tenant_ids), ARRAY(Uuid)))
                for table in (Project, RiskAssessment, ChokepointDependency)
            )
        )
    rows = (await session.execute(stmt)).all()
    return DependencyTotals(
        dependencies=rows[0].dependencies if rows else 0,
        top=[
            DependencyTotal(
                item=r.item,
                item_kind=r.item_kind,
                source_country=r.source_country,
                projects=r.projects,
                institutes=r.institutes,
                without_substitute=r.without_substitute,
            )
            for r in rows[:limit]
        ],
    )
