"""Queries of the projects domain."""

from __future__ import annotations

import enum

import strawberry

from schema.context import Info
from schema.projects.types import CategoryInfo, Project, categories
from schema.relay import Connection, connection, from_global_id
from server.errors import NotFound
from server.projects import service
from server.projects.vocabulary import ProjectState, RiskLevel, SensitiveField


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


@strawberry.type
class ProjectsQuery:
    projects: Connection[Project] = strawberry.field(resolver=projects)
    project: Project | None = strawberry.field(resolver=project)
    risk_categories: list[CategoryInfo] = strawberry.field(
        resolver=categories, description="The seven categories of R-ASSESS."
    )
