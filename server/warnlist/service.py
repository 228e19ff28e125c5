"""The warning list (警示名录, R-WARNLIST): entries managed by HQ, their history, and what they
mean for new projects; and the rewards register (R-REWARD).

Effect on projects: a unit, business unit (department) or person — the project's PI — under an
active **ban** cannot submit a new project or have one approved; one that is **listed** without a
ban is flagged, and its projects need the HQ business department's re-review before approval.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, clock, outbox, validation
from server.auth.principal import Principal
from server.authz import Target, authorize, is_allowed
from server.db.base import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.pagination import Page, paginate
from server.projects.models import Project
from server.tenancy.models import Department, OrgUnit, User
from server.tenancy.roles import UnitKind
from server.warnlist.models import (
    EntrySource,
    Reward,
    RewardReason,
    SubjectKind,
    WarningListEntry,
    WarningListEvent,
)

# ---------------------------------------------------------------- the effect on projects


@dataclass(frozen=True)
class Standing:
    """A project's standing on the warning list: why it is barred, why it is flagged."""

    bans: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def banned(self) -> bool:
        return bool(self.bans)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def _active(day: date) -> list[ColumnElement[bool]]:
    return [
        WarningListEntry.lifted_at.is_(None),
        WarningListEntry.starts_on <= day,
        or_(WarningListEntry.ends_on.is_(None), WarningListEntry.ends_on >= day),
    ]


async def standing(session: AsyncSession, project: Project, day: date | None = None) -> Standing:
    """The active entries on the project's unit, department and PI (one statement)."""
    day = day or clock.today()
    subjects = [
        (SubjectKind.UNIT.value, project.tenant_id),
        (SubjectKind.BUSINESS_UNIT.value, project.department_id),
        (SubjectKind.PERSON.value, project.pi_user_id),
    ]
    rows = await session.execute(
        select(WarningListEntry)
        .where(WarningListEntry.tenant_id == project.tenant_id, *_active(day))
        .where(
            or_(
                *(
                    (WarningListEntry.subject_kind == kind) & (WarningListEntry.subject_id == sid)
                    for kind, sid in subjects
                )
            )
        )
        .order_by(WarningListEntry.starts_on, WarningListEntry.id)
    )
    bans: list[str] = []
    flags: list[str] = []
    for entry in rows.scalars():
        line = f"{entry.subject_label} ({entry.subject_kind}): {entry.reason}"
        (bans if entry.ban else flags).append(line)
    return Standing(tuple(bans), tuple(flags))


# ---------------------------------------------------------------- managing entries


SERVICE_SOURCES = frozenset({EntrySource.EVALUATION, EntrySource.HANDLING_DECISION})


@dataclass(frozen=True)
class EntryInput:
    subject_kind: SubjectKind
    subject_id: uuid.UUID
    reason: str
    source: EntrySource
    ban: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    source_ref: uuid.UUID | None = None


async def _subject(
    session: AsyncSession, unit_id: uuid.UUID, kind: SubjectKind, subject_id: uuid.UUID
) -> str:
    """The subject's label; it must belong to the institute `unit_id`."""
    if kind is SubjectKind.UNIT:
        unit = await session.get(OrgUnit, unit_id)
        if unit is None or unit.id != subject_id:
            raise InvalidInput("A unit entry names the unit itself.", field="subjectId")
        return unit.name
    if kind is SubjectKind.BUSINESS_UNIT:
        department = await session.get(Department, (unit_id, subject_id))
        if department is None:
            raise InvalidInput("No such business unit in the unit.", field="subjectId")
        return department.name
    person = await session.get(User, (unit_id, subject_id))
    if person is None:
        raise InvalidInput("No such person in the unit.", field="subjectId")
    return person.display_name


