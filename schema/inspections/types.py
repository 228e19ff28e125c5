"""GraphQL types of hazards and their rectification."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit, User
from server import clock
from server.inspections import models
from server.inspections.models import (
    BanTarget,
    HandlingDecision,
    HazardSeverity,
    HazardSource,
    HazardState,
)
from server.projects.vocabulary import RiskCategory

for _enum, _name in (
    (HazardSource, "HazardSource"),
    (HazardSeverity, "HazardSeverity"),
    (HazardState, "HazardState"),
    (HandlingDecision, "HandlingDecision"),
    (BanTarget, "BanTarget"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.type(description="督办: a supervisor's comment and deadline on a hazard.")
class SupervisionRecord:
    by: str
    comment: str
    deadline: date | None
    created_at: datetime


@strawberry.type(description="R-OVERDUE: a recommendation to the HQ business department.")
class HandlingRecommendation(Node):
    reason: str
    recommended_by: str
    decision: HandlingDecision | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime

    @classmethod
    def of(cls, r: models.HandlingRecommendation) -> HandlingRecommendation:
        return cls(
            id=to_global_id("HandlingRecommendation", r.tenant_id, r.id),
            reason=r.reason,
            recommended_by=r.recommended_by_label,
            decision=HandlingDecision(r.decision) if r.decision else None,
            decided_by=r.decided_by_label,
            decided_at=r.decided_at,
            decision_note=r.decision_note,
            created_at=r.created_at,
        )


@strawberry.type(description="A hazard (风险隐患) and its rectification (整改).")
class Hazard(Node):
    title: str
    description: str
    source: HazardSource
    severity: HazardSeverity
    category: RiskCategory | None
    state: HazardState
    reported_by: str
    deadline: date | None
    plan: str | None
    rectification_note: str | None
    rectified_at: datetime | None
    verified_by: str | None
    verified_at: datetime | None
    verification_note: str | None
    inadequate_rectifications: int
    reopened: int
    handed_over_reason: str | None = strawberry.field(
        description="R-CLOSE: why it stayed open when the project closed."
    )
    handed_over_by: str | None
    created_at: datetime
    version: int
    project_id: strawberry.ID
    overdue: bool = strawberry.field(description="Derived: not closed and past its deadline.")
    row: strawberry.Private[models.Hazard]

    @classmethod
    def of(cls, h: models.Hazard) -> Hazard:
        return cls(
            id=to_global_id("Hazard", h.tenant_id, h.id),
            title=h.title,
            description=h.description,
            source=HazardSource(h.source),
            severity=HazardSeverity(h.severity),
            category=RiskCategory(h.category) if h.category else None,
            state=HazardState(h.state),
            reported_by=h.reported_by_label,
            deadline=h.deadline,
            plan=h.plan,
            rectification_note=h.rectification_note,
            rectified_at=h.rectified_at,
            verified_by=h.verified_by_label,
            verified_at=h.verified_at,
            verification_note=h.verification_note,
            inadequate_rectifications=h.rejections,
            reopened=h.reopened,
            handed_over_reason=h.handed_over_reason,
            handed_over_by=h.handed_over_by_label,
            created_at=h.created_at,
            version=h.lock_version,
            project_id=to_global_id("Project", h.tenant_id, h.project_id),
            overdue=h.overdue_on(clock.today()),
            row=h,
        )

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.row.tenant_id, self.row.id)

    @strawberry.field(description="The institute the hazard belongs to.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.row.tenant_id)
        return OrgUnit.of(unit) if unit is not None else None

    @strawberry.field(description="The title of the hazard's project (lists show it).")
    async def project_title(self, info: Info) -> str | None:
        project = await info.context.loaders.project_by_key.load(
            (self.row.tenant_id, self.row.project_id)
        )
        return project.title if project is not None else None

    @strawberry.field(description="Who rectifies it (the plan's owner).")
    async def owner(self, info: Info) -> User | None:
        if self.row.owner_user_id is None:
            return None
        user = await info.context.loaders.user_by_key.load(
            (self.row.tenant_id, self.row.owner_user_id)
        )
        return User.of(user) if user else None

    @strawberry.field
    async def supervisions(self, info: Info) -> list[SupervisionRecord]:
        rows = await info.context.loaders.supervisions_by_hazard.load(self.key)
        return [
            SupervisionRecord(
                by=s.by_label, comment=s.comment, deadline=s.deadline, created_at=s.created_at
            )
            for s in rows
        ]

    @strawberry.field
    async def handling_recommendations(self, info: Info) -> list[HandlingRecommendation]:
        rows = await info.context.loaders.recommendations_by_hazard.load(self.key)
        return [HandlingRecommendation.of(r) for r in rows]


strawberry.enum(models.CheckResult, name="CheckResult")


@strawberry.type(description="R-INSPECT: how far one measure is carried out.")
class MeasureCheck:
    measure_id: strawberry.ID
    result: models.CheckResult
    note: str


@strawberry.type(description="A supervision inspection (R-INSPECT, R-SUPERVISE).")
class Inspection(Node):
    inspected_on: date
    inspector: str
    inspector_unit_kind: str
    summary: str
    report_document_id: strawberry.ID | None
    created_at: datetime
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, i: models.Inspection) -> Inspection:
        return cls(
            id=to_global_id("Inspection", i.tenant_id, i.id),
            inspected_on=i.inspected_on,
            inspector=i.inspector_label,
            inspector_unit_kind=i.inspector_unit_kind,
            summary=i.summary,
            report_document_id=to_global_id("Document", i.tenant_id, i.report_document_id)
            if i.report_document_id
            else None,
            created_at=i.created_at,
            key=(i.tenant_id, i.id),
        )

    @strawberry.field
    async def checks(self, info: Info) -> list[MeasureCheck]:
        rows = await info.context.loaders.checks_by_inspection.load(self.key)
        return [
            MeasureCheck(
                measure_id=to_global_id("Measure", c.tenant_id, c.measure_id),
                result=models.CheckResult(c.result),
                note=c.note,
            )
            for c in rows
        ]

    @strawberry.field(description="The hazards its findings became.")
    async def hazards(self, info: Info) -> list[Hazard]:
        rows = await info.context.loaders.hazards_by_inspection.load(self.key)
        return [Hazard.of(h) for h in rows]


@strawberry.type(description="Derived from the current assessment's level (R-INSPECT).")
class InspectionPlan:
    months: int
    last_inspected_on: date | None
    next_due: date
    due: bool
