"""Mutations of the hazard register: report, plan, rectify, verify, supervise, handle."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.inspections.types import HandlingRecommendation, Hazard, Inspection, SupervisionRecord
from schema.relay import tenant_key
from server.errors import InvalidInput
from server.inspections import hazards as service
from server.inspections import inspections
from server.inspections.models import BanTarget, CheckResult, HandlingDecision, HazardSeverity
from server.projects.vocabulary import RiskCategory


@strawberry.type
class HazardSaved:
    hazard: Hazard


@strawberry.type
class SupervisionAdded:
    supervision: SupervisionRecord
    hazard: Hazard


@strawberry.type
class RecommendationSaved:
    recommendation: HandlingRecommendation


HazardResult = Annotated[HazardSaved | MutationError, strawberry.union("HazardResult")]
SupervisionResult = Annotated[
    SupervisionAdded | MutationError, strawberry.union("SupervisionResult")
]
RecommendationResult = Annotated[
    RecommendationSaved | MutationError, strawberry.union("RecommendationResult")
]


@strawberry.input
class BanInput:
    target: BanTarget
    ends_on: date | None = None


async def _hazard(info: Info, tenant_id: uuid.UUID, hazard_id: uuid.UUID) -> Hazard:
    access, _ = await service.load_hazard(
        info.context.session, info.context.principal, tenant_id, hazard_id
    )
    return Hazard.of(access.hazard)


@strawberry.type
class InspectionRecorded:
    inspection: Inspection


InspectionResult = Annotated[
    InspectionRecorded | MutationError, strawberry.union("InspectionResult")
]


@strawberry.input
class MeasureCheckInput:
    measure_id: strawberry.ID
    result: CheckResult
    note: str = ""


@strawberry.input(description="A finding: it becomes a hazard in the register.")
class FindingInput:
    title: str
    description: str
    severity: HazardSeverity
    category: RiskCategory | None = None


@strawberry.type
class HazardsMutation:
    @strawberry.mutation(description="Record an inspection: every measure checked (R-INSPECT).")
    async def record_inspection(
        self,
        info: Info,
        project_id: strawberry.ID,
        inspected_on: date,
        summary: str,
        checks: list[MeasureCheckInput],
        findings: list[FindingInput] | None = None,
        report_document_id: strawberry.ID | None = None,
    ) -> InspectionResult:
        ctx = info.context

        async def work() -> InspectionRecorded:
            tenant_id, pid = tenant_key(project_id, "Project")
            report = tenant_key(report_document_id, "Document")[1] if report_document_id else None
            row = await inspections.record_inspection(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                inspected_on=inspected_on,
                summary=summary,
                checks=[
                    inspections.CheckInput(tenant_key(c.measure_id, "Measure")[1], c.result, c.note)
                    for c in checks
                ],
                findings=[
                    inspections.FindingInput(f.title, f.description, f.severity, f.category)
                    for f in findings or ()
                ],
                report_document_id=report,
            )
            return InspectionRecorded(inspection=Inspection.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Register a hazard of a project (R-HAZARD, R-REPORT).")
    async def report_hazard(
        self,
        info: Info,
        project_id: strawberry.ID,
        title: str,
        description: str,
        severity: HazardSeverity,
        category: RiskCategory | None = None,
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, pid = tenant_key(project_id, "Project")
            row = await service.report_hazard(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                title=title,
                description=description,
                severity=severity,
                category=category,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Plan the rectification: owner, deadline, how.")
    async def plan_rectification(
        self,
        info: Info,
        hazard_id: strawberry.ID,
        expected_version: int,
        owner_id: strawberry.ID,
        deadline: date,
        plan: str,
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            owner_tenant, owner = tenant_key(owner_id, "User")
            if owner_tenant != tenant_id:
                raise InvalidInput("The owner must be a person of the institute.", field="ownerId")
            row = await service.plan_rectification(
                ctx.session,
                ctx.principal,
                tenant_id,
                hid,
                expected_version=expected_version,
                owner_user_id=owner,
                deadline=deadline,
                plan=plan,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="The owner reports it rectified (evidence attached).")
    async def submit_rectification(
        self, info: Info, hazard_id: strawberry.ID, expected_version: int, note: str
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.submit_rectification(
                ctx.session,
                ctx.principal,
                tenant_id,
                hid,
                expected_version=expected_version,
                note=note,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Verify: close it, or send it back as inadequate.")
    async def verify_rectification(
        self,
        info: Info,
        hazard_id: strawberry.ID,
        expected_version: int,
        adequate: bool,
        note: str,
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.verify_rectification(
                ctx.session,
                ctx.principal,
                tenant_id,
                hid,
                expected_version=expected_version,
                adequate=adequate,
                note=note,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation
    async def reopen_hazard(
        self, info: Info, hazard_id: strawberry.ID, expected_version: int, reason: str
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.reopen_hazard(
                ctx.session,
                ctx.principal,
                tenant_id,
                hid,
                expected_version=expected_version,
                reason=reason,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="R-CLOSE: hand an open hazard over at closure, with a reason.")
    async def hand_over_hazard(
        self, info: Info, hazard_id: strawberry.ID, expected_version: int, reason: str
    ) -> HazardResult:
        ctx = info.context

        async def work() -> HazardSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.hand_over_hazard(
                ctx.session,
                ctx.principal,
                tenant_id,
                hid,
                expected_version=expected_version,
                reason=reason,
            )
            return HazardSaved(hazard=Hazard.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="督办: press on a hazard with a comment and deadline.")
    async def supervise_hazard(
        self, info: Info, hazard_id: strawberry.ID, comment: str, deadline: date | None = None
    ) -> SupervisionResult:
        ctx = info.context

        async def work() -> SupervisionAdded:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.supervise_hazard(
                ctx.session, ctx.principal, tenant_id, hid, comment=comment, deadline=deadline
            )
            return SupervisionAdded(
                supervision=SupervisionRecord(
                    by=row.by_label,
                    comment=row.comment,
                    deadline=row.deadline,
                    created_at=row.created_at,
                ),
                hazard=await _hazard(info, tenant_id, hid),
            )

        return await run_mutation(info, work)

    @strawberry.mutation(description="R-OVERDUE: recommend handling to the HQ business department.")
    async def recommend_handling(
        self, info: Info, hazard_id: strawberry.ID, reason: str
    ) -> RecommendationResult:
        ctx = info.context

        async def work() -> RecommendationSaved:
            tenant_id, hid = tenant_key(hazard_id, "Hazard")
            row = await service.recommend_handling(
                ctx.session, ctx.principal, tenant_id, hid, reason=reason
            )
            return RecommendationSaved(recommendation=HandlingRecommendation.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="HQ decides: suspend the project, ban new projects, or not.")
    async def decide_handling(
        self,
        info: Info,
        recommendation_id: strawberry.ID,
        decision: HandlingDecision,
        note: str,
        bans: list[BanInput] | None = None,
    ) -> RecommendationResult:
        ctx = info.context

        async def work() -> RecommendationSaved:
            tenant_id, rid = tenant_key(recommendation_id, "HandlingRecommendation")
            row = await service.decide_handling(
                ctx.session,
                ctx.principal,
                tenant_id,
                rid,
                decision=decision,
                note=note,
                bans=[service.BanSpec(b.target, b.ends_on) for b in bans or ()],
            )
            return RecommendationSaved(recommendation=HandlingRecommendation.of(row))

        return await run_mutation(info, work)
