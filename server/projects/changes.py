"""Major changes (R-CHANGE): re-assess, report to the HQ business department, and where needed
suspend the project until the new assessment has passed."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.auth.principal import Principal
from server.authz import authorize
from server.errors import Conflict, InvalidInput
from server.projects import lifecycle
from server.projects.access import check_version, load
from server.projects.assessments import new_version
from server.projects.models import MajorChange, RiskAssessment
from server.projects.service import apply
from server.projects.vocabulary import AssessmentState, ProjectState


async def declare_major_change(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    expected_version: int | None,
    description: str,
    suspend: bool,
) -> MajorChange:
    access = await load(
        session, principal, tenant_id, project_id, action="declare_change", for_update=True
    )
    project = access.project
    check_version(project, expected_version)
    state = ProjectState(project.state)
    if state not in {ProjectState.IMPLEMENTING, ProjectState.SUSPENDED}:
        raise Conflict(
            f"A major change is declared during implementation, not while {state.value}.",
            field="id",
        )
    description = description.strip()
    if not 1 <= len(description) <= 4000:
        raise InvalidInput("Describe the change in 1 to 4000 characters.", field="description")
    open_changes = await session.scalar(
        select(func.count()).where(
            MajorChange.tenant_id == tenant_id,
            MajorChange.project_id == project_id,
            MajorChange.resolved_at.is_(None),
        )
    )
    if open_changes:
        raise Conflict("A major change of this project is still being re-assessed.", field="id")
    if suspend:
        authorize(principal, "suspend", access)
    current = await session.get(RiskAssessment, (tenant_id, project.current_assessment_id))
    if current is None or current.state != AssessmentState.PASSED.value:
        raise Conflict(
            "The current assessment has not passed; a re-assessment starts from a passed one.",
            field="id",
        )
    assessment = await new_version(
        session, project, current, reason=f"major change: {description[:200]}", principal=principal
    )
    change = MajorChange(
        tenant_id=tenant_id,
        project_id=project_id,
        description=description,
        declared_by_label=principal.label,
        suspended=suspend and state is ProjectState.IMPLEMENTING,
        assessment_id=assessment.id,
    )
    session.add(change)
    await session.flush()
    if change.suspended:
        await apply(
            session,
            principal,
            access,
            lifecycle.TRANSITIONS["suspend"],
            expected_version=None,
            reason=f"R-CHANGE: {description[:500]}",
            authorize_action=False,
        )
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="project.major_change",
        object_type="project",
        object_id=project_id,
        changes={
            "description": description,
            "suspended": change.suspended,
            "assessment_version": assessment.number,
        },
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="project.major_change",
        payload={
            "project_id": str(project_id),
            "change_id": str(change.id),
            "suspended": change.suspended,
        },
    )
    return change
