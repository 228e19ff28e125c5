"""The early-warning indicators (监测预警): what each counts, and the one SQL statement that
computes it for every project or unit at once.

Each indicator's statement returns `(tenant_id, subject_id, value)` for the subjects it measures,
grouped in the database — never one query per project. Values are integers; a larger value is
worse. Thresholds per level (blue < yellow < orange < red, a level may be unused) turn a value
into a warning level: HQ's Safety Committee Office sets them (`server.signals.settings`), the
defaults are here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)

from server.clock import zone
from server.errors import InvalidInput
from server.incidents.models import Incident, IncidentSeverity
from server.inspections.inspections import INSPECTED_STATES
from server.inspections.models import Hazard, HazardState, Inspection
from server.projects.matrix import Matrix
from server.projects.models import MitigationMeasure, Permit, Project, Review, RiskAssessment
from server.projects.models import RiskSettings as RiskSettingsRow
from server.projects.vocabulary import AssessmentState, MeasureStatus, ReviewDecision, RiskLevel
from server.signals.models import SignalLevel, SubjectType

UNDER_WAY = sorted(s.value for s in INSPECTED_STATES)


@dataclass(frozen=True)
class Thresholds:
    """The smallest value that raises each level; None leaves a level unused."""

    blue: int | None = None
    yellow: int | None = None
    orange: int | None = None
    red: int | None = None

    def used(self) -> list[tuple[SignalLevel, int]]:
        return [
            (SignalLevel(f.name), v)
            for f in fields(self)
            if (v := getattr(self, f.name)) is not None
        ]

    def validate(self) -> Thresholds:
        used = self.used()
        if not used:
            raise InvalidInput("Give at least one level a threshold.", field="thresholds")
        values = [v for _, v in used]
        if any(a >= b for a, b in pairwise(values)):
            order = " < ".join(f"{level.value} {v}" for level, v in used)
            raise InvalidInput(
                f"Thresholds must rise from blue to red (got {order}).", field="thresholds"
            )
        return self

    @property
    def lowest(self) -> int:
        return self.used()[0][1]

    def level_of(self, value: int) -> SignalLevel | None:
        """The highest level whose threshold the value reaches; None below the lowest."""
        reached = [level for level, threshold in self.used() if value >= threshold]
        return reached[-1] if reached else None


@dataclass(frozen=True)
class At:
    """The moment an evaluation measures: the instant and the academy's calendar day."""

    now: datetime
    today: date


Query = Callable[[At], Select[uuid.UUID, uuid.UUID, int]]


@dataclass(frozen=True)
class Indicator:
    name: str
    scope: SubjectType
    title_zh: str
    title_en: str
    counts: str  # what the value is, for people (README, GraphQL)
    rules: str
    defaults: Thresholds
    query: Query
    # Counts fall to 0 when nothing is left to count; a day measure has no value once the
    # subject leaves what the indicator watches (a closed project, say).
    in_days: bool = False

    @property
    def absent_value(self) -> int | None:
        return None if self.in_days else 0


def _tenant(column: Any) -> Any:
    return column.label("tenant_id")


def _subject(column: Any) -> Any:
    return column.label("subject_id")


def _days_between(later: Any, earlier: Any) -> Any:
    """Whole days from `earlier` to `later` (both dates), as PostgreSQL's date subtraction."""
    return cast(later, Date) - cast(earlier, Date)


