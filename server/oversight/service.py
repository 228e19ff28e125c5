"""Oversight (ORG-HQ-DUTY, ORG-BRANCH, R-SUPERVISE, R-OVERDUE): counts and trends across the
institutes a body supervises. Every panel is aggregated by PostgreSQL (GROUP BY, FILTER,
GROUPING SETS, generate_series) in a fixed number of statements, whatever the data size; Python
only relabels the aggregated rows.

A view has a scope: HQ (every institute), a branch academy (the institutes it supervises) or one
institute. The gate decides who may read which view (`oversight`/`read` in policies/policy.csv);
a unit outside the caller's tenants is not found, as everywhere else.

Each panel is one function `(session, scope, ...) -> figures`, so a caller runs only the panels
it shows: GraphQL resolves each field with its function, the Excel export calls them all.
Adding a panel is a function here, a field in `schema/oversight/types.py` and a sheet in
`server/oversight/workbook.py`. Two panels come from other domains and plug in the same way once
they exist: the ratings table (R-EVAL, `server/evaluations/`) and the open warning signals
(`server/signals/`); each takes `scope.institute_ids` and returns its rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    Uuid,
    and_,
    any_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server import clock
from server.auth.principal import Principal
from server.authz import Target, authorize
from server.errors import InvalidInput, NotFound, Unauthenticated
from server.evaluations import service as evaluations
from server.evaluations.models import UnitRating
from server.incidents.models import Incident, IncidentSeverity, IncidentState
from server.inspections.models import Hazard, HazardSeverity, HazardState
from server.projects import settings as risk_settings
from server.projects.models import Project, RiskAssessment, RiskPoint
from server.projects.vocabulary import ProjectState, RiskCategory, RiskLevel, SensitiveField
from server.signals import service as signals
from server.signals.service import SignalsSummary
from server.tenancy.models import OrgUnit
from server.tenancy.roles import UnitKind

# The portfolio a supervisor watches: every project not finished one way or another. Risk
# points, the heatmap and the chokepoint exposure count these; project counts give both.
ENDED = {ProjectState.CLOSED, ProjectState.TERMINATED, ProjectState.REJECTED}
LIVE_STATES: tuple[ProjectState, ...] = tuple(s for s in ProjectState if s not in ENDED)
MONTHS = 12
# Longest list a panel returns (the export asks for this many; GraphQL callers for fewer).
LIST_MAX = 1000


def _any(column: Any, values: Sequence[Any], item_type: Any) -> ColumnElement[bool]:
    """`column = ANY(:array)`: one bound array, so the statement text never depends on sizes."""
    return column == any_(literal(list(values), ARRAY(item_type)))  # type: ignore[no-any-return]


def _live() -> ColumnElement[bool]:
    return _any(Project.state, [s.value for s in LIVE_STATES], String)


# ---------------------------------------------------------------------------------------------
# Scope


@dataclass(frozen=True)
class Scope:
    """Whose figures: `unit` (HQ, a branch academy or an institute) and the institutes covered."""

    unit: OrgUnit
    institutes: Sequence[OrgUnit]  # by code
    today: date  # the calendar day (academy time zone) hazards are overdue on

    @property
    def kind(self) -> UnitKind:
        return UnitKind(self.unit.kind)

    @property
    def institute_ids(self) -> list[uuid.UUID]:
        return [u.id for u in self.institutes]

    def institute(self, tenant_id: uuid.UUID) -> OrgUnit:
        return next(u for u in self.institutes if u.id == tenant_id)

    def has(self, tenant_column: Any) -> ColumnElement[bool]:
        """The rows of the scope's institutes: `tenant_id = ANY(:ids)`, given for every table a
        statement joins, so the planner reads only those tenants' rows (by the key) instead of
        testing every row's tenant for row-level security. HQ's scope is every institute, and
        only institutes hold projects, hazards and incidents: no condition at all."""
        if self.kind is UnitKind.HQ:
            return true()
        return _any(tenant_column, self.institute_ids, Uuid)


async def scope_for(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID | None = None,
    *,
    today: date | None = None,
) -> Scope:
    """The view of `unit_id` (default: the caller's own unit), once the gate allows it.

    HQ's unit covers every institute, a branch academy's its own institutes, an institute only
    itself. A branch naming an institute it does not supervise, or an institute naming HQ, gets
    NotFound from the gate: those units are outside their tenants (ORG-BRANCH, ORG-INST).
    """
    if not principal.authenticated:
        raise Unauthenticated("Sign in first.")
    unit_id = unit_id or principal.tenant_id
    if unit_id is None:
        raise InvalidInput("Name the org unit whose figures you want.", field="orgUnitId")
    authorize(principal, "read", Target("oversight", unit_id))
    branch = aliased(OrgUnit)
    branches_of_unit = select(branch.id).where(branch.parent_id == unit_id)
    rows = (
        (
            await session.execute(
                select(OrgUnit)
                .where(
                    or_(
                        OrgUnit.id == unit_id,
                        and_(
                            OrgUnit.kind == UnitKind.INSTITUTE.value,
                            or_(
                                OrgUnit.parent_id == unit_id,
                                OrgUnit.parent_id.in_(branches_of_unit),
                            ),
                        ),
                    )
                )
                .order_by(OrgUnit.code)
            )
        )
        .scalars()
        .all()
    )
    unit = next((u for u in rows if u.id == unit_id), None)
    if unit is None:
        raise NotFound("No such org unit.", field="orgUnitId")
    institutes = [u for u in rows if u.kind == UnitKind.INSTITUTE.value]
    return Scope(unit=unit, institutes=institutes, today=today or clock.today())


# ---------------------------------------------------------------------------------------------
# Projects: by institute × state, by sensitive field, by overall level


@dataclass(frozen=True)
class StateCounts:
    by_state: Mapping[ProjectState, int]
    total: int
    live: int


@dataclass(frozen=True)
class ProjectCounts:
    institutes: Sequence[tuple[OrgUnit, StateCounts]]  # every institute of the scope, by code
    all: StateCounts


def _state_counts(states: Mapping[str, int], total: int, live: int) -> StateCounts:
    return StateCounts({s: states.get(s.value, 0) for s in ProjectState}, total, live)


async def projects_by_institute(session: AsyncSession, scope: Scope) -> ProjectCounts:
    """Projects per institute and state, with the totals per institute, per state and overall
    (one statement: GROUP BY CUBE)."""
    grouping = func.grouping(Project.tenant_id, Project.state)
    rows = (
        await session.execute(
            select(
                Project.tenant_id,
                Project.state,
                grouping.label("g"),
                func.count().label("n"),
                func.count().filter(_live()).label("live"),
            )
            .where(scope.has(Project.tenant_id))
            .group_by(func.cube(Project.tenant_id, Project.state))
        )
    ).all()
    # GROUPING() sets a bit for each column rolled up: 0 cell, 1 institute, 2 state, 3 all.
    cells: dict[uuid.UUID, dict[str, int]] = {}
    per_institute: dict[uuid.UUID, tuple[int, int]] = {}
    per_state: dict[str, int] = {}
    overall = (0, 0)
    for r in rows:
        if r.g == 0:
            cells.setdefault(r.tenant_id, {})[r.state] = r.n
        elif r.g == 1:
            per_institute[r.tenant_id] = (r.n, r.live)
        elif r.g == 2:
            per_state[r.state] = r.n
        else:
            overall = (r.n, r.live)
    return ProjectCounts(
        institutes=[
            (u, _state_counts(cells.get(u.id, {}), *per_institute.get(u.id, (0, 0))))
            for u in scope.institutes
        ],
        all=_state_counts(per_state, *overall),
    )


@dataclass(frozen=True)
class FieldCount:
    field: SensitiveField
    projects: int
    live: int


@dataclass(frozen=True)
class SensitiveFields:
    fields: Sequence[FieldCount]  # every sensitive field of R-SENSITIVE, in its order
    projects: int  # projects in any sensitive field (one counted once)
    live: int


async def projects_by_sensitive_field(session: AsyncSession, scope: Scope) -> SensitiveFields:
    """R-SENSITIVE: projects per sensitive field and in any of them, in one pass (FILTER)."""

    def counts(condition: ColumnElement[bool], name: str) -> list[Any]:
        return [
            func.count().filter(condition).label(f"{name}_all"),
            func.count().filter(condition, _live()).label(f"{name}_live"),
        ]

    columns = [
        c
        for f in SensitiveField
        for c in counts(literal(f.value) == any_(Project.sensitive_fields), f.value)
    ]
    columns += counts(func.cardinality(Project.sensitive_fields) > 0, "any")
    r = (await session.execute(select(*columns).where(scope.has(Project.tenant_id)))).one()
    return SensitiveFields(
        [
            FieldCount(f, getattr(r, f"{f.value}_all"), getattr(r, f"{f.value}_live"))
            for f in SensitiveField
        ],
        r.any_all,
        r.any_live,
    )


@dataclass(frozen=True)
class LevelCount:
    level: RiskLevel | None  # None: the current assessment has no risk point yet
    projects: int
    live: int


async def projects_by_level(session: AsyncSession, scope: Scope) -> Sequence[LevelCount]:
    """Projects by the overall level of their current assessment, highest first."""
    rows = (
        await session.execute(
            select(
                RiskAssessment.overall_level,
                func.count().label("n"),
                func.count().filter(_live()).label("live"),
            )
            .select_from(Project)
            .outerjoin(
                RiskAssessment,
                (RiskAssessment.tenant_id == Project.tenant_id)
                & (RiskAssessment.id == Project.current_assessment_id)
                & scope.has(RiskAssessment.tenant_id),
            )
            .where(scope.has(Project.tenant_id))
            .group_by(RiskAssessment.overall_level)
        )
    ).all()
    found = {r.overall_level: (r.n, r.live) for r in rows}
    levels: list[RiskLevel | None] = [*reversed(RiskLevel), None]
    return [LevelCount(lv, *found.get(lv.value if lv else None, (0, 0))) for lv in levels]


# ---------------------------------------------------------------------------------------------
# Risk points of the live projects' current assessments: by category × level, and the heatmap


@dataclass(frozen=True)
class CategoryCount:
    category: RiskCategory
    by_level: Mapping[RiskLevel, int]
    points: int


@dataclass(frozen=True)
class HeatmapCell:
    likelihood: int
    impact: int
    points: int


@dataclass(frozen=True)
class Heatmap:
    """Risk points per likelihood × impact cell (each on its own assessment's matrix)."""

    size: int  # the largest matrix in use, at least the default 5
    cells: Sequence[HeatmapCell]  # non-empty cells, by likelihood then impact


@dataclass(frozen=True)
class RiskPoints:
    by_category: Sequence[CategoryCount]  # in the guidance's order of categories (R-ASSESS)
    heatmap: Heatmap


async def risk_points(session: AsyncSession, scope: Scope) -> RiskPoints:
    """R-ASSESS: the risk points of the live projects' current assessments, counted per
    category and level and per likelihood × impact cell in one pass (GROUPING SETS)."""
    grouping = func.grouping(
        RiskPoint.category, RiskPoint.level, RiskPoint.likelihood, RiskPoint.impact
    )
    rows = (
        await session.execute(
            select(
                RiskPoint.category,
                RiskPoint.level,
                RiskPoint.likelihood,
                RiskPoint.impact,
                grouping.label("g"),
                func.count().label("points"),
            )
            .select_from(Project)
            .join(
                RiskPoint,
                (RiskPoint.tenant_id == Project.tenant_id)
                & (RiskPoint.assessment_id == Project.current_assessment_id),
            )
            .where(
                scope.has(Project.tenant_id),
                scope.has(RiskPoint.tenant_id),
                _live(),
            )
            .group_by(
                func.grouping_sets(
                    tuple_(RiskPoint.category, RiskPoint.level),
                    tuple_(RiskPoint.likelihood, RiskPoint.impact),
                )
            )
        )
    ).all()
    # GROUPING() bits, first column highest: 0b0011 per category × level, 0b1100 per cell.
    by_category: dict[str, dict[str, int]] = {}
    cells = []
    for r in rows:
        if r.g == 0b0011:
            by_category.setdefault(r.category, {})[r.level] = r.points
        else:
            cells.append(HeatmapCell(r.likelihood, r.impact, r.points))
    cells.sort(key=lambda c: (c.likelihood, c.impact))
    size = max([5, *(c.likelihood for c in cells), *(c.impact for c in cells)])
    categories = []
    for category in RiskCategory:
        levels = by_category.get(category.value, {})
        counts = {lv: levels.get(lv.value, 0) for lv in RiskLevel}
        categories.append(CategoryCount(category, counts, sum(counts.values())))
    return RiskPoints(categories, Heatmap(size, cells))


# ---------------------------------------------------------------------------------------------
# Overdue hazards (R-OVERDUE), open incidents (R-INCIDENT)


def _check_first(first: int) -> None:
    if not 0 <= first <= LIST_MAX:
        raise InvalidInput(f"Ask for 0 to {LIST_MAX} rows.", field="first")


@dataclass(frozen=True)
class OverdueHazard:
    hazard: Hazard
    institute: OrgUnit
    project_title: str
    days_overdue: int


@dataclass(frozen=True)
class OverdueHazards:
    count: int
    by_severity: Mapping[HazardSeverity, int]
    oldest: Sequence[OverdueHazard]  # the longest overdue first


def _overdue(scope: Scope) -> ColumnElement[bool]:
    # Derived, never stored (as `Hazard.overdue_on`): not closed and past its deadline.
    return and_(
        scope.has(Hazard.tenant_id),
        Hazard.state != HazardState.CLOSED.value,
        Hazard.deadline < scope.today,
    )


async def overdue_hazards(session: AsyncSession, scope: Scope, *, first: int) -> OverdueHazards:
    """Hazards past their rectification deadline: how many, and the `first` oldest."""
    _check_first(first)
    totals = (
        await session.execute(
            select(
                func.count().label("n"),
                *(
                    func.count().filter(Hazard.severity == s.value).label(s.value)
                    for s in HazardSeverity
                ),
            ).where(_overdue(scope))
        )
    ).one()
    oldest: list[OverdueHazard] = []
    if first:
        rows = (
            await session.execute(
                select(Hazard, Project.title)
                .join(
                    Project,
                    (Project.tenant_id == Hazard.tenant_id) & (Project.id == Hazard.project_id),
                )
                .where(_overdue(scope))
                .order_by(Hazard.deadline, Hazard.created_at, Hazard.id)
                .limit(first)
            )
        ).all()
        oldest = [
            OverdueHazard(
                hazard=h,
                institute=scope.institute(h.tenant_id),
                project_title=title,
                days_overdue=(scope.today - h.deadline).days if h.deadline else 0,
            )
            for h, title in rows
        ]
    return OverdueHazards(
        count=totals.n,
        by_severity={s: getattr(totals, s.value) for s in HazardSeverity},
        oldest=oldest,
    )


@dataclass(frozen=True)
class OpenIncident:
    incident: Incident
    institute: OrgUnit
    project_title: str | None


@dataclass(frozen=True)
class OpenIncidents:
    count: int
    by_severity: Mapping[IncidentSeverity, int]
    latest: Sequence[OpenIncident]  # the most severe first, then the most recent


def _open_incidents(scope: Scope) -> ColumnElement[bool]:
    return and_(
        scope.has(Incident.tenant_id),
        Incident.state != IncidentState.CLOSED.value,
    )


SEVERITY_RANK = {s.value: rank for rank, s in enumerate(IncidentSeverity)}


async def open_incidents(session: AsyncSession, scope: Scope, *, first: int) -> OpenIncidents:
    """Incidents not closed yet: how many by severity, and the `first` most severe."""
    _check_first(first)
    totals = (
        await session.execute(
            select(
                func.count().label("n"),
                *(
                    func.count().filter(Incident.severity == s.value).label(s.value)
                    for s in IncidentSeverity
                ),
            ).where(_open_incidents(scope))
        )
    ).one()
    latest: list[OpenIncident] = []
    if first:
        rows = (
            await session.execute(
                select(Incident, Project.title)
                .outerjoin(
                    Project,
                    (Project.tenant_id == Incident.tenant_id) & (Project.id == Incident.project_id),
                )
                .where(_open_incidents(scope))
                .order_by(
                    case(SEVERITY_RANK, value=Incident.severity, else_=-1).desc(),
                    Incident.occurred_at.desc(),
                    Incident.id,
                )
                .limit(first)
            )
        ).all()
        latest = [OpenIncident(i, scope.institute(i.tenant_id), title) for i, title in rows]
    return OpenIncidents(
        count=totals.n,
        by_severity={s: getattr(totals, s.value) for s in IncidentSeverity},
        latest=latest,
    )


# ---------------------------------------------------------------------------------------------
# Trends: per calendar month (academy time zone) over the last twelve, one statement each


@dataclass(frozen=True)
class MonthCount:
    month: date  # the first day of the month
    count: int


@dataclass(frozen=True)
class Trends:
    new_projects: Sequence[MonthCount]
    hazards_found: Sequence[MonthCount]
    incidents_reported: Sequence[MonthCount]

    @property
    def months(self) -> list[date]:
        return [m.month for m in self.new_projects]


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last `months` calendar months, the current one last."""
    starts = [today.replace(day=1)]
    for _ in range(months - 1):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return starts[::-1]


async def _monthly(
    session: AsyncSession, scope: Scope, tenant_column: Any, at: Any
) -> list[MonthCount]:
    """Rows per month of `at` (a timestamptz column): generate_series LEFT JOIN the rows."""
    starts = month_starts(scope.today)
    zone = clock.zone()
    first = datetime.combine(starts[0], datetime.min.time())
    since = first.replace(tzinfo=zone)
    months = (
        func.generate_series(
            literal(first, DateTime()),
            literal(datetime.combine(starts[-1], datetime.min.time()), DateTime()),
            literal_column("interval '1 month'"),
        )
        .table_valued("start")
        .render_derived(name="months")
    )
    local_month = func.date_trunc("month", func.timezone(zone.key, at))
    rows = (
        await session.execute(
            select(months.c.start, func.count(tenant_column).label("n"))
            .select_from(months)
            .outerjoin(
                tenant_column.table,
                and_(
                    scope.has(tenant_column),
                    at >= since,
                    local_month == months.c.start,
                ),
            )
            .group_by(months.c.start)
            .order_by(months.c.start)
        )
    ).all()
    return [MonthCount(r.start.date(), r.n) for r in rows]


async def new_projects_by_month(session: AsyncSession, scope: Scope) -> list[MonthCount]:
    return await _monthly(session, scope, Project.tenant_id, Project.created_at)


async def hazards_found_by_month(session: AsyncSession, scope: Scope) -> list[MonthCount]:
    return await _monthly(session, scope, Hazard.tenant_id, Hazard.created_at)


async def incidents_reported_by_month(session: AsyncSession, scope: Scope) -> list[MonthCount]:
    return await _monthly(session, scope, Incident.tenant_id, Incident.reported_at)


async def trends(session: AsyncSession, scope: Scope) -> Trends:
    return Trends(
        await new_projects_by_month(session, scope),
        await hazards_found_by_month(session, scope),
        await incidents_reported_by_month(session, scope),
    )


# ---------------------------------------------------------------------------------------------
# The academy-wide exposure to each key foreign dependency (R-ASSESS category 1, 卡脖子)


async def chokepoint_exposure(
    session: AsyncSession, scope: Scope, *, first: int
) -> risk_settings.DependencyTotals:
    """Per dependency in the live projects' passed assessments: how many projects and
    institutes rely on it, most relied on first."""
    _check_first(first)
    return await risk_settings.dependency_totals(
        session,
        tenant_ids=None if scope.kind is UnitKind.HQ else scope.institute_ids,
        states=[s.value for s in LIVE_STATES],
        limit=first,
    )


# ---------------------------------------------------------------------------------------------
# Every panel at once (the Excel export)


@dataclass(frozen=True)
class Overview:
    scope: Scope
    projects: ProjectCounts
    sensitive_fields: SensitiveFields
    levels: Sequence[LevelCount]
    risk_points: RiskPoints
    overdue_hazards: OverdueHazards
    open_incidents: OpenIncidents
    trends: Trends
    chokepoints: risk_settings.DependencyTotals
    # From the evaluation (R-EVAL) and the early-warning signals, as the principal may see them.
    ratings: Sequence[UnitRating] = ()
    ratings_year: int | None = None
    signals: SignalsSummary | None = None


async def overview(
    session: AsyncSession,
    scope: Scope,
    *,
    first: int = LIST_MAX,
    principal: Principal | None = None,
) -> Overview:
    """Every panel of `scope`; the lists hold up to `first` rows each. With `principal`, also
    last year's ratings table and the open warning signals it may read."""
    extra: dict[str, Any] = {}
    if principal is not None:
        year = scope.today.year - 1
        extra = {
            "ratings": await evaluations.ratings(
                session, principal, year=year, unit_ids=scope.institute_ids
            ),
            "ratings_year": year,
            "signals": await signals.open_signals_summary(
                session, principal, scope.institute_ids, limit=first
            ),
        }
    return Overview(
        **extra,
        scope=scope,
        projects=await projects_by_institute(session, scope),
        sensitive_fields=await projects_by_sensitive_field(session, scope),
        levels=await projects_by_level(session, scope),
        risk_points=await risk_points(session, scope),
        overdue_hazards=await overdue_hazards(session, scope, first=first),
        open_incidents=await open_incidents(session, scope, first=first),
        trends=await trends(session, scope),
        chokepoints=await chokepoint_exposure(session, scope, first=first),
    )
