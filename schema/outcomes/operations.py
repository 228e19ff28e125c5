"""GraphQL of outcome release reviews (R-OUTCOME)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.relay import Connection, Node, connection, from_global_id, tenant_key, to_global_id
from server.errors import NotFound
from server.outcomes import models, service
from server.outcomes.models import AspectVerdict, OutcomeKind, ReleaseDecision, ReviewAspect
from server.pagination import paginate

for _enum, _name in (
    (OutcomeKind, "OutcomeKind"),
    (ReviewAspect, "ReviewAspect"),
    (AspectVerdict, "AspectVerdict"),
    (ReleaseDecision, "ReleaseDecision"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.type
class AspectReview:
    aspect: ReviewAspect
    verdict: AspectVerdict
    opinion: str
    reviewer: str
    created_at: datetime


@strawberry.type(description="An outcome up for release review (R-OUTCOME).")
class OutcomeRelease(Node):
    kind: OutcomeKind
    title: str
    channel: str
    project_id: strawberry.ID
    material_document_id: strawberry.ID | None
    submitted_by: str
    decision: ReleaseDecision | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    controlled: bool = strawberry.field(description="Not for release: stays under control.")
    created_at: datetime
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, r: models.OutcomeRelease) -> OutcomeRelease:
        return cls(
            id=to_global_id("OutcomeRelease", r.tenant_id, r.id),
            kind=OutcomeKind(r.kind),
            title=r.title,
            channel=r.channel,
            project_id=to_global_id("Project", r.tenant_id, r.project_id),
            material_document_id=to_global_id("Document", r.tenant_id, r.material_document_id)
            if r.material_document_id
            else None,
            submitted_by=r.submitted_by_label,
            decision=ReleaseDecision(r.decision) if r.decision else None,
            decided_by=r.decided_by_label,
            decided_at=r.decided_at,
            decision_note=r.decision_note,
            controlled=r.decision == ReleaseDecision.NOT_FOR_RELEASE.value,
            created_at=r.created_at,
            key=(r.tenant_id, r.id),
        )

    @strawberry.field(
        description="Aspects the viewer may review that are not reviewed yet (none once decided)."
    )
    async def aspects_awaiting_me(self, info: Info) -> list[ReviewAspect]:
        if self.decision is not None:
            return []
        mine = service.aspects_for(info.context.principal, self.key[0])
        if not mine:
            return []
        rows = await info.context.loaders.aspect_reviews_by_release.load(self.key)
        done = {r.aspect for r in rows}
        return [a for a in mine if a.value not in done]

    @strawberry.field
    async def reviews(self, info: Info) -> list[AspectReview]:
        rows = await info.context.loaders.aspect_reviews_by_release.load(self.key)
        return [
            AspectReview(
                aspect=ReviewAspect(r.aspect),
                verdict=AspectVerdict(r.verdict),
                opinion=r.opinion,
                reviewer=r.reviewer_label,
                created_at=r.created_at,
            )
            for r in rows
        ]


@strawberry.type
class OutcomeSaved:
    outcome: OutcomeRelease


OutcomeResult = Annotated[OutcomeSaved | MutationError, strawberry.union("OutcomeResult")]


async def outcomes(
    info: Info,
    project_id: strawberry.ID | None = None,
    controlled: bool | None = None,
    awaiting_my_review: Annotated[
        bool | None,
        strawberry.argument(
            description="true: undecided outcomes with an aspect the viewer is still to review."
        ),
    ] = None,
    first: int = 50,
    after: str | None = None,
) -> Connection[OutcomeRelease]:
    """Outcomes under review or decided; `controlled: true` lists those not for release."""
    ctx = info.context
    project = from_global_id(project_id, "Project")[1][1] if project_id else None
    page = await paginate(
        ctx.session,
        service.filtered(
            project, controlled, awaiting=ctx.principal if awaiting_my_review else None
        ),
        models.OutcomeRelease.created_at,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
        descending=True,
        tiebreak=models.OutcomeRelease.id,
    )
    return connection(page.keep(lambda r: service.may_read(ctx.principal, r)), OutcomeRelease.of)


async def outcome(info: Info, id: strawberry.ID) -> OutcomeRelease | None:
    try:
        tenant_id, rid = tenant_key(id, "OutcomeRelease")
        row = await service.load_release(
            info.context.session, info.context.principal, tenant_id, rid
        )
        return OutcomeRelease.of(row)
    except NotFound:
        return None


@strawberry.type
class OutcomesQuery:
    outcomes: Connection[OutcomeRelease] = strawberry.field(resolver=outcomes)
    outcome: OutcomeRelease | None = strawberry.field(resolver=outcome)


@strawberry.type
class OutcomesMutation:
    @strawberry.mutation(description="Put an outcome up for release review.")
    async def submit_outcome(
        self,
        info: Info,
        project_id: strawberry.ID,
        kind: OutcomeKind,
        title: str,
        channel: str,
        material_document_id: strawberry.ID | None = None,
    ) -> OutcomeResult:
        ctx = info.context

        async def work() -> OutcomeSaved:
            _, (tenant_id, pid) = from_global_id(project_id, "Project")
            doc = (
                from_global_id(material_document_id, "Document")[1][1]
                if material_document_id
                else None
            )
            row = await service.submit_outcome(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                kind=kind,
                title=title,
                channel=channel,
                material_document_id=doc,
            )
            return OutcomeSaved(outcome=OutcomeRelease.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="One officer's review of one aspect.")
    async def review_outcome(
        self,
        info: Info,
        outcome_id: strawberry.ID,
        aspect: ReviewAspect,
        verdict: AspectVerdict,
        opinion: str,
    ) -> OutcomeResult:
        ctx = info.context

        async def work() -> OutcomeSaved:
            tenant_id, rid = tenant_key(outcome_id, "OutcomeRelease")
            await service.review_aspect(
                ctx.session,
                ctx.principal,
                tenant_id,
                rid,
                aspect=aspect,
                verdict=verdict,
                opinion=opinion,
            )
            row = await service.load_release(ctx.session, ctx.principal, tenant_id, rid)
            return OutcomeSaved(outcome=OutcomeRelease.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Decide the release once every aspect is reviewed.")
    async def decide_outcome_release(
        self, info: Info, outcome_id: strawberry.ID, decision: ReleaseDecision, note: str
    ) -> OutcomeResult:
        ctx = info.context

        async def work() -> OutcomeSaved:
            tenant_id, rid = tenant_key(outcome_id, "OutcomeRelease")
            row = await service.decide_release(
                ctx.session, ctx.principal, tenant_id, rid, decision=decision, note=note
            )
            return OutcomeSaved(outcome=OutcomeRelease.of(row))

        return await run_mutation(info, work)