async def _history(
    session: AsyncSession,
    principal: Principal,
    entry: WarningListEntry,
    action: str,
    changes: dict[str, object],
) -> None:
    session.add(
        WarningListEvent(
            tenant_id=entry.tenant_id,
            entry_id=entry.id,
            action=action,
            by_label=principal.label,
            changes=changes,
        )
    )
    await audit.record(
        session,
        principal,
        tenant_id=entry.tenant_id,
        action=f"warning_list.{action}",
        object_type="warning_list_entry",
        object_id=entry.id,
        changes=changes,
    )


def _dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("The entry ends before it starts.", field="endsOn")


async def add_entry(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    data: EntryInput,
    *,
    authorized: bool = False,
) -> WarningListEntry:
    """Put a subject of the institute `unit_id` on the list (HQ; `authorized` when a service
    that already checked a stronger action — HQ's handling decision — records a ban)."""
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    if not authorized:
        authorize(principal, "manage", Target("warning_list", unit_id))
        # The evaluation and HQ's handling decisions list by themselves, citing their record;
        # an entry by hand cannot claim to come from them.
        if data.source in SERVICE_SOURCES:
            raise InvalidInput(
                "Entries from the evaluation or a handling decision are added by those; "
                "give INCIDENT or VIOLATION.",
                field="source",
            )
    if unit.kind != UnitKind.INSTITUTE.value:
        raise InvalidInput("The warning list names institutes and their people.", field="orgUnitId")
    label = await _subject(session, unit_id, data.subject_kind, data.subject_id)
    starts_on = data.starts_on or clock.today()
    _dates(starts_on, data.ends_on)
    entry = WarningListEntry(
        tenant_id=unit_id,
        subject_kind=data.subject_kind.value,
        subject_id=data.subject_id,
        subject_label=label,
        reason=validation.text(data.reason, "reason", max_len=4000),
        source=data.source.value,
        source_ref=data.source_ref,
        ban=data.ban,
        starts_on=starts_on,
        ends_on=data.ends_on,
        created_by_label=principal.label,
    )
    session.add(entry)
    await session.flush()
    await _history(
        session,
        principal,
        entry,
        "added",
        {
            "subject": f"{entry.subject_kind}:{label}",
            "ban": entry.ban,
            "source": entry.source,
            "starts_on": starts_on.isoformat(),
            "ends_on": data.ends_on.isoformat() if data.ends_on else None,
        },
    )
    await outbox.emit(
        session,
        tenant_id=unit_id,
        topic="warning_list.entry_added",
        payload={
            "entry_id": str(entry.id),
            "subject": label,
            "ban": entry.ban,
            "reason": entry.reason,
        },
    )
    return entry


async def _load(
    session: AsyncSession, principal: Principal, tenant_id: uuid.UUID, entry_id: uuid.UUID
) -> WarningListEntry:
    entry = await session.get(WarningListEntry, (tenant_id, entry_id), with_for_update=True)
    if entry is None or not principal.can_see(tenant_id):
        raise NotFound("No such warning-list entry.")
    authorize(principal, "manage", entry)
    if entry.lifted_at is not None:
        raise Conflict("The entry was lifted; add a new one.", field="id")
    return entry


async def change_entry(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    entry_id: uuid.UUID,
    *,
    ends_on: date | None,
    ban: bool,
    reason: str,
) -> WarningListEntry:
    """Change an entry's end or ban, saying why; the history keeps what it was."""
    entry = await _load(session, principal, tenant_id, entry_id)
    _dates(entry.starts_on, ends_on)
    why = validation.text(reason, "reason", max_len=4000)
    changes = {
        "ends_on": [
            entry.ends_on.isoformat() if entry.ends_on else None,
            ends_on.isoformat() if ends_on else None,
        ],
        "ban": [entry.ban, ban],
        "why": why,
    }
    entry.ends_on, entry.ban = ends_on, ban
    await _history(session, principal, entry, "changed", changes)
    return entry


