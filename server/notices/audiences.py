"""Who an audience of the routing table is, for one event: resolved to users in SQL.

An audience is either people named on the subject (the undertakers of a project, the owner of
a hazard or a measure) or holders of a role in a unit related to the subject (the unit itself,
its branch academy, HQ, or the project's approving body under R-OWN).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.notices.subjects import Subject
from server.tenancy.models import Membership, OrgUnit, User
from server.tenancy.roles import Role, UnitKind


class Where(enum.StrEnum):
    UNIT = "unit"  # the unit the event belongs to
    BRANCH = "branch"  # the branch academy that supervises it
    HQ = "hq"


class Named(enum.StrEnum):
    UNDERTAKERS = "undertakers"  # R-OWN: the PI and members are responsible
    MANAGING_BODY = "managing_body"  # R-OWN: who approves manages (reviewers and approvers)
    HAZARD_OWNER = "hazard_owner"  # who must rectify (整改责任人)
    MEASURE_OWNER = "measure_owner"  # who carries out a mitigation measure


@dataclass(frozen=True)
class When:
    """A condition on the event's payload: the audience is told only when `key` has one of
    `values` (a warning signal's level, or whether it is about a project or a unit)."""

    key: str
    values: tuple[str, ...]

    def holds(self, payload: dict[str, Any]) -> bool:
        return str(payload.get(self.key)) in self.values

    def describe(self) -> str:
        return f"if {self.key.replace('_', ' ')} is {' or '.join(self.values)}"


@dataclass(frozen=True)
class Audience:
    named: Named | None = None
    role: Role | None = None
    where: Where = Where.UNIT
    when: When | None = None

    def describe(self) -> str:
        who = self._who()
        return f"{who} ({self.when.describe()})" if self.when is not None else who

    def _who(self) -> str:
        if self.named is Named.MANAGING_BODY:
            return "the approving body (research management; HQ business department if HQ deploys)"
        if self.named is not None:
            return self.named.value.replace("_", " ")
        assert self.role is not None
        place = {Where.UNIT: "the unit's", Where.BRANCH: "the branch academy's", Where.HQ: "HQ"}
        return f"{place[self.where]} {self.role.value.replace('_', ' ')}"

    def only_if(self, key: str, *values: str) -> Audience:
        """The same audience, told only when the payload's `key` is one of `values`."""
        return replace(self, when=When(key, values))


def unit(role: Role) -> Audience:
    return Audience(role=role, where=Where.UNIT)


def branch() -> Audience:
    return Audience(role=Role.BRANCH_SUPERVISOR, where=Where.BRANCH)


def hq(role: Role) -> Audience:
    return Audience(role=role, where=Where.HQ)


UNDERTAKERS = Audience(named=Named.UNDERTAKERS)
MANAGING_BODY = Audience(named=Named.MANAGING_BODY)
HAZARD_OWNER = Audience(named=Named.HAZARD_OWNER)
MEASURE_OWNER = Audience(named=Named.MEASURE_OWNER)


@dataclass(frozen=True)
class Recipient:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    email: str | None
    locale: str


async def _hq_id(session: AsyncSession) -> uuid.UUID | None:
    return await session.scalar(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.HQ.value))


async def resolve(
    session: AsyncSession, subject: Subject, audiences: tuple[Audience, ...]
) -> list[Recipient]:
    """Everyone the audiences name, once each, enabled accounts only, in a stable order."""
    people: set[tuple[uuid.UUID, uuid.UUID]] = set()
    wanted: set[tuple[uuid.UUID, str]] = set()  # (unit, role)
    hq_id = await _hq_id(session)
    places = {Where.UNIT: subject.unit.id, Where.BRANCH: subject.unit.parent_id, Where.HQ: hq_id}
    project = subject.project
    for audience in audiences:
        if audience.when is not None and not audience.when.holds(subject.payload):
            continue
        if audience.named is Named.UNDERTAKERS and project is not None:
            people.update((project.tenant_id, u) for u in (project.pi_user_id, *subject.members))
        elif audience.named is Named.MANAGING_BODY and project is not None:
            if project.deployed_by_hq and hq_id is not None:
                wanted.add((hq_id, Role.BUSINESS_DEPARTMENT.value))
            else:
                wanted.add((project.tenant_id, Role.RESEARCH_MANAGEMENT.value))
        elif audience.named is Named.HAZARD_OWNER and subject.hazard is not None:
            if subject.hazard.owner_user_id is not None:
                people.add((subject.hazard.tenant_id, subject.hazard.owner_user_id))
        elif audience.named is Named.MEASURE_OWNER and subject.measure is not None:
            if subject.measure.owner_user_id is not None:
                people.add((subject.measure.tenant_id, subject.measure.owner_user_id))
        elif audience.role is not None:
            place = places[audience.where]
            if place is not None:
                wanted.add((place, audience.role.value))
    found: dict[tuple[uuid.UUID, uuid.UUID], Recipient] = {}
    if wanted:
        rows = await session.execute(
            select(User.tenant_id, User.id, User.email, User.locale)
            .join(
                Membership,
                (Membership.tenant_id == User.tenant_id) & (Membership.user_id == User.id),
            )
            .where(tuple_(Membership.tenant_id, Membership.role).in_(sorted(wanted)))
            .where(User.disabled.is_(False))
        )
        for t, u, email, locale in rows:
            found[(t, u)] = Recipient(t, u, email, locale)
    if people:
        rows = await session.execute(
            select(User.tenant_id, User.id, User.email, User.locale)
            .where(tuple_(User.tenant_id, User.id).in_(sorted(people)))
            .where(User.disabled.is_(False))
        )
        for t, u, email, locale in rows:
            found[(t, u)] = Recipient(t, u, email, locale)
    return [found[k] for k in sorted(found)]
