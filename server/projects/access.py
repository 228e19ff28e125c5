"""A project as the gate sees it: its tenant and the principal's R-OWN relations to it.

R-OWN ("谁立项、谁管理，谁承担、谁负责"): the approving body manages — the undertaking institute's
research management, or an HQ business department for projects HQ deploys — and the undertakers
(the principal investigator and members) are responsible. The relations are computed here, on
the project itself; the policy says what each relation may do.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.principal import Principal
from server.authz import authorize
from server.documents import attachments
from server.errors import Conflict, NotFound
from server.projects.models import Project, ProjectMember
from server.projects.vocabulary import ProjectState
from server.tenancy.roles import UnitKind

# From approval on, a project's documents are locked against replacement (documents issue,
# item 3): a new version needs the project back in a state before approval.
UNLOCKED_STATES = {ProjectState.DRAFT, ProjectState.SUBMITTED, ProjectState.RETURNED}


def relations(
    principal: Principal, project: Project, members: Sequence[uuid.UUID]
) -> frozenset[str]:
    found = set()
    for grant in principal.grants:
        if project.deployed_by_hq:
            if grant.unit_kind is UnitKind.HQ:
                found.add("approver")
        elif grant.unit_id == project.tenant_id:
            found.add("approver")
    if principal.user_id is not None and (
        principal.user_id == project.pi_user_id or principal.user_id in members
    ):
        found.add("undertaker")
    return frozenset(found)


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    members: tuple[uuid.UUID, ...]

    resource_type = "project"

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.project.tenant_id

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return relations(principal, self.project, self.members)


async def member_ids(session: AsyncSession, project: Project) -> tuple[uuid.UUID, ...]:
    rows = await session.execute(
        select(ProjectMember.user_id).where(
            ProjectMember.tenant_id == project.tenant_id, ProjectMember.project_id == project.id
        )
    )
    return tuple(rows.scalars())


async def load(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    action: str = "read",
    for_update: bool = False,
) -> ProjectAccess:
    """The project, after the gate allowed `action` on it (outside the tenants: not found)."""
    project = await session.get(Project, (tenant_id, project_id), with_for_update=for_update)
    if project is None:
        raise NotFound("No such project.")
    access = ProjectAccess(project, await member_ids(session, project))
    authorize(principal, "read", access)
    if action != "read":
        authorize(principal, action, access)
    return access


def check_version(project: Project, expected: int | None) -> None:
    """Optimistic locking: an edit made on an older copy is a conflict, not a silent overwrite."""
    if expected is not None and expected != project.lock_version:
        raise Conflict(
            "The project was changed by someone else meanwhile; reload it and try again.",
            field="expectedVersion",
        )


async def _attachment(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID
) -> attachments.AttachmentTarget | None:
    rows = await session.execute(select(Project).where(Project.id == project_id))
    project = rows.scalar_one_or_none()
    if project is None:
        return None
    return attachments.AttachmentTarget(
        "project",
        project.id,
        project.tenant_id,
        project.title,
        locked=ProjectState(project.state) not in UNLOCKED_STATES,
        relations=relations(principal, project, await member_ids(session, project)),
    )


attachments.register("project", _attachment)
