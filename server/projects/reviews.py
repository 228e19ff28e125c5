"""Review of a risk assessment (R-REVIEW), the coordination leader's sign-off for a sensitive
field (R-SENSITIVE), and the HQ business department's re-review of projects HQ deploys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.auth.principal import Principal
from server.db.base import utcnow
from server.documents.models import Document, DocumentKind
from server.errors import Conflict, InvalidInput
from server.projects import lifecycle
from server.projects.access import ProjectAccess
from server.projects.assessments import load_assessment, new_version
from server.projects.models import MajorChange, Project, Review, RiskAssessment
from server.projects.service import apply
from server.projects.vocabulary import (
    AssessmentState,
    ProjectState,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
)
from server.warnlist import service as warnlist

# The gate action each stage needs (policies/policy.csv).
STAGE_ACTION = {
    ReviewStage.INSTITUTE: "review",
    ReviewStage.COORDINATION: "sign_off",
    ReviewStage.HQ: "re_review",
}


def required_stages(project: Project, *, flagged: bool = False) -> list[ReviewStage]:
    stages = [ReviewStage.INSTITUTE]
    if project.sensitive_fields:
        stages.append(ReviewStage.COORDINATION)  # R-SENSITIVE
    if project.deployed_by_hq or flagged:
        # R-REVIEW: HQ re-reviews what it deploys; R-WARNLIST: and what a listed unit,
        # department or person proposes.
        stages.append(ReviewStage.HQ)
    return stages


@dataclass(frozen=True)
class ReviewInput:
    stage: ReviewStage
    method: ReviewMethod
    opinion_accuracy: str
    opinion_measures: str
    decision: ReviewDecision
    minutes_document_id: uuid.UUID | None = None


async def record_review(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    data: ReviewInput,
) -> Review:
    access, assessment = await load_assessment(
        session, principal, tenant_id, assessment_id, action=STAGE_ACTION[data.stage]
    )
    project = access.project
    flagged = (await warnlist.standing(session, project)).flagged
    # R-WARNLIST: a project listed after its assessment passed, still awaiting approval, gets
    # the HQ re-review on that passed assessment.
    late_listing = (
        flagged
        and data.stage is ReviewStage.HQ
        and assessment.state == AssessmentState.PASSED.value
        and ProjectState(project.state) is ProjectState.SUBMITTED
    )
    if (assessment.state != AssessmentState.SUBMITTED.value and not late_listing) or (
        assessment.id != project.current_assessment_id
    ):
        raise Conflict("Only a submitted current assessment is reviewed.", field="assessmentId")
    stages = required_stages(project, flagged=flagged)
    if data.stage not in stages:
        raise InvalidInput(f"This project needs no {data.stage.value} review.", field="stage")
    earlier = (
        (
            await session.execute(
                select(Review).where(
                    Review.tenant_id == tenant_id, Review.assessment_id == assessment.id
                )
            )
        )
        .scalars()
        .all()
    )
    passed = {ReviewStage(r.stage) for r in earlier if r.decision == ReviewDecision.PASS.value}
    if data.stage in passed:
        raise Conflict(
            f"The {data.stage.value} review of this version has passed already.", field="stage"
        )
    if data.stage is ReviewStage.HQ and ReviewStage.INSTITUTE not in passed:
        raise Conflict("HQ re-reviews after the institute's review has passed.", field="stage")
    accuracy = data.opinion_accuracy.strip()
    measures = data.opinion_measures.strip()
    if not accuracy or not measures or len(accuracy) > 4000 or len(measures) > 4000:
        raise InvalidInput(
            "Give an opinion on the accuracy of the risk analysis and on the measures' "
            "reasonableness, effectiveness and executability (1 to 4000 characters each).",
            field="opinionAccuracy",
        )
    if data.method is ReviewMethod.MEETING:
        await _check_minutes(session, project, data.minutes_document_id)
    elif data.minutes_document_id is not None:
        await _check_minutes(session, project, data.minutes_document_id)
    review = Review(
        tenant_id=tenant_id,
        project_id=project.id,
        assessment_id=assessment.id,
        stage=data.stage.value,
        method=data.method.value,
        minutes_document_id=data.minutes_document_id,
        opinion_accuracy=accuracy,
        opinion_measures=measures,
        decision=data.decision.value,
        reviewer_user_id=principal.actor_id,
        reviewer_label=principal.label,
    )
    session.add(review)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action=f"review.{data.stage.value}",
        object_type="risk_assessment",
        object_id=assessment.id,
        changes={
            "decision": data.decision.value,
            "method": data.method.value,
            "version": assessment.number,
        },
    )
    await _consequences(
        session,
        principal,
        access,
        assessment,
        data.decision,
        passed | ({data.stage} if data.decision is ReviewDecision.PASS else set()),
        stages,
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="assessment.reviewed",
        payload={
            "project_id": str(project.id),
            "assessment_id": str(assessment.id),
            "stage": data.stage.value,
            "decision": data.decision.value,
        },
    )
    return review


async def _check_minutes(
    session: AsyncSession, project: Project, document_id: uuid.UUID | None
) -> None:
    if document_id is None:
        raise InvalidInput("A review by meeting attaches its minutes.", field="minutesDocumentId")
    doc = await session.get(Document, (project.tenant_id, document_id))
    if (
        doc is None
        or doc.attached_type != "project"
        or doc.attached_id != project.id
        or doc.kind != DocumentKind.MEETING_MINUTES.value
    ):
        raise InvalidInput(
            "Attach the meeting minutes to this project first, as minutes.",
            field="minutesDocumentId",
        )


async def _consequences(
    session: AsyncSession,
    principal: Principal,
    access: ProjectAccess,
    assessment: RiskAssessment,
    decision: ReviewDecision,
    passed: set[ReviewStage],
    stages: list[ReviewStage],
) -> None:
    project = access.project
    in_review = ProjectState(project.state) is ProjectState.SUBMITTED
    now = utcnow()
    if decision is ReviewDecision.PASS:
        if set(stages) <= passed:
            assessment.state = AssessmentState.PASSED.value
            assessment.decided_at = now
            # A major change's re-assessment passing closes the change (R-CHANGE).
            for change in (
                await session.execute(
                    select(MajorChange).where(
                        MajorChange.tenant_id == project.tenant_id,
                        MajorChange.assessment_id == assessment.id,
                        MajorChange.resolved_at.is_(None),
                    )
                )
            ).scalars():
                change.resolved_at = now
        await session.flush()
        return
    assessment.state = (
        AssessmentState.RETURNED if decision is ReviewDecision.RETURN else AssessmentState.FAILED
    ).value
    assessment.decided_at = now
    await session.flush()
    if in_review:
        name = "return" if decision is ReviewDecision.RETURN else "reject"
        await apply(
            session,
            principal,
            access,
            lifecycle.TRANSITIONS[name],
            expected_version=None,
            authorize_action=False,
        )
    if decision is ReviewDecision.RETURN or not in_review:
        # The undertakers continue on a new version; the reviewed one stays as it was.
        successor = await new_version(
            session,
            project,
            assessment,
            reason=f"after {decision.value} of version {assessment.number}",
            principal=principal,
        )
        # An open major change follows its re-assessment to the new version (R-CHANGE), so
        # that version passing is what closes the change and lets the project resume.
        for change in (
            await session.execute(
                select(MajorChange).where(
                    MajorChange.tenant_id == project.tenant_id,
                    MajorChange.assessment_id == assessment.id,
                    MajorChange.resolved_at.is_(None),
                )
            )
        ).scalars():
            change.assessment_id = successor.id
        await session.flush()
