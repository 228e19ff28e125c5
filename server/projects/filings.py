"""Filing (R-FILING): signed by the legal representative, filed with the HQ business
department, which records it or requires argumentation and approval before implementation."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.auth.principal import Principal
from server.db.base import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.projects import lifecycle
from server.projects.access import load
from server.projects.models import Filing
from server.projects.service import apply
from server.projects.vocabulary import FilingState


class FilingDecision(enum.StrEnum):
    RECORD = "record"  # 备案
    REQUIRE_ARGUMENTATION = "require_argumentation"  # 需论证和审批
    APPROVE_AFTER_ARGUMENTATION = "approve_after_argumentation"


async def file_project(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    expected_version: int | None,
    statement: str,
) -> Filing:
    """The legal representative signs; the project enters filing and HQ is told."""
    access = await load(session, principal, tenant_id, project_id, for_update=True)
    statement = statement.strip()
    if len(statement) > 4000:
        raise InvalidInput("The statement may have at most 4000 characters.", field="statement")
    await apply(
        session, principal, access, lifecycle.TRANSITIONS["file"], expected_version=expected_version
    )
    filing = Filing(
        tenant_id=tenant_id,
        project_id=project_id,
        state=FilingState.SUBMITTED.value,
        signed_by=principal.actor_id,
        signed_by_label=principal.label,
        statement=statement,
    )
    session.add(filing)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action="filing.submit",
        object_type="filing",
        object_id=filing.id,
        changes={"project": str(project_id), "statement": statement},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="project.filing_submitted",
        payload={"project_id": str(project_id), "filing_id": str(filing.id)},
    )
    return filing


async def decide_filing(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    filing_id: uuid.UUID,
    *,
    decision: FilingDecision,
    comment: str,
) -> Filing:
    """The HQ business department records the filing, or requires argumentation first."""
    filing = await session.get(Filing, (tenant_id, filing_id), with_for_update=True)
    if filing is None:
        raise NotFound("No such filing.")
    await load(session, principal, tenant_id, filing.project_id, action="decide_filing")
    latest = await session.scalar(
        select(Filing.id)
        .where(Filing.tenant_id == tenant_id, Filing.project_id == filing.project_id)
        .order_by(Filing.created_at.desc())
        .limit(1)
    )
    if latest != filing.id:
        raise Conflict("A newer filing of this project exists.", field="filingId")
    state = FilingState(filing.state)
    target = {
        FilingDecision.RECORD: (FilingState.SUBMITTED, FilingState.RECORDED),
        FilingDecision.REQUIRE_ARGUMENTATION: (
            FilingState.SUBMITTED,
            FilingState.ARGUMENTATION_REQUIRED,
        ),
        FilingDecision.APPROVE_AFTER_ARGUMENTATION: (
            FilingState.ARGUMENTATION_REQUIRED,
            FilingState.RECORDED,
        ),
    }[decision]
    if state is not target[0]:
        raise Conflict(
            f"A filing that is {state.value} cannot be decided '{decision.value}'.",
            field="decision",
        )
    if decision is not FilingDecision.RECORD and not comment.strip():
        raise InvalidInput(
            "Say what argumentation is needed, or how it was approved.", field="comment"
        )
    filing.state = target[1].value
    filing.hq_decided_by_label = principal.label
    filing.hq_decided_at = utcnow()
    filing.hq_comment = comment.strip() or None
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=tenant_id,
        action=f"filing.{decision.value}",
        object_type="filing",
        object_id=filing.id,
        changes={"state": [state.value, filing.state], "comment": filing.hq_comment},
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="project.filing_decided",
        payload={"project_id": str(filing.project_id), "state": filing.state},
    )
    return filing
