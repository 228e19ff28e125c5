"""What the lifecycle's guards look at, gathered from the database (see lifecycle.Facts)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.documents.models import Document, DocumentKind, DocumentVersion, VersionState
from server.inspections.models import Hazard, HazardState
from server.projects import lifecycle
from server.projects.matrix import Matrix
from server.projects.models import (
    ChokepointDependency,
    Filing,
    MajorChange,
    MitigationMeasure,
    Permit,
    Project,
    Review,
    RiskAssessment,
    RiskPoint,
)
from server.projects.vocabulary import (
    AssessmentState,
    FilingState,
    ReviewDecision,
    ReviewStage,
    RiskCategory,
    RiskLevel,
)
from server.warnlist import service as warnlist


async def completeness_problems(session: AsyncSession, assessment: RiskAssessment) -> list[str]:
    """Why a draft cannot be submitted: every category assessed, every risk point mitigated."""
    points = (
        (
            await session.execute(
                select(RiskPoint).where(
                    RiskPoint.tenant_id == assessment.tenant_id,
                    RiskPoint.assessment_id == assessment.id,
                )
            )
        )
        .scalars()
        .all()
    )
    mitigated = set(
        (
            await session.execute(
                select(MitigationMeasure.risk_point_id).where(
                    MitigationMeasure.tenant_id == assessment.tenant_id,
                    MitigationMeasure.assessment_id == assessment.id,
                )
            )
        ).scalars()
    )
    problems = []
    covered = {p.category for p in points} | set(assessment.not_applicable)
    for category in RiskCategory:
        if category.value not in covered:
            problems.append(
                f"category {category.value} has no risk point and no reason it does not apply"
            )
    if any(p.id not in mitigated for p in points):
        problems.append("every risk point needs at least one mitigation measure")
    if RiskCategory.CHOKEPOINT.value not in assessment.not_applicable:
        has_dependency = await session.scalar(
            select(ChokepointDependency.id)
            .where(
                ChokepointDependency.tenant_id == assessment.tenant_id,
                ChokepointDependency.assessment_id == assessment.id,
            )
            .limit(1)
        )
        if has_dependency is None:
            problems.append("the chokepoint category needs its key dependencies recorded")
    return problems


async def gather(
    session: AsyncSession, project: Project, *, reason_given: bool, today: date | None = None
) -> lifecycle.Facts:
    today = today or clock.today()
    assessment = (
        await session.get(RiskAssessment, (project.tenant_id, project.current_assessment_id))
        if project.current_assessment_id
        else None
    )
    problems: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    if assessment is not None:
        if assessment.state == AssessmentState.DRAFT.value:
            problems = tuple(await completeness_problems(session, assessment))
        if assessment.overall_level:
            missing = await missing_plan_documents(session, project, assessment)
    filing = await session.scalar(
        select(Filing)
        .where(Filing.tenant_id == project.tenant_id, Filing.project_id == project.id)
        .order_by(Filing.created_at.desc())
        .limit(1)
    )
    permit_valid = bool(
        await session.scalar(
            select(func.count()).where(
                Permit.tenant_id == project.tenant_id,
                Permit.project_id == project.id,
                Permit.valid_from <= today,
                Permit.valid_until >= today,
            )
        )
    )
    open_change = bool(
        await session.scalar(
            select(func.count()).where(
                MajorChange.tenant_id == project.tenant_id,
                MajorChange.project_id == project.id,
                MajorChange.resolved_at.is_(None),
            )
        )
    )
    open_hazards = await session.scalar(
        select(func.count()).where(
            Hazard.tenant_id == project.tenant_id,
            Hazard.project_id == project.id,
            Hazard.state != HazardState.CLOSED.value,
            Hazard.handed_over_reason.is_(None),
        )
    )
    standing = await warnlist.standing(session, project, today)
    hq_review_passed = bool(
        assessment is not None
        and await session.scalar(
            select(func.count()).where(
                Review.tenant_id == project.tenant_id,
                Review.assessment_id == assessment.id,
                Review.stage == ReviewStage.HQ.value,
                Review.decision == ReviewDecision.PASS.value,
            )
        )
    )
    return lifecycle.Facts(
        assessment_state=AssessmentState(assessment.state) if assessment else None,
        assessment_problems=problems,
        missing_documents=missing,
        filing_required=project.filing_required,
        filing_state=FilingState(filing.state) if filing else None,
        permit_required=project.national_approval_required,
        permit_valid=permit_valid,
        open_change=open_change,
        reason_given=reason_given,
        open_hazards=int(open_hazards or 0),
        warning_bans=standing.bans,
        warning_flags=standing.flags,
        hq_review_passed=hq_review_passed,
    )


PLAN_KINDS = {
    "an emergency response plan (应急处置预案)": {DocumentKind.EMERGENCY_RESPONSE_PLAN},
    "a responsibility or commitment letter (责任书/承诺书)": {
        DocumentKind.RESPONSIBILITY_LETTER,
        DocumentKind.COMMITMENT_LETTER,
    },
}


async def missing_plan_documents(
    session: AsyncSession, project: Project, assessment: RiskAssessment
) -> tuple[str, ...]:
    """R-PLAN: which of the documents the overall level requires are not attached yet."""
    matrix = Matrix.from_json(assessment.matrix)
    level = RiskLevel(assessment.overall_level or RiskLevel.LOW.value)
    needed = {
        "an emergency response plan (应急处置预案)": matrix.plan_required(level),
        "a responsibility or commitment letter (责任书/承诺书)": matrix.letter_required(level),
    }
    if not any(needed.values()):
        return ()
    kinds = set(
        (
            await session.execute(
                select(Document.kind).where(
                    Document.tenant_id == project.tenant_id,
                    Document.attached_type == "project",
                    Document.attached_id == project.id,
                    exists().where(
                        and_(
                            DocumentVersion.tenant_id == Document.tenant_id,
                            DocumentVersion.document_id == Document.id,
                            DocumentVersion.state == VersionState.COMMITTED.value,
                        )
                    ),
                )
            )
        ).scalars()
    )
    return tuple(
        label
        for label, required in needed.items()
        if required and not {k.value for k in PLAN_KINDS[label]} & kinds
    )
