"""GraphQL types of the projects domain. Scalars come from plain attributes; relations load
through the per-request DataLoaders, so a page of projects costs a fixed number of statements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.documents.types import Document
from schema.inspections.types import Inspection as InspectionType
from schema.inspections.types import InspectionPlan as InspectionPlanType
from schema.relay import Node, to_global_id
from schema.tenancy.types import Department, OrgUnit, User
from schema.warnlist.types import WarningListStanding
from server import clock
from server.authz import is_allowed
from server.documents.service import DocumentAccess, read_action
from server.inspections.inspections import plan_for
from server.projects import lifecycle, models
from server.projects.access import ProjectAccess, relations
from server.projects.matrix import Matrix
from server.projects.vocabulary import (
    CATEGORY_TITLES_ZH,
    AssessmentState,
    FilingState,
    MeasureStatus,
    ProjectState,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)
from server.warnlist import service as warnlist

for _enum, _name in (
    (ProjectState, "ProjectState"),
    (AssessmentState, "AssessmentState"),
    (RiskCategory, "RiskCategory"),
    (RiskLevel, "RiskLevel"),
    (SensitiveField, "SensitiveField"),
    (ReviewStage, "ReviewStage"),
    (ReviewMethod, "ReviewMethod"),
    (ReviewDecision, "ReviewDecision"),
    (MeasureStatus, "MeasureStatus"),
    (FilingState, "FilingState"),
):
    strawberry.enum(_enum, name=_name)

Key = tuple[uuid.UUID, uuid.UUID]
# States in which the project's work is under way (and a lapsed permit blocks it).
UNDER_WAY = {ProjectState.IMPLEMENTING, ProjectState.OUTCOME, ProjectState.CLOSING}


@strawberry.type(description="A mitigation measure (owner, due date, status).")
class Measure(Node):
    description: str
    due_date: date | None
    status: MeasureStatus
    owner_key: strawberry.Private[Key | None]

    @classmethod
    def of(cls, m: models.MitigationMeasure) -> Measure:
        return cls(
            id=to_global_id("Measure", m.tenant_id, m.id),
            description=m.description,
            due_date=m.due_date,
            status=MeasureStatus(m.status),
            owner_key=(m.tenant_id, m.owner_user_id) if m.owner_user_id else None,
        )

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        if self.owner_key is None:
            return None
        user = await info.context.loaders.user_by_key.load(self.owner_key)
        return User.of(user) if user else None


@strawberry.type(description="A risk point: likelihood × impact gives its level.")
class RiskPoint:
    category: RiskCategory
    description: str
    likelihood: int
    impact: int
    level: RiskLevel
    consequences: str
    key: strawberry.Private[Key]

    @classmethod
    def of(cls, p: models.RiskPoint) -> RiskPoint:
        return cls(
            category=RiskCategory(p.category),
            description=p.description,
            likelihood=p.likelihood,
            impact=p.impact,
            level=RiskLevel(p.level),
            consequences=p.consequences,
            key=(p.tenant_id, p.id),
        )

    @strawberry.field
    async def measures(self, info: Info) -> list[Measure]:
        rows = await info.context.loaders.measures_by_risk_point.load(self.key)
        return [Measure.of(m) for m in rows]


@strawberry.type(description="A key technology, material or equipment (卡脖子 exposure).")
class Dependency:
    item: str
    item_kind: str
    source_country: str
    supplier: str
    domestic_substitute: bool
    stock_or_lead_time: str


@strawberry.type
class NotApplicable:
    category: RiskCategory
    reason: str


@strawberry.type(description="The matrix an assessment was made on.")
class RiskMatrix:
    size: int
    medium_from: int
    high_from: int
    critical_from: int
    plan_required_from: RiskLevel
    letter_required_from: RiskLevel

    @classmethod
    def of(cls, m: Matrix) -> RiskMatrix:
        return cls(
            size=m.size,
            medium_from=m.thresholds["medium"],
            high_from=m.thresholds["high"],
            critical_from=m.thresholds["critical"],
            plan_required_from=RiskLevel(m.plan_required_from),
            letter_required_from=RiskLevel(m.letter_required_from),
        )


@strawberry.type
class CategoryInfo:
    category: RiskCategory
    title_zh: str


@strawberry.type(description="A review decision (R-REVIEW), sign-off (R-SENSITIVE) or re-review.")
class ReviewRecord:
    stage: ReviewStage
    method: ReviewMethod
    decision: ReviewDecision
    opinion_accuracy: str
    opinion_measures: str
    reviewer: str
    minutes_document_id: strawberry.ID | None
    created_at: datetime

    @classmethod
    def of(cls, r: models.Review) -> ReviewRecord:
        return cls(
            stage=ReviewStage(r.stage),
            method=ReviewMethod(r.method),
            decision=ReviewDecision(r.decision),
            opinion_accuracy=r.opinion_accuracy,
            opinion_measures=r.opinion_measures,
            reviewer=r.reviewer_label,
            minutes_document_id=(
                to_global_id("Document", r.tenant_id, r.minutes_document_id)
                if r.minutes_document_id
                else None
            ),
            created_at=r.created_at,
        )


@strawberry.type(description="One version of the project's risk assessment (R-ASSESS).")
class Assessment(Node):
    number: int
    state: AssessmentState
    overall_level: RiskLevel | None
    version: int = strawberry.field(description="Send back as expectedVersion when saving.")
    reason_for_version: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    not_applicable: list[NotApplicable]
    matrix: RiskMatrix
    key: strawberry.Private[Key]

    @classmethod
    def of(cls, a: models.RiskAssessment) -> Assessment:
        m = Matrix.from_json(a.matrix)
        return cls(
            id=to_global_id("Assessment", a.tenant_id, a.id),
            number=a.number,
            state=AssessmentState(a.state),
            overall_level=RiskLevel(a.overall_level) if a.overall_level else None,
            version=a.lock_version,
            reason_for_version=a.reason_for_version,
            submitted_at=a.submitted_at,
            decided_at=a.decided_at,
            not_applicable=[
                NotApplicable(category=RiskCategory(c), reason=r)
                for c, r in sorted(a.not_applicable.items())
            ],
            matrix=RiskMatrix.of(m),
            key=(a.tenant_id, a.id),
        )

    @strawberry.field(
        description="Where to GET the assessment form (《科研项目安全风险评估表》) with your "
        "bearer token: `docx` or `pdf`."
    )
    def form_url(self, format: str = "pdf") -> str:
        tenant_id, assessment_id = self.key
        return f"/forms/assessments/{tenant_id}/{assessment_id}.{format}"

    @strawberry.field
    async def risk_points(self, info: Info) -> list[RiskPoint]:
        rows = await info.context.loaders.risk_points_by_assessment.load(self.key)
        return [RiskPoint.of(p) for p in rows]

    @strawberry.field
    async def dependencies(self, info: Info) -> list[Dependency]:
        rows = await info.context.loaders.dependencies_by_assessment.load(self.key)
        return [
            Dependency(
                item=d.item,
                item_kind=d.item_kind,
                source_country=d.source_country,
                supplier=d.supplier,
                domestic_substitute=d.domestic_substitute,
                stock_or_lead_time=d.stock_or_lead_time,
            )
            for d in rows
        ]

    @strawberry.field
    async def reviews(self, info: Info) -> list[ReviewRecord]:
        rows = await info.context.loaders.reviews_by_assessment.load(self.key)
        return [ReviewRecord.of(r) for r in rows]


@strawberry.type(description="A filing with the HQ business department (R-FILING).")
class FilingRecord(Node):
    state: FilingState
    signed_by: str
    statement: str
    hq_decided_by: str | None
    hq_decided_at: datetime | None
    hq_comment: str | None
    created_at: datetime

    @classmethod
    def of(cls, f: models.Filing) -> FilingRecord:
        return cls(
            id=to_global_id("Filing", f.tenant_id, f.id),
            state=FilingState(f.state),
            signed_by=f.signed_by_label,
            statement=f.statement,
            hq_decided_by=f.hq_decided_by_label,
            hq_decided_at=f.hq_decided_at,
            hq_comment=f.hq_comment,
            created_at=f.created_at,
        )


@strawberry.type(description="A national administrative permit (R-PERMIT).")
class PermitRecord:
    authority: str
    permit_number: str
    scope: str
    valid_from: date
    valid_until: date
    valid_today: bool
    document_id: strawberry.ID | None

    @classmethod
    def of(cls, p: models.Permit, today: date) -> PermitRecord:
        return cls(
            authority=p.authority,
            permit_number=p.permit_number,
            scope=p.scope,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            valid_today=p.valid_on(today),
            document_id=to_global_id("Document", p.tenant_id, p.document_id)
            if p.document_id
            else None,
        )


@strawberry.type(description="A major change and its re-assessment (R-CHANGE).")
class MajorChangeRecord:
    description: str
    declared_by: str
    suspended: bool
    resolved_at: datetime | None
    created_at: datetime


@strawberry.type(description="A research project, from proposal to closure.")
class Project(Node):
    title: str
    summary: str
    state: ProjectState
    state_changed_at: datetime | None
    state_reason: str | None
    deployed_by_hq: bool
    hq_department: str | None
    funding_source: str
    start_date: date
    end_date: date
    research_fields: list[str]
    sensitive_fields: list[SensitiveField]
    international_cooperation: bool
    national_filing_required: bool
    national_approval_required: bool
    major_impact: bool
    filing_required: bool
    closure_summary: str | None
    created_at: datetime
    version: int = strawberry.field(description="Send back as expectedVersion with a change.")
    allowed_transitions: list[str] = strawberry.field(
        description="Transitions the state machine allows from here (permissions aside)."
    )
    row: strawberry.Private[models.Project]

    @classmethod
    def of(cls, p: models.Project) -> Project:
        return cls(
            id=to_global_id("Project", p.tenant_id, p.id),
            title=p.title,
            summary=p.summary,
            state=ProjectState(p.state),
            state_changed_at=p.state_changed_at,
            state_reason=p.state_reason,
            deployed_by_hq=p.deployed_by_hq,
            hq_department=p.hq_department,
            funding_source=p.funding_source,
            start_date=p.start_date,
            end_date=p.end_date,
            research_fields=list(p.research_fields),
            sensitive_fields=[SensitiveField(f) for f in p.sensitive_fields],
            international_cooperation=p.international_cooperation,
            national_filing_required=p.national_filing_required,
            national_approval_required=p.national_approval_required,
            major_impact=p.major_impact,
            filing_required=p.filing_required,
            closure_summary=p.closure_summary,
            created_at=p.created_at,
            version=p.lock_version,
            allowed_transitions=lifecycle.allowed_from(ProjectState(p.state)),
            row=p,
        )

    @property
    def key(self) -> Key:
        return (self.row.tenant_id, self.row.id)

    @strawberry.field(description="The undertaking institute.")
    async def org_unit(self, info: Info) -> OrgUnit:
        unit = await info.context.loaders.org_unit_by_id.load(self.row.tenant_id)
        assert unit is not None
        return OrgUnit.of(unit)

    @strawberry.field(description="The undertaking department.")
    async def department(self, info: Info) -> Department | None:
        dept = await info.context.loaders.department_by_key.load(
            (self.row.tenant_id, self.row.department_id)
        )
        return Department.of(dept) if dept else None

    @strawberry.field(description="The principal investigator (负责人).")
    async def principal_investigator(self, info: Info) -> User | None:
        user = await info.context.loaders.user_by_key.load(
            (self.row.tenant_id, self.row.pi_user_id)
        )
        return User.of(user) if user else None

    @strawberry.field
    async def members(self, info: Info) -> list[User]:
        rows = await info.context.loaders.members_by_project.load(self.key)
        users = await info.context.loaders.user_by_key.load_many(
            [(m.tenant_id, m.user_id) for m in rows]
        )
        return [User.of(u) for u in users if u is not None]

    @strawberry.field
    async def current_assessment(self, info: Info) -> Assessment | None:
        if self.row.current_assessment_id is None:
            return None
        row = await info.context.loaders.assessment_by_key.load(
            (self.row.tenant_id, self.row.current_assessment_id)
        )
        return Assessment.of(row) if row else None

    @strawberry.field(
        description="Of allowedTransitions, those the viewer's roles and relations (R-OWN) "
        "permit; guards may still refuse one, with a reason."
    )
    async def permitted_transitions(self, info: Info) -> list[str]:
        ctx = info.context
        members = await ctx.loaders.members_by_project.load(self.key)
        access = ProjectAccess(self.row, tuple(m.user_id for m in members))
        return [
            name
            for name in self.allowed_transitions
            if is_allowed(ctx.principal, lifecycle.TRANSITIONS[name].action, access)
        ]

    @strawberry.field(description="Every version, newest first.")
    async def assessments(self, info: Info) -> list[Assessment]:
        rows = await info.context.loaders.assessments_by_project.load(self.key)
        return [Assessment.of(a) for a in rows]

    @strawberry.field(description="Documents attached to the project that the viewer may read.")
    async def documents(self, info: Info) -> list[Document]:
        ctx = info.context
        rows = await ctx.loaders.documents_by_project.load(self.key)
        if not rows:
            return []
        members = await ctx.loaders.members_by_project.load(self.key)
        rel = relations(ctx.principal, self.row, [m.user_id for m in members])
        return [
            Document.of(d)
            for d in rows
            if is_allowed(ctx.principal, read_action(d.sensitivity), DocumentAccess(d, rel))
        ]

    @strawberry.field
    async def filings(self, info: Info) -> list[FilingRecord]:
        rows = await info.context.loaders.filings_by_project.load(self.key)
        return [FilingRecord.of(f) for f in rows]

    @strawberry.field
    async def permits(self, info: Info) -> list[PermitRecord]:
        today = clock.today()
        rows = await info.context.loaders.permits_by_project.load(self.key)
        return [PermitRecord.of(p, today) for p in rows]

    @strawberry.field(
        description="R-PERMIT: under way without a permit valid today; blocked until renewed."
    )
    async def permit_lapsed(self, info: Info) -> bool:
        if not self.row.national_approval_required or ProjectState(self.row.state) not in (
            UNDER_WAY
        ):
            return False
        today = clock.today()
        rows = await info.context.loaders.permits_by_project.load(self.key)
        return not any(p.valid_on(today) for p in rows)

    @strawberry.field(description="Cadence and next due date (R-INSPECT); null when not under way.")
    async def inspection_plan(self, info: Info) -> InspectionPlanType | None:
        loaders = info.context.loaders
        assessment = (
            await loaders.assessment_by_key.load(
                (self.row.tenant_id, self.row.current_assessment_id)
            )
            if self.row.current_assessment_id
            else None
        )
        level = RiskLevel((assessment.overall_level if assessment else None) or "low")
        done = await loaders.inspections_by_project.load(self.key)
        settings = await loaders.risk_settings_by_unit.load(self.row.tenant_id)
        matrix = Matrix.from_json(settings.matrix if settings else None)
        plan = plan_for(self.row, level, matrix, done[0].inspected_on if done else None)
        if plan is None:
            return None
        return InspectionPlanType(
            months=plan.months,
            last_inspected_on=plan.last_inspected_on,
            next_due=plan.next_due,
            due=plan.due_on(clock.today()),
        )

    @strawberry.field(description="Newest first.")
    async def inspections(self, info: Info) -> list[InspectionType]:
        rows = await info.context.loaders.inspections_by_project.load(self.key)
        return [InspectionType.of(i) for i in rows]

    @strawberry.field
    async def major_changes(self, info: Info) -> list[MajorChangeRecord]:
        rows = await info.context.loaders.changes_by_project.load(self.key)
        return [
            MajorChangeRecord(
                description=c.description,
                declared_by=c.declared_by_label,
                suspended=c.suspended,
                resolved_at=c.resolved_at,
                created_at=c.created_at,
            )
            for c in rows
        ]

    @strawberry.field(
        description="R-WARNLIST: active warning-list entries on the unit, department or PI (a "
        "ban bars submission and approval; a listing needs HQ re-review). One statement per "
        "project: meant for the project page, not for lists."
    )
    async def warning_list_standing(self, info: Info) -> WarningListStanding:
        return WarningListStanding.of(await warnlist.standing(info.context.session, self.row))


def categories() -> list[CategoryInfo]:
    return [CategoryInfo(category=c, title_zh=CATEGORY_TITLES_ZH[c]) for c in RiskCategory]
