"""Mutations of the projects domain: a mutation per lifecycle transition, and the rest."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.projects.types import (
    Assessment,
    FilingRecord,
    Measure,
    PermitRecord,
    Project,
    ReviewRecord,
    RiskMatrix,
)
from schema.relay import from_global_id, tenant_key
from server import clock
from server.errors import InvalidInput
from server.projects import assessments, changes, filings, permits, reviews, service
from server.projects import settings as risk_settings
from server.projects.filings import FilingDecision
from server.projects.matrix import Matrix
from server.projects.models import Project as ProjectRow
from server.projects.vocabulary import (
    MeasureStatus,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)

strawberry.enum(FilingDecision, name="FilingDecision")


@strawberry.type
class ProjectSaved:
    project: Project


@strawberry.type
class AssessmentSaved:
    assessment: Assessment


@strawberry.type
class ReviewRecorded:
    review: ReviewRecord
    assessment: Assessment


@strawberry.type
class FilingSaved:
    filing: FilingRecord


@strawberry.type
class PermitSaved:
    permit: PermitRecord


@strawberry.type
class MeasureSaved:
    measure: Measure


ProjectResult = Annotated[ProjectSaved | MutationError, strawberry.union("ProjectResult")]
AssessmentResult = Annotated[AssessmentSaved | MutationError, strawberry.union("AssessmentResult")]
ReviewResult = Annotated[ReviewRecorded | MutationError, strawberry.union("ReviewResult")]
FilingResult = Annotated[FilingSaved | MutationError, strawberry.union("FilingResult")]
PermitResult = Annotated[PermitSaved | MutationError, strawberry.union("PermitResult")]
MeasureResult = Annotated[MeasureSaved | MutationError, strawberry.union("MeasureResult")]


@strawberry.input
class ProjectInput:
    title: str
    department_id: strawberry.ID
    principal_investigator_id: strawberry.ID
    start_date: date
    end_date: date
    summary: str = ""
    member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    deployed_by_hq: bool = False
    hq_department: str | None = None
    funding_source: str = ""
    research_fields: list[str] = strawberry.field(default_factory=list)
    sensitive_fields: list[SensitiveField] = strawberry.field(default_factory=list)
    international_cooperation: bool = False
    national_filing_required: bool = False
    national_approval_required: bool = False
    major_impact: bool = False


@strawberry.input
class MeasureInput:
    description: str
    owner_id: strawberry.ID | None = None
    due_date: date | None = None
    status: MeasureStatus = MeasureStatus.PLANNED


@strawberry.input
class RiskPointInput:
    category: RiskCategory
    description: str
    likelihood: int
    impact: int
    consequences: str = ""
    measures: list[MeasureInput] = strawberry.field(default_factory=list)


@strawberry.input
class NotApplicableInput:
    category: RiskCategory
    reason: str


@strawberry.input
class DependencyInput:
    item: str
    item_kind: str = strawberry.field(description="technology, material or equipment")
    source_country: str
    supplier: str = ""
    domestic_substitute: bool = False
    stock_or_lead_time: str = ""


@strawberry.input(description="The whole content of a draft assessment (the form).")
class AssessmentInput:
    assessment_id: strawberry.ID
    expected_version: int
    risk_points: list[RiskPointInput] = strawberry.field(default_factory=list)
    not_applicable: list[NotApplicableInput] = strawberry.field(default_factory=list)
    dependencies: list[DependencyInput] = strawberry.field(default_factory=list)


@strawberry.input
class ReviewInput:
    assessment_id: strawberry.ID
    stage: ReviewStage
    method: ReviewMethod
    opinion_accuracy: str
    opinion_measures: str
    decision: ReviewDecision
    minutes_document_id: strawberry.ID | None = None


@strawberry.input
class PermitInput:
    project_id: strawberry.ID
    authority: str
    permit_number: str
    scope: str
    valid_from: date
    valid_until: date
    document_id: strawberry.ID | None = None


def _user(global_id: str, tenant_id: uuid.UUID) -> uuid.UUID:
    user_tenant, user_id = tenant_key(global_id, "User")
    if user_tenant != tenant_id:
        raise InvalidInput(
            "People of the project must belong to the undertaking institute.", field="memberIds"
        )
    return user_id


def _project_input(data: ProjectInput, tenant_id: uuid.UUID) -> service.ProjectInput:
    dept_tenant, dept_id = tenant_key(data.department_id, "Department")
    if dept_tenant != tenant_id:
        raise InvalidInput("No such department in the undertaking institute.", field="departmentId")
    return service.ProjectInput(
        title=data.title,
        department_id=dept_id,
        pi_user_id=_user(data.principal_investigator_id, tenant_id),
        start_date=data.start_date,
        end_date=data.end_date,
        summary=data.summary,
        member_ids=[_user(m, tenant_id) for m in data.member_ids],
        deployed_by_hq=data.deployed_by_hq,
        hq_department=data.hq_department,
        funding_source=data.funding_source,
        research_fields=data.research_fields,
        sensitive_fields=data.sensitive_fields,
        international_cooperation=data.international_cooperation,
        national_filing_required=data.national_filing_required,
        national_approval_required=data.national_approval_required,
        major_impact=data.major_impact,
    )


async def _fire(
    info: Info, name: str, project_id: str, expected_version: int, reason: str | None = None
) -> ProjectSaved | MutationError:
    ctx = info.context

    async def work() -> ProjectSaved:
        tenant_id, pid = tenant_key(project_id, "Project")
        fired = await service.fire(
            ctx.session,
            ctx.principal,
            tenant_id,
            pid,
            name,
            expected_version=expected_version,
            reason=reason,
        )
        return ProjectSaved(project=Project.of(fired.project))

    return await run_mutation(info, work)


async def _project(info: Info, tenant_id: uuid.UUID, project_id: uuid.UUID) -> Project:
    row = await info.context.session.get(ProjectRow, (tenant_id, project_id))
    assert row is not None
    return Project.of(row)


@strawberry.input(description="Scores are likelihood × impact; a level starts at its score.")
class RiskSettingsInput:
    org_unit_id: strawberry.ID
    size: int = 5
    medium_from: int = 5
    high_from: int = 10
    critical_from: int = 17
    plan_required_from: RiskLevel = RiskLevel.HIGH
    letter_required_from: RiskLevel = RiskLevel.HIGH
    inspect_critical_months: int = 1
    inspect_high_months: int = 3
    inspect_medium_months: int = 6
    inspect_low_months: int = 12


@strawberry.type
class RiskSettingsSaved:
    matrix: RiskMatrix


RiskSettingsResult = Annotated[
    RiskSettingsSaved | MutationError, strawberry.union("RiskSettingsResult")
]


@strawberry.type
class ProjectsMutation:
    @strawberry.mutation(description="Set an institute's matrix and plan thresholds.")
    async def set_risk_settings(self, info: Info, input: RiskSettingsInput) -> RiskSettingsResult:
        ctx = info.context

        async def work() -> RiskSettingsSaved:
            _, (unit_id,) = from_global_id(input.org_unit_id, "OrgUnit")
            matrix = Matrix(
                size=input.size,
                thresholds={
                    "medium": input.medium_from,
                    "high": input.high_from,
                    "critical": input.critical_from,
                },
                plan_required_from=input.plan_required_from.value,
                letter_required_from=input.letter_required_from.value,
                inspection_months={
                    "critical": input.inspect_critical_months,
                    "high": input.inspect_high_months,
                    "medium": input.inspect_medium_months,
                    "low": input.inspect_low_months,
                },
            )
            saved = await risk_settings.set_matrix(ctx.session, ctx.principal, unit_id, matrix)
            return RiskSettingsSaved(matrix=RiskMatrix.of(saved))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Propose a project (draft), with an empty assessment.")
    async def create_project(
        self, info: Info, org_unit_id: strawberry.ID, input: ProjectInput
    ) -> ProjectResult:
        ctx = info.context

        async def work() -> ProjectSaved:
            _, (unit_id,) = from_global_id(org_unit_id, "OrgUnit")
            row = await service.create_project(
                ctx.session, ctx.principal, unit_id=unit_id, data=_project_input(input, unit_id)
            )
            return ProjectSaved(project=Project.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Edit a draft or returned project's details and team.")
    async def update_project(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ProjectInput
    ) -> ProjectResult:
        ctx = info.context

        async def work() -> ProjectSaved:
            tenant_id, pid = tenant_key(id, "Project")
            row = await service.update_project(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                expected_version=expected_version,
                data=_project_input(input, tenant_id),
            )
            return ProjectSaved(project=Project.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Save the whole content of a draft assessment (R-ASSESS).")
    async def save_assessment(self, info: Info, input: AssessmentInput) -> AssessmentResult:
        ctx = info.context

        async def work() -> AssessmentSaved:
            tenant_id, aid = tenant_key(input.assessment_id, "Assessment")
            content = assessments.AssessmentContent(
                risk_points=[
                    assessments.RiskPointInput(
                        category=p.category,
                        description=p.description,
                        likelihood=p.likelihood,
                        impact=p.impact,
                        consequences=p.consequences,
                        measures=[
                            assessments.MeasureInput(
                                description=m.description,
                                owner_user_id=_user(m.owner_id, tenant_id) if m.owner_id else None,
                                due_date=m.due_date,
                                status=m.status,
                            )
                            for m in p.measures
                        ],
                    )
                    for p in input.risk_points
                ],
                not_applicable={n.category: n.reason for n in input.not_applicable},
                dependencies=[
                    assessments.DependencyInput(
                        item=d.item,
                        item_kind=d.item_kind,
                        source_country=d.source_country,
                        supplier=d.supplier,
                        domestic_substitute=d.domestic_substitute,
                        stock_or_lead_time=d.stock_or_lead_time,
                    )
                    for d in input.dependencies
                ],
            )
            row = await assessments.save_assessment(
                ctx.session,
                ctx.principal,
                tenant_id,
                aid,
                expected_version=input.expected_version,
                content=content,
            )
            return AssessmentSaved(assessment=Assessment.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Submit the current assessment (and the proposal) for review.")
    async def submit_project(
        self, info: Info, assessment_id: strawberry.ID, expected_version: int | None = None
    ) -> AssessmentResult:
        ctx = info.context

        async def work() -> AssessmentSaved:
            tenant_id, aid = tenant_key(assessment_id, "Assessment")
            row = await assessments.submit_assessment(
                ctx.session, ctx.principal, tenant_id, aid, expected_version=expected_version
            )
            return AssessmentSaved(assessment=Assessment.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Review, sign off or re-review the submitted assessment.")
    async def record_review(self, info: Info, input: ReviewInput) -> ReviewResult:
        ctx = info.context

        async def work() -> ReviewRecorded:
            tenant_id, aid = tenant_key(input.assessment_id, "Assessment")
            minutes = (
                tenant_key(input.minutes_document_id, "Document")[1]
                if input.minutes_document_id
                else None
            )
            row = await reviews.record_review(
                ctx.session,
                ctx.principal,
                tenant_id,
                aid,
                data=reviews.ReviewInput(
                    stage=input.stage,
                    method=input.method,
                    opinion_accuracy=input.opinion_accuracy,
                    opinion_measures=input.opinion_measures,
                    decision=input.decision,
                    minutes_document_id=minutes,
                ),
            )
            assessment = await assessments.load_assessment(
                ctx.session, ctx.principal, tenant_id, aid
            )
            return ReviewRecorded(
                review=ReviewRecord.of(row), assessment=Assessment.of(assessment[1])
            )

        return await run_mutation(info, work)

    @strawberry.mutation(description="Approve the project (立项); needs a passed assessment.")
    async def approve_project(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ProjectResult:
        return await _fire(info, "approve", id, expected_version)

    @strawberry.mutation(description="The legal representative signs and files it with HQ.")
    async def file_project(
        self, info: Info, id: strawberry.ID, expected_version: int, statement: str = ""
    ) -> FilingResult:
        ctx = info.context

        async def work() -> FilingSaved:
            tenant_id, pid = tenant_key(id, "Project")
            row = await filings.file_project(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                expected_version=expected_version,
                statement=statement,
            )
            return FilingSaved(filing=FilingRecord.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="HQ records a filing or requires argumentation first.")
    async def decide_filing(
        self, info: Info, filing_id: strawberry.ID, decision: FilingDecision, comment: str = ""
    ) -> FilingResult:
        ctx = info.context

        async def work() -> FilingSaved:
            tenant_id, fid = tenant_key(filing_id, "Filing")
            row = await filings.decide_filing(
                ctx.session,
                ctx.principal,
                tenant_id,
                fid,
                decision=decision,
                comment=comment,
            )
            return FilingSaved(filing=FilingRecord.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Record a national administrative permit (R-PERMIT).")
    async def record_permit(self, info: Info, input: PermitInput) -> PermitResult:
        ctx = info.context

        async def work() -> PermitSaved:
            tenant_id, pid = tenant_key(input.project_id, "Project")
            doc = tenant_key(input.document_id, "Document")[1] if input.document_id else None
            row = await permits.record_permit(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                authority=input.authority,
                permit_number=input.permit_number,
                scope=input.scope,
                valid_from=input.valid_from,
                valid_until=input.valid_until,
                document_id=doc,
            )
            return PermitSaved(permit=PermitRecord.of(row, clock.today()))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Start implementation (after filing and permit if needed).")
    async def start_project(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ProjectResult:
        return await _fire(info, "start", id, expected_version)

    @strawberry.mutation
    async def suspend_project(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> ProjectResult:
        return await _fire(info, "suspend", id, expected_version, reason)

    @strawberry.mutation
    async def resume_project(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ProjectResult:
        return await _fire(info, "resume", id, expected_version)

    @strawberry.mutation(description="Move to the outcome stage.")
    async def enter_outcome_stage(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ProjectResult:
        return await _fire(info, "enter_outcome", id, expected_version)

    @strawberry.mutation
    async def start_closing(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ProjectResult:
        return await _fire(info, "start_closing", id, expected_version)

    @strawberry.mutation(description="Close with the summary of the project's risk work (R-CLOSE).")
    async def close_project(
        self, info: Info, id: strawberry.ID, expected_version: int, summary: str
    ) -> ProjectResult:
        return await _fire(info, "close", id, expected_version, summary)

    @strawberry.mutation
    async def terminate_project(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> ProjectResult:
        return await _fire(info, "terminate", id, expected_version, reason)

    @strawberry.mutation(description="Declare a major change: re-assess, tell HQ, maybe suspend.")
    async def declare_major_change(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        description: str,
        suspend: bool = False,
    ) -> ProjectResult:
        ctx = info.context

        async def work() -> ProjectSaved:
            tenant_id, pid = tenant_key(id, "Project")
            await changes.declare_major_change(
                ctx.session,
                ctx.principal,
                tenant_id,
                pid,
                expected_version=expected_version,
                description=description,
                suspend=suspend,
            )
            return ProjectSaved(project=await _project(info, tenant_id, pid))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Report progress on a measure of the passed assessment.")
    async def set_measure_status(
        self, info: Info, measure_id: strawberry.ID, status: MeasureStatus
    ) -> MeasureResult:
        ctx = info.context

        async def work() -> MeasureSaved:
            tenant_id, mid = tenant_key(measure_id, "Measure")
            row = await assessments.set_measure_status(
                ctx.session, ctx.principal, tenant_id, mid, status=status
            )
            return MeasureSaved(measure=Measure.of(row))

        return await run_mutation(info, work)
