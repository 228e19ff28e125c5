"""Per-request DataLoaders, named `XByYLoader`: one statement per batch, whatever the list size."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from server.documents.models import Document, DocumentVersion
from server.documents.service import versions_of
from server.evaluations.models import UnitRating
from server.incidents.models import IncidentUpdate, SpecialMeeting
from server.inspections.models import (
    HandlingRecommendation,
    Hazard,
    Inspection,
    MeasureCheck,
    Supervision,
)
from server.notices.models import NoticeDelivery
from server.outcomes.models import AspectReview
from server.projects.models import (
    ChokepointDependency,
    Filing,
    MajorChange,
    MitigationMeasure,
    Permit,
    Project,
    ProjectMember,
    Review,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from server.signals.models import WarningSignalEvent
from server.tenancy.models import Department, Membership, OrgUnit, User
from server.tenancy.service import memberships_of
from server.warnlist.models import WarningListEvent

Key = tuple[uuid.UUID, uuid.UUID]  # (tenant_id, id): every tenant row is found by both
M = TypeVar("M")


def rows_by_key(session: AsyncSession, model: type[M]) -> DataLoader[Key, M | None]:
    """Tenant rows by (tenant_id, id), one statement per batch."""

    async def batch(keys: Sequence[Key]) -> list[M | None]:
        table: Any = model
        rows = await session.execute(
            select(model).where(
                table.tenant_id.in_({t for t, _ in keys}), table.id.in_({i for _, i in keys})
            )
        )
        found = {(r.tenant_id, r.id): r for r in rows.scalars()}  # type: ignore[attr-defined]
        return [found.get(k) for k in keys]

    return DataLoader(batch)


def rows_grouped(
    session: AsyncSession, model: type[M], column: str, *order: Any, where: Any = None
) -> DataLoader[Key, list[M]]:
    """Tenant rows whose `column` is one of the keys' ids, grouped by (tenant_id, column)."""

    async def batch(keys: Sequence[Key]) -> list[list[M]]:
        table: Any = model
        stmt = select(model).where(
            table.tenant_id.in_({t for t, _ in keys}),
            getattr(table, column).in_({i for _, i in keys}),
        )
        if where is not None:
            stmt = stmt.where(where)
        rows = await session.execute(stmt.order_by(*order))
        grouped: dict[Key, list[M]] = {k: [] for k in keys}
        for row in rows.scalars():
            key = (row.tenant_id, getattr(row, column))  # type: ignore[attr-defined]
            if key in grouped:
                grouped[key].append(row)
        return [grouped[k] for k in keys]

    return DataLoader(batch)


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.org_unit_by_id: DataLoader[uuid.UUID, OrgUnit | None] = DataLoader(self._org_units)
        self.memberships_by_user: DataLoader[Key, list[Membership]] = DataLoader(self._memberships)
        self.versions_by_document: DataLoader[Key, list[DocumentVersion]] = DataLoader(
            self._versions
        )
        self.user_by_key = rows_by_key(session, User)
        self.department_by_key = rows_by_key(session, Department)
        self.assessment_by_key = rows_by_key(session, RiskAssessment)
        self.assessments_by_project = rows_grouped(
            session, RiskAssessment, "project_id", RiskAssessment.number.desc()
        )
        self.members_by_project = rows_grouped(
            session, ProjectMember, "project_id", ProjectMember.created_at
        )
        self.risk_points_by_assessment = rows_grouped(
            session, RiskPoint, "assessment_id", RiskPoint.position
        )
        self.measures_by_risk_point = rows_grouped(
            session, MitigationMeasure, "risk_point_id", MitigationMeasure.position
        )
        self.dependencies_by_assessment = rows_grouped(
            session, ChokepointDependency, "assessment_id", ChokepointDependency.position
        )
        self.reviews_by_assessment = rows_grouped(
            session, Review, "assessment_id", Review.created_at
        )
        self.filings_by_project = rows_grouped(session, Filing, "project_id", Filing.created_at)
        self.permits_by_project = rows_grouped(session, Permit, "project_id", Permit.valid_from)
        self.changes_by_project = rows_grouped(
            session, MajorChange, "project_id", MajorChange.created_at
        )
        self.supervisions_by_hazard = rows_grouped(
            session, Supervision, "hazard_id", Supervision.created_at
        )
        self.recommendations_by_hazard = rows_grouped(
            session, HandlingRecommendation, "hazard_id", HandlingRecommendation.created_at
        )
        self.risk_settings_by_unit: DataLoader[uuid.UUID, RiskSettings | None] = DataLoader(
            self._risk_settings
        )
        # A run's ratings span every institute: keyed by the run alone (RLS still applies).
        self.ratings_by_run: DataLoader[uuid.UUID, list[UnitRating]] = DataLoader(
            self._ratings_by_run
        )
        self.events_by_warning_list_entry = rows_grouped(
            session, WarningListEvent, "entry_id", WarningListEvent.created_at, WarningListEvent.id
        )
        self.updates_by_incident = rows_grouped(
            session, IncidentUpdate, "incident_id", IncidentUpdate.created_at
        )
        self.meetings_by_incident = rows_grouped(
            session, SpecialMeeting, "incident_id", SpecialMeeting.held_on
        )
        self.aspect_reviews_by_release = rows_grouped(
            session, AspectReview, "release_id", AspectReview.created_at
        )
        self.checks_by_inspection = rows_grouped(
            session, MeasureCheck, "inspection_id", MeasureCheck.measure_id
        )
        self.hazards_by_inspection = rows_grouped(
            session, Hazard, "inspection_id", Hazard.created_at
        )
        self.inspections_by_project = rows_grouped(
            session, Inspection, "project_id", Inspection.inspected_on.desc()
        )
        self.deliveries_by_notice = rows_grouped(
            session, NoticeDelivery, "notice_id", NoticeDelivery.channel, NoticeDelivery.target
        )
        self.documents_by_project = rows_grouped(
            session,
            Document,
            "attached_id",
            Document.created_at,
            where=Document.attached_type == "project",
        )
        self.project_by_key = rows_by_key(session, Project)
        self.events_by_signal = rows_grouped(
            session, WarningSignalEvent, "signal_id", WarningSignalEvent.at, WarningSignalEvent.id
        )

    async def _org_units(self, ids: Sequence[uuid.UUID]) -> list[OrgUnit | None]:
        # Row-level security applies: a unit the principal may not see loads as None.
        rows = await self.session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids)))
        found = {u.id: u for u in rows.scalars()}
        return [found.get(i) for i in ids]

    async def _risk_settings(self, ids: Sequence[uuid.UUID]) -> list[RiskSettings | None]:
        rows = await self.session.execute(
            select(RiskSettings).where(RiskSettings.tenant_id.in_(ids))
        )
        found = {r.tenant_id: r for r in rows.scalars()}
        return [found.get(i) for i in ids]

    async def _ratings_by_run(self, run_ids: Sequence[uuid.UUID]) -> list[list[UnitRating]]:
        rows = await self.session.execute(
            select(UnitRating)
            .where(UnitRating.run_id.in_(run_ids))
            .order_by(UnitRating.score.desc(), UnitRating.tenant_id)
        )
        grouped: dict[uuid.UUID, list[UnitRating]] = {i: [] for i in run_ids}
        for rating in rows.scalars():
            grouped[rating.run_id].append(rating)
        return [grouped[i] for i in run_ids]

    async def _memberships(self, keys: Sequence[Key]) -> list[list[Membership]]:
        found = await memberships_of(self.session, keys)
        return [found[k] for k in keys]

    async def _versions(self, keys: Sequence[Key]) -> list[list[DocumentVersion]]:
        found = await versions_of(self.session, keys)
        return [found[k] for k in keys]