async def lift_entry(
    session: AsyncSession,
    principal: Principal,
    tenant_id: uuid.UUID,
    entry_id: uuid.UUID,
    *,
    reason: str,
) -> WarningListEntry:
    entry = await _load(session, principal, tenant_id, entry_id)
    entry.lifted_at = utcnow()
    entry.lifted_reason = validation.text(reason, "reason", max_len=4000)
    await _history(session, principal, entry, "lifted", {"why": entry.lifted_reason})
    await outbox.emit(
        session,
        tenant_id=tenant_id,
        topic="warning_list.entry_lifted",
        payload={"entry_id": str(entry.id), "subject": entry.subject_label},
    )
    return entry


@dataclass(frozen=True)
class EntryFilter:
    unit_id: uuid.UUID | None = None
    active_on: date | None = None
    bans_only: bool = False
    kinds: Sequence[SubjectKind] = field(default_factory=tuple)


def _filtered(filters: EntryFilter) -> Select[WarningListEntry]:
    stmt = select(WarningListEntry)
    if filters.unit_id is not None:
        stmt = stmt.where(WarningListEntry.tenant_id == filters.unit_id)
    if filters.active_on is not None:
        stmt = stmt.where(*_active(filters.active_on))
    if filters.bans_only:
        stmt = stmt.where(WarningListEntry.ban.is_(True))
    if filters.kinds:
        stmt = stmt.where(WarningListEntry.subject_kind.in_([k.value for k in filters.kinds]))
    return stmt


async def entries(
    session: AsyncSession,
    principal: Principal,
    filters: EntryFilter,
    *,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[WarningListEntry]:
    """Entries the principal may read: HQ all, a branch its institutes, an institute its own."""
    if filters.unit_id is not None and not principal.can_see(filters.unit_id):
        raise NotFound("No such org unit.")
    page = await paginate(
        session,
        _filtered(filters),
        WarningListEntry.created_at,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
        tiebreak=WarningListEntry.id,
    )
    return page.keep(lambda e: is_allowed(principal, "read", e))


# ---------------------------------------------------------------- rewards (R-REWARD)


@dataclass(frozen=True)
class RewardInput:
    recipient_kind: SubjectKind  # unit or person
    recipient_id: uuid.UUID
    reason: RewardReason
    citation: str
    awarded_on: date


async def add_reward(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: RewardInput
) -> Reward:
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    authorize(principal, "manage", Target("reward", unit_id))
    if data.recipient_kind is SubjectKind.BUSINESS_UNIT:
        raise InvalidInput("Rewards go to units and people.", field="recipientKind")
    if data.awarded_on > clock.today():
        raise InvalidInput("A reward is recorded once awarded.", field="awardedOn")
    label = await _subject(session, unit_id, data.recipient_kind, data.recipient_id)
    reward = Reward(
        tenant_id=unit_id,
        recipient_kind=data.recipient_kind.value,
        recipient_id=data.recipient_id,
        recipient_label=label,
        reason=data.reason.value,
        citation=validation.text(data.citation, "citation", max_len=4000),
        awarded_on=data.awarded_on,
        awarded_by_label=principal.label,
    )
    session.add(reward)
    await session.flush()
    await audit.record(
        session,
        principal,
        tenant_id=unit_id,
        action="reward.add",
        object_type="reward",
        object_id=reward.id,
        changes={"recipient": label, "reason": reward.reason},
    )
    return reward


async def rewards(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID | None,
    *,
    first: int,
    after: str | None,
    max_size: int,
) -> Page[Reward]:
    if unit_id is not None and not principal.can_see(unit_id):
        raise NotFound("No such org unit.")
    stmt = select(Reward)
    if unit_id is not None:
        stmt = stmt.where(Reward.tenant_id == unit_id)
    page = await paginate(
        session,
        stmt,
        Reward.awarded_on,
        first=first,
        after=after,
        max_size=max_size,
        descending=True,
        tiebreak=Reward.id,
    )
    return page.keep(lambda r: is_allowed(principal, "read", r))
