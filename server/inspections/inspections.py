"""Inspections (R-INSPECT, R-SUPERVISE): a cadence per project from its risk level, and
inspections that check every mitigation measure of the current assessment and turn their
findings into hazards."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, clock, outbox
from server.auth.principal import Principal
from server.documents.models import Document, DocumentKind
from server.errors import Conflict, InvalidInput
from server.inspections.hazards import report_hazard
from server.inspections.models import (
    CheckResult,
    HazardSeverity,
    HazardSource,
    Inspection,
    MeasureCheck,
)
from server.projects.access import load
from server.projects.matrix import Matrix
from server.projects.models import MitigationMeasure, Project, RiskAssessment
from server.projects.vocabulary import AssessmentState, ProjectState, RiskCategory, RiskLevel
from server.tenancy.roles import UnitKind

# Projects under way are monitored (R-INSPECT: "monitor every project").
INSPECTED_STATES = {
    ProjectState.IMPLEMENTING,
    ProjectState.SUSPENDED,
    ProjectState.OUTCOME,
    ProjectState.CLOSING,
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class InspectionPlan:
    """Derived, never stored: the cadence follows the current assessment's level."""

    level: RiskLevel
    months: int
    last_inspected_on: date | None
    next_due: date

    def due_on(self, day: date) -> bool:
        return self.next_due <= day


def plan_for(
    project: Project, level: RiskLevel, matrix: Matrix, last: date | None
) -> InspectionPlan | None:
    if ProjectState(project.state) not in INSPECTED_STATES:
        return None
    months = matrix.inspection_months[level.value]
    since = last or (
        project.state_changed_at.date() if project.state_changed_at else project.start_date
    )
    return InspectionPlan(level, months, last, add_months(since, months))


@dataclass(frozen=True)
class CheckInput:
    measure_id: uuid.UUID
    result: CheckResult
    note: str = ""


@dataclass(frozen=True)
class FindingInput:
    title: str
    description: str
    severity: HazardSeverity
    category: RiskCategory | None = None


async def record_inspection(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    inspected_on: date,
    summary: str,
    checks: Sequence[CheckInput],
    findings: Sequence[FindingInput] = (),
    report_document_id: uuid.UUID | None = None,
) -> Inspection:
    access = await load(session, principal, tenant_id, project_id, action="inspect")
    project = access.project
    if ProjectState(project.state) not in INSPECTED_STATES:
        raise Conflict(
            f"A project that is {project.state} is not under inspection.", field="projectId"
        )
    if inspected_on > clock.today():
        raise InvalidInput("An inspection is recorded after it took place.", field="inspectedOn")
    summary = summary.strip()
    if not 1 <= len(summary) <= 8000:
        raise InvalidInput("Summarise the inspection in 1 to 8000 characters.", field="summary")
    assessment = await session.get(RiskAssessment, (tenant_id, project.current_assessment_id))
    if assessment is None:
        raise Conflict("The project has no assessment to inspect against.", field="projectId")
    if assessment.state != AssessmentState.PASSED.value:
        # During a major change's re-assessment the measures are those of the last passed one.
        assessment = await session.scalar(
            select(RiskAssessment)
            .where(
                RiskAssessment.tenant_id == tenant_id,
                RiskAssessment.project_id == project.id,
                RiskAssessment.state == AssessmentState.PASSED.value,
            )
            .order_by(RiskAssessment.number.desc())
            .limit(1)
        )
        if assessment is None:
            raise Conflict("The project has no passed assessment.", field="projectId")
    measures = set(
        (
            await session.execute(
                select(MitigationMeasure.id).where(
                    MitigationMeasure.tenant_id == tenant_id,
                    MitigationMeasure.assessment_id == assessment.id,
                )
            )
        ).scalars()
    )
    checked = [c.measure_id for c in checks]
    if len(set(checked)) != len(checked) or set(checked) - measures:
        raise InvalidInput("Check each measure of the assessment once.", field="checks")
    if missing := measures - set(checked):
        # R-INSPECT: the measures in the assessment must be carried out; each one is checked.
        raise InvalidInput(
            f"{len(missing)} measure(s) of the assessment are not checked.", field="checks"
        )
    if report_document_id is not None:
        doc = await session.get(Document, (tenant_id, report_document_id))
        if (
            doc is None
            or (doc.attached_type, doc.attached_id) != ("project", project.id)
            or doc.kind != DocumentKind.INSPECTION_REPORT.value
        ):
            raise InvalidInput(
                "Attach the report to the project first, as an inspection report.",
                field="reportDocumentId",
            )
    kind = next(
        (g.unit_kind for g in principal.grants if g.unit_id != tenant_id), UnitKind.INSTITUTE
    )
    inspection = Inspection(
        tenant_id=tenant_id,
        project_id=project.id,
        assessment_id=assessment.id,
        inspected_on=inspected_on,
        inspector_label=principal.label,
        inspector_unit_kind=kind.value,
        summary=summary,
        report_document_id=report_document_id,
    )
    session.add(inspection)
    await session.flush()
    session.add_all(
        MeasureCheck(
            tenant_id=tenant_id,
            inspection_id=inspection.id,
            measure_id=c.measure_id,
            result=c.result.value,
            note=c.note.strip()[:4000],
        )
        for c in checks
    )
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="inspection.record",
        object_type="inspection",
        object_id=inspection.id,
        changes={
            "project": str(project.id),
            "inspected_on": inspected_on,
            "results": {r.value: sum(c.result is r for c in checks) for r in CheckResult},
            "findings": len(findings),
        },
    )
    # Findings become hazards (R-INSPECT → R-HAZARD).
    for finding in findings:
        await report_hazard(
            session,
            principal,
            tenant_id,
            project.id,
            title=finding.title,
            description=finding.description,
            severity=finding.severity,
            category=finding.category,
            source=HazardSource.INSPECTION,
            inspection_id=inspection.id,
        )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="inspection.recorded",
        payload={
            "inspection_id": str(inspection.id),
            "project_id": str(project.id),
            "findings": len(findings),
        },
    )
    return inspection