def overdue_by_project(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    # R-OVERDUE: a hazard handed over at closure (R-CLOSE) has left its project; the unit
    # still counts it below.
    return (
        select(_tenant(Hazard.tenant_id), _subject(Hazard.project_id), func.count().label("value"))
        .where(
            Hazard.state != HazardState.CLOSED.value,
            Hazard.deadline < at.today,
            Hazard.handed_over_at.is_(None),
        )
        .group_by(Hazard.tenant_id, Hazard.project_id)
    )


def overdue_by_unit(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    return (
        select(_tenant(Hazard.tenant_id), _subject(Hazard.tenant_id), func.count().label("value"))
        .where(Hazard.state != HazardState.CLOSED.value, Hazard.deadline < at.today)
        .group_by(Hazard.tenant_id)
    )


def permit_lapse(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    # R-PERMIT: the newest permit of each project under way that needs national approval;
    # days past its last valid day, negative while it is still valid.
    return (
        select(
            _tenant(Permit.tenant_id),
            _subject(Permit.project_id),
            (literal(at.today, Date) - func.max(Permit.valid_until)).label("value"),
        )
        .join(
            Project,
            (Project.tenant_id == Permit.tenant_id) & (Project.id == Permit.project_id),
        )
        .where(Project.state.in_(UNDER_WAY), Project.national_approval_required.is_(True))
        .group_by(Permit.tenant_id, Permit.project_id)
    )


def _default_months(level: Any) -> Any:
    cadence = Matrix().inspection_months
    return case(*((level == k, v) for k, v in cadence.items()), else_=cadence["low"])


def sensitive_inspection_overdue(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    """R-SENSITIVE, R-INSPECT: days a sensitive-field project under way is past the inspection
    its cadence asks for — the same plan as `server.inspections.inspections.plan_for`: the
    institute's months for the current assessment's level, counted from the last inspection,
    else from when the project entered its current state, else from its start date."""
    last = (
        select(
            Inspection.tenant_id,
            Inspection.project_id,
            func.max(Inspection.inspected_on).label("last_on"),
        )
        .group_by(Inspection.tenant_id, Inspection.project_id)
        .subquery()
    )
    level = func.coalesce(RiskAssessment.overall_level, RiskLevel.LOW.value)
    months = func.coalesce(
        cast(RiskSettingsRow.matrix["inspection_months"][level].astext, Integer),
        _default_months(level),
    )
    # plan_for takes the state change's date as Python sees it: the UTC date.
    since = func.coalesce(
        last.c.last_on,
        cast(func.timezone("UTC", Project.state_changed_at), Date),
        Project.start_date,
    )
    next_due = cast(since + func.make_interval(0, months), Date)
    return (
        select(
            _tenant(Project.tenant_id),
            _subject(Project.id),
            _days_between(literal(at.today, Date), next_due).label("value"),
        )
        .outerjoin(
            RiskAssessment,
            (RiskAssessment.tenant_id == Project.tenant_id)
            & (RiskAssessment.id == Project.current_assessment_id),
        )
        .outerjoin(
            last, (last.c.tenant_id == Project.tenant_id) & (last.c.project_id == Project.id)
        )
        .outerjoin(RiskSettingsRow, RiskSettingsRow.tenant_id == Project.tenant_id)
        .where(Project.state.in_(UNDER_WAY), func.cardinality(Project.sensitive_fields) > 0)
    )


# R-INCIDENT: a major incident weighs more than a general one.
INCIDENT_WEIGHTS = {
    IncidentSeverity.GENERAL: 1,
    IncidentSeverity.MAJOR: 3,
    IncidentSeverity.ESPECIALLY_MAJOR: 5,
}
INCIDENT_WINDOW = timedelta(days=90)


def incidents_recent(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    weight = case(
        *((Incident.severity == s.value, w) for s, w in INCIDENT_WEIGHTS.items()), else_=1
    )
    return (
        select(
            _tenant(Incident.tenant_id),
            _subject(Incident.tenant_id),
            func.sum(weight).label("value"),
        )
        .where(Incident.occurred_at >= at.now - INCIDENT_WINDOW)
        .group_by(Incident.tenant_id)
    )


def measures_past_due(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    # R-INSPECT: "the measures in the assessment must be carried out" — those of the current
    # assessment of a project under way, past their due date and not done.
    return (
        select(_tenant(Project.tenant_id), _subject(Project.id), func.count().label("value"))
        .join(
            MitigationMeasure,
            (MitigationMeasure.tenant_id == Project.tenant_id)
            & (MitigationMeasure.assessment_id == Project.current_assessment_id),
        )
        .where(
            Project.state.in_(UNDER_WAY),
            MitigationMeasure.due_date < at.today,
            MitigationMeasure.status != MeasureStatus.DONE.value,
        )
        .group_by(Project.tenant_id, Project.id)
    )


def assessment_trail_incomplete(at: At) -> Select[uuid.UUID, uuid.UUID, int]:
    """R-GATE, R-CHANGE: days a project under way has gone without a complete assessment
    trail — its current assessment not passed (a major change reopened it, say), or passed
    without any passing review — counted from when that assessment was opened (day 1)."""
    passed_review = exists().where(
        Review.tenant_id == Project.tenant_id,
        Review.assessment_id == Project.current_assessment_id,
        Review.decision == ReviewDecision.PASS.value,
    )
    since = func.coalesce(RiskAssessment.created_at, Project.state_changed_at, Project.created_at)
    return (
        select(
            _tenant(Project.tenant_id),
            _subject(Project.id),
            (_days_between(literal(at.today, Date), func.timezone(zone().key, since)) + 1).label(
                "value"
            ),
        )
        .outerjoin(
            RiskAssessment,
            (RiskAssessment.tenant_id == Project.tenant_id)
            & (RiskAssessment.id == Project.current_assessment_id),
        )
        .where(
            Project.state.in_(UNDER_WAY),
            or_(
                RiskAssessment.id.is_(None),
                RiskAssessment.state != AssessmentState.PASSED.value,
                and_(RiskAssessment.state == AssessmentState.PASSED.value, ~passed_review),
            ),
        )
    )


PROJECT, UNIT = SubjectType.PROJECT, SubjectType.UNIT

INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in [
        Indicator(
            "overdue_rectifications_project", PROJECT,
            "项目隐患整改逾期", "Overdue rectifications (project)",
            "hazards of the project not closed and past their rectification deadline",
            "R-OVERDUE", Thresholds(blue=1, yellow=2, orange=3, red=5), overdue_by_project,
        ),
        Indicator(
            "overdue_rectifications_unit", UNIT,
            "单位隐患整改逾期", "Overdue rectifications (unit)",
            "hazards of the unit not closed and past their rectification deadline",
            "R-OVERDUE, R-HAZARD", Thresholds(blue=1, yellow=3, orange=5, red=10),
            overdue_by_unit,
        ),
        Indicator(
            "permit_lapse", PROJECT,
            "行政许可即将到期或已过期", "Permit expiring or expired",
            "days past the newest permit's last valid day (negative: days left), for projects "
            "under way that need national approval",
            "R-PERMIT", Thresholds(blue=-30, yellow=-7, orange=1, red=15), permit_lapse,
            in_days=True,
        ),
        Indicator(
            "sensitive_inspection_overdue", PROJECT,
            "敏感领域项目未按期监督检查", "Sensitive-field project not inspected in its cadence",
            "days a sensitive-field project under way is past the inspection its cadence asks "
            "for",
            "R-SENSITIVE, R-INSPECT", Thresholds(blue=1, yellow=15, orange=30, red=60),
            sensitive_inspection_overdue, in_days=True,
        ),
        Indicator(
            "incidents_90_days", UNIT,
            "近90天事件事故", "Incidents in the last 90 days",
            "incidents that occurred in the last 90 days, weighted by severity (general 1, "
            "major 3, especially major 5)",
            "R-INCIDENT", Thresholds(blue=1, yellow=3, orange=5, red=8), incidents_recent,
        ),
        Indicator(
            "measures_past_due", PROJECT,
            "防范措施逾期未落实", "Mitigation measures past due",
            "mitigation measures of the current assessment not done by their due date, for "
            "projects under way",
            "R-INSPECT", Thresholds(blue=1, yellow=3, orange=5, red=8), measures_past_due,
        ),
        Indicator(
            "assessment_trail_incomplete", PROJECT,
            "实施中项目评估审核不完整", "Project under way without a complete assessment trail",
            "days a project under way has gone without a passed current assessment and a "
            "passing review of it, from when that assessment was opened",
            "R-GATE, R-CHANGE", Thresholds(yellow=1, orange=15, red=30),
            assessment_trail_incomplete, in_days=True,
        ),
    ]
}  # fmt: skip
