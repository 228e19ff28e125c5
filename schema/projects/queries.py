"""Queries of the projects domain."""

from __future__ import annotations

import enum

import strawberry

from schema.context import Info
from schema.projects.types import CategoryInfo, Project, RiskMatrix, categories
from schema.relay import Connection, connection, from_global_id
from server.errors import InvalidInput, NotFound
from server.projects import service
from server.projects import settings as risk_settings
from server.projects.vocabulary import ProjectState, RiskCategory, RiskLevel, SensitiveField


@strawberry.enum(description="What projects are sorted by.")
class ProjectSortKey(enum.Enum):
    CREATED = "created"
    TITLE = "title"
    START = "start"


@strawberry.input(description="Every given condition must hold.")
class ProjectFilter:
    states: list[ProjectState] | None = None
    levels: list[RiskLevel] | None = strawberry.field(
        default=None, description="Overall level of the current assessment."
    )
    categories: list[RiskCategory] | None = strawberry.field(
        default=None, description="Risk points in these categories in the current assessment."
    )
    sensitive_fields: list[SensitiveField] | None = None
    any_sensitive_field: bool | None = None
    deployed_by_hq: bool | None = strawberry.field(
        default=None, description="Approving body: true for an HQ business department."
    )
    org_unit_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Undertaking institutes."
    )
    search: str | None = None


async def projects(
    info: Info,
    filter: ProjectFilter | None = None,
    sort: ProjectSortKey = ProjectSortKey.CREATED,
    descending: bool = True,
    first: int = 50,
    after: str | None = None,
) -> Connection[Project]:
    ctx = info.context
    f = filter or ProjectFilter()
    page = await service.list_projects(
        ctx.session,
        ctx.principal,
        filters=service.ProjectFilter(
            states=f.states or (),
            levels=f.levels or (),
            categories=f.categories or (),
            sensitive_fields=f.sensitive_fields or (),
            any_sensitive=f.any_sensitive_field,
            deployed_by_hq=f.deployed_by_hq,
            unit_ids=[from_global_id(u, "OrgUnit")[1][0] for u in f.org_unit_ids or ()],
            search=f.search,
        ),
        sort=service.Sort(key=sort.value, descending=descending),
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, Project.of)


async def project(info: Info, id: strawberry.ID) -> Project | None:
    ctx = info.context
    try:
        _, (tenant_id, project_id) = from_global_id(id, "Project")
        return Project.of(
            await service.get_project(ctx.session, ctx.principal, tenant_id, project_id)
        )
    except NotFound:
        return None


@strawberry.type(description="A key dependency of a project, for HQ's view of exposure.")
class Exposure:
    item: str
    item_kind: str
    source_country: str
    supplier: str
    domestic_substitute: bool
    stock_or_lead_time: str
    project: Project


async def risk_settings_of(info: Info, org_unit_id: strawberry.ID) -> RiskMatrix:
    ctx = info.context
    _, (unit_id,) = from_global_id(org_unit_id, "OrgUnit")
    return RiskMatrix.of(await risk_settings.get_matrix(ctx.session, ctx.principal, unit_id))


async def chokepoint_exposure(
    info: Info,
    source_country: str | None = None,
    without_domestic_substitute: bool | None = None,
    first: int = 100,
) -> list[Exposure]:
    """Key technologies, materials and equipment from outside (卡脖子), across the projects
    the viewer may read (HQ: the academy)."""
    ctx = info.context
    if not 1 <= first <= 500:
        raise InvalidInput("Ask for 1 to 500 dependencies.", field="first")
    rows = await risk_settings.chokepoint_exposure(
        ctx.session,
        ctx.principal,
        source_country=source_country,
        without_substitute=without_domestic_substitute,
        limit=first,
    )
    return [
        Exposure(
            item=e.dependency.item,
            item_kind=e.dependency.item_kind,
            source_country=e.dependency.source_country,
            supplier=e.dependency.supplier,
            domestic_substitute=e.dependency.domestic_substitute,
            stock_or_lead_time=e.dependency.stock_or_lead_time,
            project=Project.of(e.project),
        )
        for e in rows
    ]


@strawberry.type
class ProjectsQuery:
    projects: Connection[Project] = strawberry.field(resolver=projects)
    project: Project | None = strawberry.field(resolver=project)
    risk_settings: RiskMatrix = strawberry.field(
        resolver=risk_settings_of, description="An institute's matrix and plan thresholds."
    )
    chokepoint_exposure: list[Exposure] = strawberry.field(resolver=chokepoint_exposure)
    risk_categories: list[CategoryInfo] = strawberry.field(
        resolver=categories, description="The seven categories of R-ASSESS."
    )
