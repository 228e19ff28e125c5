"""GraphQL types of the oversight view. Each panel is a field resolved by its own service
function, so a query pays only for the panels it asks for, each a fixed number of statements."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import strawberry

from schema.context import Info
from schema.evaluations.types import UnitRating
from schema.incidents.types import Incident
from schema.inspections.types import Hazard
from schema.signals.types import WarningSignal
from schema.tenancy.types import OrgUnit
from server.errors import InvalidInput
from server.evaluations import service as evaluations
from server.incidents.models import IncidentSeverity
from server.inspections.models import HazardSeverity
from server.oversight import service
from server.projects.vocabulary import (
    CATEGORY_TITLES_ZH,
    ProjectState,
    RiskCategory,
    RiskLevel,
    SensitiveField,
)
from server.signals import service as signals
from server.signals.models import SignalLevel


@strawberry.type(description="Projects in one state.")
class ProjectStateCount:
    state: ProjectState
    projects: int


@strawberry.type(description="One institute's projects by state.")
class InstituteProjectCounts:
    org_unit: OrgUnit
    by_state: list[ProjectStateCount] = strawberry.field(description="Every state, zeros too.")
    total: int
    live: int = strawberry.field(description="Not closed, terminated or rejected.")


@strawberry.type(description="Projects by institute and state, with the totals.")
class OversightProjects:
    institutes: list[InstituteProjectCounts] = strawberry.field(
        description="Every institute of the view, by code."
    )
    by_state: list[ProjectStateCount]
    total: int
    live: int = strawberry.field(description="Not closed, terminated or rejected.")


@strawberry.type(description="Projects in one sensitive field (R-SENSITIVE).")
class SensitiveFieldCount:
    field: SensitiveField
    projects: int
    live: int


@strawberry.type(description="Projects by sensitive field (R-SENSITIVE).")
class SensitiveFieldCounts:
    fields: list[SensitiveFieldCount] = strawberry.field(description="Every field, zeros too.")
    projects: int = strawberry.field(description="Projects in any sensitive field, once each.")
    live: int


@strawberry.type(description="Projects whose current assessment has this overall level.")
class ProjectLevelCount:
    level: RiskLevel | None = strawberry.field(description="Null: no risk point assessed yet.")
    projects: int
    live: int


@strawberry.type
class LevelPoints:
    level: RiskLevel
    points: int


@strawberry.type(description="Risk points of one category (R-ASSESS) in live projects.")
class CategoryRiskPoints:
    category: RiskCategory
    title_zh: str
    by_level: list[LevelPoints]
    points: int


@strawberry.type
class HeatmapCell:
    likelihood: int
    impact: int
    points: int


@strawberry.type(
    description="Risk points of the live projects' current assessments per likelihood × "
    "impact cell, each on its own assessment's matrix."
)
class RiskHeatmap:
    size: int = strawberry.field(description="The largest matrix in use (at least 5).")
    cells: list[HeatmapCell] = strawberry.field(description="Non-empty cells only.")


@strawberry.type(
    description="The risk points of the live projects' current assessments (R-ASSESS)."
)
class OversightRiskPoints:
    by_category: list[CategoryRiskPoints] = strawberry.field(
        description="Every category, in the guidance's order."
    )
    heatmap: RiskHeatmap


@strawberry.type
class HazardSeverityCount:
    severity: HazardSeverity
    hazards: int


@strawberry.type(description="A hazard past its rectification deadline (R-OVERDUE).")
class OverdueHazard:
    hazard: Hazard
    org_unit: OrgUnit
    project_title: str
    days_overdue: int


@strawberry.type(description="Hazards past their rectification deadline (R-OVERDUE).")
class OverdueHazards:
    count: int
    by_severity: list[HazardSeverityCount]
    oldest: list[OverdueHazard] = strawberry.field(description="The longest overdue first.")


@strawberry.type
class IncidentSeverityCount:
    severity: IncidentSeverity
    incidents: int


@strawberry.type(description="An incident not closed yet (R-INCIDENT).")
class OpenIncident:
    incident: Incident
    org_unit: OrgUnit
    project_title: str | None


@strawberry.type(description="Incidents not closed yet (R-INCIDENT).")
class OpenIncidents:
    count: int
    by_severity: list[IncidentSeverityCount]
    latest: list[OpenIncident] = strawberry.field(
        description="The most severe first, then the most recent."
    )


@strawberry.type(description="One calendar month (academy time zone).")
class MonthTrend:
    month: date = strawberry.field(description="Its first day.")
    new_projects: int
    hazards_found: int
    incidents_reported: int


@strawberry.type(description="How many live projects and institutes rely on one dependency.")
class DependencyExposure:
    item: str
    item_kind: str
    source_country: str
    projects: int
    institutes: int
    without_domestic_substitute: int = strawberry.field(
        description="Of those projects, how many recorded no domestic substitute."
    )


@strawberry.type(
    description="Key foreign dependencies (卡脖子) of the live projects' passed "
    "assessments, the most relied on first."
)
class ChokepointTotals:
    dependencies: int = strawberry.field(description="Distinct dependencies in the view.")
    top: list[DependencyExposure]


def _first(info: Info, first: int) -> int:
    if not 0 <= first <= info.context.settings.page_size_max:
        raise InvalidInput(
            f"Ask for 0 to {info.context.settings.page_size_max} rows.", field="first"
        )
    return first


@strawberry.type(
    description="Oversight (ORG-HQ-DUTY, ORG-BRANCH): the figures of HQ's academy, a branch "
    "academy's institutes, or one institute. Each panel is computed when asked for."
)
class Oversight:
    org_unit: OrgUnit = strawberry.field(description="Whose view: HQ, a branch or an institute.")
    as_of: date = strawberry.field(description="The day overdue is counted on.")
    institutes: list[OrgUnit] = strawberry.field(description="The institutes covered, by code.")
    export_url: str = strawberry.field(
        description="Where to GET this view as an Excel workbook with your bearer token."
    )
    scope: strawberry.Private[service.Scope]

    @classmethod
    def of(cls, scope: service.Scope, global_id: strawberry.ID) -> Oversight:
        return cls(
            org_unit=OrgUnit.of(scope.unit),
            as_of=scope.today,
            institutes=[OrgUnit.of(u) for u in scope.institutes],
            export_url="/exports/oversight.xlsx?" + urlencode({"orgUnitId": global_id}),
            scope=scope,
        )

    @strawberry.field(description="Projects by institute and state.")
    async def projects(self, info: Info) -> OversightProjects:
        c = await service.projects_by_institute(info.context.session, self.scope)

        def states(by_state: dict[ProjectState, int]) -> list[ProjectStateCount]:
            return [ProjectStateCount(state=s, projects=n) for s, n in by_state.items()]

        return OversightProjects(
            institutes=[
                InstituteProjectCounts(
                    org_unit=OrgUnit.of(u),
                    by_state=states(dict(counts.by_state)),
                    total=counts.total,
                    live=counts.live,
                )
                for u, counts in c.institutes
            ],
            by_state=states(dict(c.all.by_state)),
            total=c.all.total,
            live=c.all.live,
        )

    @strawberry.field(description="Projects by sensitive field (R-SENSITIVE).")
    async def sensitive_fields(self, info: Info) -> SensitiveFieldCounts:
        s = await service.projects_by_sensitive_field(info.context.session, self.scope)
        return SensitiveFieldCounts(
            fields=[
                SensitiveFieldCount(field=f.field, projects=f.projects, live=f.live)
                for f in s.fields
            ],
            projects=s.projects,
            live=s.live,
        )

    @strawberry.field(description="Projects by their current assessment's overall level.")
    async def levels(self, info: Info) -> list[ProjectLevelCount]:
        rows = await service.projects_by_level(info.context.session, self.scope)
        return [ProjectLevelCount(level=r.level, projects=r.projects, live=r.live) for r in rows]

    @strawberry.field(
        description="Risk points of live projects by category and level, and the likelihood "
        "× impact heatmap."
    )
    async def risk_points(self, info: Info) -> OversightRiskPoints:
        r = await service.risk_points(info.context.session, self.scope)
        return OversightRiskPoints(
            by_category=[
                CategoryRiskPoints(
                    category=c.category,
                    title_zh=CATEGORY_TITLES_ZH[c.category],
                    by_level=[LevelPoints(level=lv, points=n) for lv, n in c.by_level.items()],
                    points=c.points,
                )
                for c in r.by_category
            ],
            heatmap=RiskHeatmap(
                size=r.heatmap.size,
                cells=[
                    HeatmapCell(likelihood=c.likelihood, impact=c.impact, points=c.points)
                    for c in r.heatmap.cells
                ],
            ),
        )

    @strawberry.field(description="Hazards past their deadline, and the `first` oldest.")
    async def overdue_hazards(self, info: Info, first: int = 10) -> OverdueHazards:
        o = await service.overdue_hazards(
            info.context.session, self.scope, first=_first(info, first)
        )
        return OverdueHazards(
            count=o.count,
            by_severity=[
                HazardSeverityCount(severity=s, hazards=n) for s, n in o.by_severity.items()
            ],
            oldest=[
                OverdueHazard(
                    hazard=Hazard.of(r.hazard),
                    org_unit=OrgUnit.of(r.institute),
                    project_title=r.project_title,
                    days_overdue=r.days_overdue,
                )
                for r in o.oldest
            ],
        )

    @strawberry.field(description="Incidents not closed, and the `first` most severe.")
    async def open_incidents(self, info: Info, first: int = 10) -> OpenIncidents:
        o = await service.open_incidents(
            info.context.session, self.scope, first=_first(info, first)
        )
        return OpenIncidents(
            count=o.count,
            by_severity=[
                IncidentSeverityCount(severity=s, incidents=n) for s, n in o.by_severity.items()
            ],
            latest=[
                OpenIncident(
                    incident=Incident.of(r.incident),
                    org_unit=OrgUnit.of(r.institute),
                    project_title=r.project_title,
                )
                for r in o.latest
            ],
        )

    @strawberry.field(description="The last twelve months, the current one last.")
    async def trends(self, info: Info) -> list[MonthTrend]:
        t = await service.trends(info.context.session, self.scope)
        return [
            MonthTrend(
                month=p.month,
                new_projects=p.count,
                hazards_found=h.count,
                incidents_reported=i.count,
            )
            for p, h, i in zip(t.new_projects, t.hazards_found, t.incidents_reported, strict=True)
        ]

    @strawberry.field(description="Academy-wide exposure to each key foreign dependency.")
    async def chokepoint_exposure(self, info: Info, first: int = 20) -> ChokepointTotals:
        t = await service.chokepoint_exposure(
            info.context.session, self.scope, first=_first(info, first)
        )
        return ChokepointTotals(
            dependencies=t.dependencies,
            top=[
                DependencyExposure(
                    item=d.item,
                    item_kind=d.item_kind,
                    source_country=d.source_country,
                    projects=d.projects,
                    institutes=d.institutes,
                    without_domestic_substitute=d.without_substitute,
                )
                for d in t.top
            ],
        )

    @strawberry.field(
        description="The ratings table of a year (R-EVAL), highest score first: the published "
        "ratings (HQ also sees a draft). Default: last year."
    )
    async def ratings(self, info: Info, year: int | None = None) -> list[UnitRating]:
        ctx = info.context
        rows = await evaluations.ratings(
            ctx.session,
            ctx.principal,
            year=year if year is not None else self.scope.today.year - 1,
            unit_ids=self.scope.institute_ids,
        )
        return [UnitRating.of(r) for r in rows]

    @strawberry.field(description="Open early-warning signals (监测预警): counts and the signals.")
    async def warning_signals(self, info: Info, first: int = 50) -> OversightSignals:
        ctx = info.context
        summary = await signals.open_signals_summary(
            ctx.session, ctx.principal, self.scope.institute_ids, limit=_first(info, first)
        )
        return OversightSignals(
            total=summary.total,
            by_level=[SignalLevelCount(level=lv, signals=n) for lv, n in summary.by_level.items()],
            by_indicator=[
                SignalIndicatorCount(
                    indicator=name,
                    by_level=[SignalLevelCount(level=lv, signals=n) for lv, n in levels.items()],
                )
                for name, levels in summary.by_indicator.items()
            ],
            signals=[WarningSignal.of(o.signal) for o in summary.signals],
        )


@strawberry.type
class SignalLevelCount:
    level: SignalLevel
    signals: int


@strawberry.type
class SignalIndicatorCount:
    indicator: str
    by_level: list[SignalLevelCount]


@strawberry.type(description="Open warning signals of the institutes in view, red first.")
class OversightSignals:
    total: int
    by_level: list[SignalLevelCount]
    by_indicator: list[SignalIndicatorCount]
    signals: list[WarningSignal]
