"""The hazard register (R-HAZARD, R-REPORT), rectification and its verification, supervision
(督办, R-SUPERVISE) and, for a major hazard late or inadequately rectified, the project-handling
recommendation to the HQ business department and its decision (R-OVERDUE).

States: open → rectifying → awaiting verification → closed, or back to rectifying when the
verifier finds it inadequate; a closed hazard may be reopened. Overdue is derived from the
deadline, never stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, clock, outbox, validation
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.documents import attachments
from server.documents.models import Document, DocumentKind, DocumentVersion, VersionState
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.inspections.models import (
    BanTarget,
    HandlingDecision,
    HandlingRecommendation,
    Hazard,
    HazardSeverity,
    HazardSource,
    HazardState,
    Supervision,
)
from server.projects import lifecycle
from server.projects.access import ProjectAccess, load, member_ids, relations
from server.projects.models import Project
from server.projects.service import apply
from server.projects.vocabulary import ProjectState, RiskCategory
from server.tenancy.models import User
from server.tenancy.roles import UnitKind
from server.warnlist import service as warnlist
from server.warnlist.models import EntrySource, SubjectKind


@dataclass(frozen=True)
class HazardAccess:
    """A hazard as the gate sees it: R-OWN on its project, plus `owner` of the rectification."""

    hazard: Hazard
    project_relations: frozenset[str]

    resource_type = "hazard"

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.hazard.tenant_id

    def relations_to(self, principal: Principal) -> frozenset[str]:
        own = (
            {"owner"}
            if principal.user_id and principal.user_id == self.hazard.owner_user_id
            else set()
        )
        return self.project_relations | own


async def _project_relations(
    session: AsyncSession, principal: Principal, project: Project
) -> frozenset[str]:
    return relations(principal, project, await member_ids(session, project))


async def load_hazard(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    action: str = "read",
    expected_version: int | None = None,
) -> tuple[HazardAccess, Project]:
    hazard = await session.get(Hazard, (tenant_id, hazard_id), with_for_update=action != "read")
    if hazard is None:
        raise NotFound("No such hazard.")
    project = await session.get(Project, (tenant_id, hazard.project_id))
    assert project is not None, "a hazard outlives its project"
    access = HazardAccess(hazard, await _project_relations(session, principal, project))
    authorize(principal, "read", access)
    if action != "read":
        authorize(principal, action, access)
    if expected_version is not None and expected_version != hazard.lock_version:
        raise Conflict(
            "The hazard was changed by someone else meanwhile; reload it.", field="expectedVersion"
        )
    return access, project


async def _record(
    session: AsyncSession, principal: Principal, hazard: Hazard, action: str, **changes: object
) -> None:
    await audit.record(
        session,
        principal,
        tenant_id=hazard.tenant_id,
        action=f"hazard.{action}",
        object_type="hazard",
        object_id=hazard.id,
        changes=changes,
    )


def _require_state(hazard: Hazard, *states: HazardState) -> None:
    if HazardState(hazard.state) not in states:
        names = " or ".join(s.value for s in states)
        raise Conflict(f"The hazard is {hazard.state}; this needs it {names}.", field="state")


# ---------------------------------------------------------------------------------------------


async def report_hazard(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    title: str,
    description: str,
    severity: HazardSeverity,
    category: RiskCategory | None,
    source: HazardSource | None = None,
    inspection_id: uuid.UUID | None = None,
) -> Hazard:
    """Project staff report risks themselves (R-REPORT); managers and supervisors register what
    they find (R-HAZARD, R-SUPERVISE)."""
    # An inspection's findings are registered under the inspector's `inspect` permission.
    action = "inspect" if source is HazardSource.INSPECTION else "report_hazard"
    access = await load(session, principal, tenant_id, project_id, action=action)
    if ProjectState(access.project.state) in {ProjectState.CLOSED, ProjectState.TERMINATED}:
        raise Conflict(
            "The project is closed; its hazards were settled at closure.", field="projectId"
        )
    if source is None:
        supervising = any(g.unit_kind is not UnitKind.INSTITUTE for g in principal.grants)
        source = HazardSource.SUPERVISOR if supervising else HazardSource.SELF_REPORT
    hazard = Hazard(
        tenant_id=tenant_id,
        project_id=project_id,
        source=source.value,
        inspection_id=inspection_id,
        title=validation.text(title, "title", max_len=200),
        description=validation.text(description, "description", max_len=4000),
        category=category.value if category else None,
        severity=severity.value,
        state=HazardState.OPEN.value,
        reported_by=principal.actor_id,
        reported_by_label=principal.label,
    )
    session.add(hazard)
    await session.flush()
    await _record(
        session,
        principal,
        hazard,
        "report",
        title=hazard.title,
        severity=hazard.severity,
        source=hazard.source,
        project=str(project_id),
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.reported",
        payload={
            "hazard_id": str(hazard.id),
            "project_id": str(project_id),
            "severity": hazard.severity,
        },
    )
    return hazard


async def plan_rectification(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    expected_version: int | None,
    owner_user_id: uuid.UUID,
    deadline: date,
    plan: str,
) -> Hazard:
    access, _ = await load_hazard(
        session, principal, tenant_id, hazard_id, action="plan", expected_version=expected_version
    )
    hazard = access.hazard
    _require_state(hazard, HazardState.OPEN, HazardState.RECTIFYING)
    owner = await session.get(User, (tenant_id, owner_user_id))
    if owner is None or owner.disabled:
        raise InvalidInput("The owner must be a person of the institute.", field="ownerUserId")
    if deadline < clock.today():
        raise InvalidInput("The deadline is in the past.", field="deadline")
    hazard.owner_user_id = owner_user_id
    hazard.deadline = deadline
    hazard.plan = validation.text(plan, "plan", max_len=4000)
    hazard.state = HazardState.RECTIFYING.value
    await session.flush()
    await _record(
        session,
        principal,
        hazard,
        "plan",
        owner=str(owner_user_id),
        deadline=deadline,
        plan=hazard.plan,
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.assigned",
        payload={
            "hazard_id": str(hazard.id),
            "owner_user_id": str(owner_user_id),
            "deadline": deadline.isoformat(),
        },
    )
    return hazard


async def _has_evidence(session: AsyncSession, hazard: Hazard) -> bool:
    found = await session.scalar(
        select(Document.id)
        .where(
            Document.tenant_id == hazard.tenant_id,
            Document.attached_type == "hazard",
            Document.attached_id == hazard.id,
            Document.kind == DocumentKind.RECTIFICATION_EVIDENCE.value,
            exists().where(
                and_(
                    DocumentVersion.tenant_id == Document.tenant_id,
                    DocumentVersion.document_id == Document.id,
                    DocumentVersion.state == VersionState.COMMITTED.value,
                )
            ),
        )
        .limit(1)
    )
    return found is not None


async def submit_rectification(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    expected_version: int | None,
    note: str,
) -> Hazard:
    """The owner reports the rectification done, with its evidence attached to the hazard."""
    access, _ = await load_hazard(
        session,
        principal,
        tenant_id,
        hazard_id,
        action="rectify",
        expected_version=expected_version,
    )
    hazard = access.hazard
    _require_state(hazard, HazardState.RECTIFYING)
    if not await _has_evidence(session, hazard):
        raise InvalidInput(
            "Attach the rectification evidence to the hazard first.", field="evidence"
        )
    hazard.state = HazardState.AWAITING_VERIFICATION.value
    hazard.rectified_by = principal.actor_id
    hazard.rectified_at = utcnow()
    hazard.rectification_note = validation.text(note, "note", max_len=4000)
    await session.flush()
    await _record(session, principal, hazard, "rectified", note=hazard.rectification_note)
    return hazard


async def verify_rectification(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    expected_version: int | None,
    adequate: bool,
    note: str,
) -> Hazard:
    """Someone other than the rectifier closes the hazard, or sends it back as inadequate."""
    access, _ = await load_hazard(
        session, principal, tenant_id, hazard_id, action="verify", expected_version=expected_version
    )
    hazard = access.hazard
    _require_state(hazard, HazardState.AWAITING_VERIFICATION)
    if principal.actor_id is not None and principal.actor_id == hazard.rectified_by:
        # R-HAZARD: whoever rectified does not verify their own work.
        raise Forbidden("You rectified this hazard; someone else must verify it.")
    if adequate and not await _has_evidence(session, hazard):
        raise InvalidInput(
            "A hazard is closed only with its rectification evidence.", field="evidence"
        )
    hazard.verification_note = validation.text(note, "note", max_len=4000)
    hazard.verified_by_label = principal.label
    hazard.verified_at = utcnow()
    if adequate:
        hazard.state = HazardState.CLOSED.value
    else:
        hazard.state = HazardState.RECTIFYING.value
        hazard.rejections += 1
    await session.flush()
    await _record(
        session,
        principal,
        hazard,
        "verified" if adequate else "verification_rejected",
        note=hazard.verification_note,
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.verified",
        payload={"hazard_id": str(hazard.id), "adequate": adequate},
    )
    return hazard


async def reopen_hazard(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    expected_version: int | None,
    reason: str,
) -> Hazard:
    access, _ = await load_hazard(
        session, principal, tenant_id, hazard_id, action="verify", expected_version=expected_version
    )
    hazard = access.hazard
    _require_state(hazard, HazardState.CLOSED)
    hazard.state = HazardState.OPEN.value
    hazard.reopened += 1
    await session.flush()
    await _record(
        session, principal, hazard, "reopen", reason=validation.text(reason, "reason", max_len=4000)
    )
    return hazard


async def hand_over_hazard(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    expected_version: int | None,
    reason: str,
) -> Hazard:
    """R-CLOSE: an open hazard of a project that is closing is handed over, with a reason."""
    access, project = await load_hazard(
        session,
        principal,
        tenant_id,
        hazard_id,
        action="hand_over",
        expected_version=expected_version,
    )
    hazard = access.hazard
    if hazard.state == HazardState.CLOSED.value:
        raise Conflict("The hazard is closed; nothing to hand over.", field="hazardId")
    if ProjectState(project.state) is not ProjectState.CLOSING:
        raise Conflict(
            "Open hazards are handed over when the project is closing.", field="hazardId"
        )
    hazard.handed_over_reason = validation.text(reason, "reason", max_len=4000)
    hazard.handed_over_by_label = principal.label
    hazard.handed_over_at = utcnow()
    await session.flush()
    await _record(session, principal, hazard, "hand_over", reason=hazard.handed_over_reason)
    return hazard


async def supervise_hazard(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    comment: str,
    deadline: date | None,
) -> Supervision:
    """督办 (R-SUPERVISE, R-OVERDUE): a branch academy or HQ presses on an open hazard."""
    access, _ = await load_hazard(session, principal, tenant_id, hazard_id, action="supervise")
    hazard = access.hazard
    if hazard.state == HazardState.CLOSED.value:
        raise Conflict("The hazard is closed.", field="hazardId")
    if deadline is not None and deadline < clock.today():
        raise InvalidInput("The deadline is in the past.", field="deadline")
    unit = next(
        (g.unit_id for g in principal.grants if g.unit_kind is not UnitKind.INSTITUTE),
        principal.tenant_id,
    )
    assert unit is not None
    row = Supervision(
        tenant_id=tenant_id,
        hazard_id=hazard.id,
        by_label=principal.label,
        by_unit_id=unit,
        comment=validation.text(comment, "comment", max_len=4000),
        deadline=deadline,
    )
    session.add(row)
    await session.flush()
    await _record(session, principal, hazard, "supervise", comment=row.comment, deadline=deadline)
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.supervised",
        payload={
            "hazard_id": str(hazard.id),
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    return row


async def recommend_handling(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    hazard_id: uuid.UUID,
    *,
    reason: str,
) -> HandlingRecommendation:
    """R-OVERDUE: a major hazard late or inadequately rectified goes to the HQ business
    department with a project-handling recommendation."""
    access, project = await load_hazard(
        session, principal, tenant_id, hazard_id, action="recommend_handling"
    )
    hazard = access.hazard
    if hazard.severity != HazardSeverity.MAJOR.value:
        raise Conflict("Handling recommendations are for major hazards.", field="hazardId")
    late = hazard.overdue_on(clock.today())
    if not late and hazard.rejections == 0:
        raise Conflict(
            "R-OVERDUE: the hazard is neither past its deadline nor found inadequately rectified.",
            field="hazardId",
        )
    pending = await session.scalar(
        select(HandlingRecommendation.id).where(
            HandlingRecommendation.tenant_id == tenant_id,
            HandlingRecommendation.hazard_id == hazard.id,
            HandlingRecommendation.decision.is_(None),
        )
    )
    if pending is not None:
        raise Conflict("A recommendation on this hazard awaits HQ's decision.", field="hazardId")
    rec = HandlingRecommendation(
        tenant_id=tenant_id,
        hazard_id=hazard.id,
        project_id=project.id,
        reason=validation.text(reason, "reason", max_len=4000),
        recommended_by_label=principal.label,
    )
    session.add(rec)
    await session.flush()
    await _record(
        session,
        principal,
        hazard,
        "handling_recommended",
        reason=rec.reason,
        late=late,
        rejections=hazard.rejections,
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.handling_recommended",
        payload={
            "recommendation_id": str(rec.id),
            "hazard_id": str(hazard.id),
            "project_id": str(project.id),
        },
    )
    return rec


@dataclass(frozen=True)
class BanSpec:
    target: BanTarget
    ends_on: date | None = None


async def decide_handling(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    *,
    decision: HandlingDecision,
    note: str,
    bans: Sequence[BanSpec] = (),
) -> HandlingRecommendation:
    """The HQ business department decides: suspend the project, or stop the unit, business
    unit or responsible person from new projects (recorded for the warning list), or nothing."""
    rec = await session.get(
        HandlingRecommendation, (tenant_id, recommendation_id), with_for_update=True
    )
    if rec is None:
        raise NotFound("No such recommendation.")
    access, project = await load_hazard(
        session, principal, tenant_id, rec.hazard_id, action="decide_handling"
    )
    if rec.decision is not None:
        raise Conflict("This recommendation has been decided.", field="recommendationId")
    note = validation.text(note, "note", max_len=4000)
    if decision is HandlingDecision.BAN and not bans:
        raise InvalidInput(
            "Say whom the ban stops: the unit, business unit or person.", field="bans"
        )
    if decision is not HandlingDecision.BAN and bans:
        raise InvalidInput("Bans go with the decision 'ban'.", field="bans")
    today = clock.today()
    if decision is HandlingDecision.SUSPEND_PROJECT:
        project_access = ProjectAccess(project, await member_ids(session, project))
        await apply(
            session,
            principal,
            project_access,
            lifecycle.TRANSITIONS["suspend"],
            expected_version=None,
            reason=f"R-OVERDUE: {note}",
        )
    targets = {
        BanTarget.UNIT: project.tenant_id,
        BanTarget.BUSINESS_UNIT: project.department_id,
        BanTarget.PERSON: project.pi_user_id,
    }
    subject = {
        BanTarget.UNIT: SubjectKind.UNIT,
        BanTarget.BUSINESS_UNIT: SubjectKind.BUSINESS_UNIT,
        BanTarget.PERSON: SubjectKind.PERSON,
    }
    for spec in bans:
        if spec.ends_on is not None and spec.ends_on <= today:
            raise InvalidInput("A ban ends in the future.", field="endsOn")
        # R-OVERDUE → R-WARNLIST: the stop goes on the warning list, which the gate enforces.
        await warnlist.add_entry(
            session,
            principal,
            tenant_id,
            warnlist.EntryInput(
                subject_kind=subject[spec.target],
                subject_id=targets[spec.target],
                reason=note,
                source=EntrySource.HANDLING_DECISION,
                ban=True,
                starts_on=today,
                ends_on=spec.ends_on,
                source_ref=rec.id,
            ),
            authorized=True,
        )
    rec.decision = decision.value
    rec.decided_by_label = principal.label
    rec.decided_at = utcnow()
    rec.decision_note = note
    await session.flush()
    await _record(
        session,
        principal,
        access.hazard,
        "handling_decided",
        decision=decision.value,
        note=note,
        bans=[b.target.value for b in bans],
    )
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="hazard.handling_decided",
        payload={
            "recommendation_id": str(rec.id),
            "decision": decision.value,
            "project_id": str(project.id),
        },
    )
    return rec


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HazardFilter:
    project_id: uuid.UUID | None = None
    states: Sequence[HazardState] = ()
    severities: Sequence[HazardSeverity] = ()
    overdue: bool | None = None


def filtered(filters: HazardFilter, today: date) -> Select[Hazard]:
    stmt: Select[Hazard] = select(Hazard)
    if filters.project_id is not None:
        stmt = stmt.where(Hazard.project_id == filters.project_id)
    if filters.states:
        stmt = stmt.where(Hazard.state.in_([s.value for s in filters.states]))
    if filters.severities:
        stmt = stmt.where(Hazard.severity.in_([s.value for s in filters.severities]))
    if filters.overdue is not None:
        late = and_(Hazard.state != HazardState.CLOSED.value, Hazard.deadline < today)
        stmt = stmt.where(late if filters.overdue else ~late)
    return stmt


async def _hazard_target(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> attachments.AttachmentTarget | None:
    hazard = await session.scalar(select(Hazard).where(Hazard.id == hazard_id))
    if hazard is None:
        return None
    project = await session.get(Project, (hazard.tenant_id, hazard.project_id))
    assert project is not None
    rel = await _project_relations(session, principal, project)
    if principal.user_id and principal.user_id == hazard.owner_user_id:
        rel = rel | {"owner"}
    return attachments.AttachmentTarget(
        "hazard",
        hazard.id,
        hazard.tenant_id,
        hazard.title,
        locked=hazard.state == HazardState.CLOSED.value,
        relations=rel,
    )


attachments.register("hazard", _hazard_target)


def may_read(principal: Principal, hazard: Hazard) -> bool:
    """For lists: reading a hazard needs no relation, so the gate decides per tenant."""
    return is_allowed(principal, "read", Target("hazard", hazard.tenant_id))
