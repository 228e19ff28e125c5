"""Outcome release review (R-OUTCOME): before a paper, patent, data set, software, talk or
publicity goes out, the officers responsible review secrecy, data security, patents, public
opinion and ethics; research management then decides. Outcomes not fit for release stay listed
as controlled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox, validation
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.documents.models import Document, DocumentKind
from server.errors import Conflict, InvalidInput, NotFound
from server.outcomes.models import (
    AspectReview,
    AspectVerdict,
    OutcomeKind,
    OutcomeRelease,
    ReleaseDecision,
    ReviewAspect,
)
from server.projects.access import load
from server.projects.vocabulary import ProjectState

# The gate action each aspect needs: secrecy officers, research management (data, patents),
# public-opinion officers, the coordination group (ethics).
ASPECT_ACTION = {
    ReviewAspect.SECRECY: "review_secrecy",
    ReviewAspect.DATA_SECURITY: "review_data",
    ReviewAspect.PATENT: "review_patent",
    ReviewAspect.PUBLIC_OPINION: "review_opinion",
    ReviewAspect.ETHICS: "review_ethics",
}
# Outcomes come from projects that have started.
RELEASING_STATES = {
    ProjectState.IMPLEMENTING,
    ProjectState.SUSPENDED,
    ProjectState.OUTCOME,
    ProjectState.CLOSING,
    ProjectState.CLOSED,
}


@dataclass(frozen=True)
class OutcomeResource:
    release: OutcomeRelease

    resource_type = "outcome"

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.release.tenant_id

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return frozenset()


async def submit_outcome(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    kind: OutcomeKind,
    title: str,
    channel: str,
    material_document_id: uuid.UUID | None,
) -> OutcomeRelease:
    access = await load(session, principal, tenant_id, project_id, action="submit_outcome")
    if ProjectState(access.project.state) not in RELEASING_STATES:
        raise Conflict(
            "Outcomes are released from projects under way or closed.", field="projectId"
        )
    if material_document_id is not None:
        doc = await session.get(Document, (tenant_id, material_document_id))
        if (
            doc is None
            or (doc.attached_type, doc.attached_id) != ("project", project_id)
            or doc.kind != DocumentKind.OUTCOME_MATERIAL.value
        ):
            raise InvalidInput(
                "Attach the material to the project first, as outcome material.",
                field="materialDocumentId",
            )
    release = OutcomeRelease(
        tenant_id=tenant_id,
        project_id=project_id,
        kind=kind.value,
        title=validation.text(title, "title", max_len=300),
        channel=validation.text(channel, "channel", max_len=200),
        material_document_id=material_document_id,
        submitted_by_label=principal.label,
    )
    session.add(release)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="outcome.submit",
        object_type="outcome",
        object_id=release.id,
        changes={
            "kind": kind.value,
            "title": release.title,
            "channel": release.channel,
            "project": str(project_id),
        },
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="outcome.submitted",
        payload={"release_id": str(release.id), "project_id": str(project_id)},
    )
    return release


async def load_release(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    release_id: uuid.UUID,
    *,
    action: str = "read",
) -> OutcomeRelease:
    release = await session.get(
        OutcomeRelease, (tenant_id, release_id), with_for_update=action != "read"
    )
    if release is None:
        raise NotFound("No such outcome.")
    resource = OutcomeResource(release)
    authorize(principal, "read", resource)
    if action != "read":
        authorize(principal, action, resource)
    return release


async def review_aspect(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    release_id: uuid.UUID,
    *,
    aspect: ReviewAspect,
    verdict: AspectVerdict,
    opinion: str,
) -> AspectReview:
    release = await load_release(
        session, principal, tenant_id, release_id, action=ASPECT_ACTION[aspect]
    )
    if release.decision is not None:
        raise Conflict("The release has been decided.", field="releaseId")
    existing = await session.scalar(
        select(AspectReview).where(
            AspectReview.tenant_id == tenant_id,
            AspectReview.release_id == release.id,
            AspectReview.aspect == aspect.value,
        )
    )
    if existing is not None:
        raise Conflict(f"The {aspect.value} review is recorded already.", field="aspect")
    review = AspectReview(
        tenant_id=tenant_id,
        release_id=release.id,
        aspect=aspect.value,
        verdict=verdict.value,
        opinion=validation.text(opinion, "opinion", max_len=4000),
        reviewer_label=principal.label,
    )
    session.add(review)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action=f"outcome.review_{aspect}",
        object_type="outcome",
        object_id=release.id,
        changes={"verdict": verdict.value, "opinion": review.opinion},
    )
    return review


async def decide_release(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    release_id: uuid.UUID,
    *,
    decision: ReleaseDecision,
    note: str,
) -> OutcomeRelease:
    release = await load_release(session, principal, tenant_id, release_id, action="decide")
    if release.decision is not None:
        raise Conflict("The release has been decided.", field="releaseId")
    reviews = (
        (
            await session.execute(
                select(AspectReview).where(
                    AspectReview.tenant_id == tenant_id, AspectReview.release_id == release.id
                )
            )
        )
        .scalars()
        .all()
    )
    missing = {a.value for a in ReviewAspect} - {r.aspect for r in reviews}
    if missing:
        raise Conflict(
            "R-OUTCOME: still to be reviewed: " + ", ".join(sorted(missing)) + ".", field="decision"
        )
    verdicts = {AspectVerdict(r.verdict) for r in reviews}
    if AspectVerdict.UNFIT in verdicts and decision is not ReleaseDecision.NOT_FOR_RELEASE:
        raise InvalidInput(
            "A review found it unfit for release; it stays controlled.", field="decision"
        )
    if AspectVerdict.NEEDS_CHANGES in verdicts and decision is ReleaseDecision.APPROVE:
        raise InvalidInput("A review asked for changes: approve with changes.", field="decision")
    release.decision = decision.value
    release.decided_by_label = principal.label
    release.decided_at = utcnow()
    release.decision_note = validation.text(note, "note", max_len=4000)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="outcome.decide",
        object_type="outcome",
        object_id=release.id,
        changes={"decision": decision.value, "note": release.decision_note},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="outcome.decided",
        payload={"release_id": str(release.id), "decision": decision.value},
    )
    return release


def aspects_for(principal: Principal, tenant_id: uuid.UUID | None) -> list[ReviewAspect]:
    """The aspects the principal may review in a unit (the gate decides, per aspect)."""
    if tenant_id is None:
        return []
    target = Target("outcome", tenant_id)
    return [a for a in ReviewAspect if is_allowed(principal, ASPECT_ACTION[a], target)]


def filtered(
    project_id: uuid.UUID | None,
    controlled: bool | None,
    *,
    awaiting: Principal | None = None,
) -> Select[OutcomeRelease]:
    """`awaiting`: only undecided outcomes of the principal's own unit that still lack the review
    of an aspect the principal may review (their to-do list; one statement, any list size)."""
    stmt: Select[OutcomeRelease] = select(OutcomeRelease)
    if awaiting is not None:
        # The review actions are granted in the reviewer's own unit only (policies/policy.csv).
        aspects = aspects_for(awaiting, awaiting.tenant_id)
        if not aspects:
            return stmt.where(false())
        reviewed = (
            select(func.count(AspectReview.aspect.distinct()))
            .where(
                AspectReview.tenant_id == OutcomeRelease.tenant_id,
                AspectReview.release_id == OutcomeRelease.id,
                AspectReview.aspect.in_([a.value for a in aspects]),
            )
            .scalar_subquery()
        )
        stmt = stmt.where(
            OutcomeRelease.tenant_id == awaiting.tenant_id,
            OutcomeRelease.decision.is_(None),
            reviewed < len(aspects),
        )
    if project_id is not None:
        stmt = stmt.where(OutcomeRelease.project_id == project_id)
    if controlled is not None:
        is_controlled = OutcomeRelease.decision == ReleaseDecision.NOT_FOR_RELEASE.value
        stmt = stmt.where(
            is_controlled if controlled else ~is_controlled | OutcomeRelease.decision.is_(None)
        )
    return stmt


def may_read(principal: Principal, release: OutcomeRelease) -> bool:
    return is_allowed(principal, "read", Target("outcome", release.tenant_id))
