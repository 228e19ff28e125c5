"""GraphQL types of the warning list (警示名录, R-WARNLIST) and the rewards register (R-REWARD)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.relay import Node, to_global_id
from schema.tenancy.types import OrgUnit
from server import clock
from server.warnlist import models
from server.warnlist.models import EntrySource, RewardReason, SubjectKind
from server.warnlist.service import Standing

strawberry.enum(
    SubjectKind,
    name="WarningListSubjectKind",
    description="The institute itself, one of its business units (departments), or a person.",
)
strawberry.enum(EntrySource, name="WarningListSource", description="Why the entry was made.")
strawberry.enum(RewardReason, name="RewardReason", description="R-REWARD's three grounds.")

# What a subject is, as the node type whose global ID it gets.
SUBJECT_NODES = {
    SubjectKind.UNIT: "OrgUnit",
    SubjectKind.BUSINESS_UNIT: "Department",
    SubjectKind.PERSON: "User",
}
# The record an entry came from, when a service made it.
SOURCE_NODES = {
    EntrySource.EVALUATION: "UnitRating",
    EntrySource.HANDLING_DECISION: "HandlingRecommendation",
}


def subject_id(kind: SubjectKind, tenant_id: uuid.UUID, row_id: uuid.UUID) -> strawberry.ID:
    """The subject's global ID as its own type registers it (an org unit's ID has no tenant)."""
    if kind is SubjectKind.UNIT:
        return to_global_id("OrgUnit", row_id)
    return to_global_id(SUBJECT_NODES[kind], tenant_id, row_id)


@strawberry.type(description="One step of an entry's history: added, changed or lifted.")
class WarningListEvent:
    action: str
    by: str
    at: datetime
    changes: JSON = strawberry.field(description="What changed ([before, after]) and why.")


@strawberry.type(description="A unit, business unit or person on the warning list (警示名录).")
class WarningListEntry(Node):
    subject_kind: SubjectKind
    subject_id: strawberry.ID = strawberry.field(
        description="Global ID of the OrgUnit, Department or User listed."
    )
    subject_label: str
    reason: str
    source: EntrySource
    source_id: strawberry.ID | None = strawberry.field(
        description="The rating (evaluation) or handling recommendation the entry came from."
    )
    ban: bool = strawberry.field(
        description="No new projects may be submitted or approved; otherwise the subject is "
        "flagged and its new projects need HQ re-review before approval."
    )
    starts_on: date
    ends_on: date | None = strawberry.field(description="Null: until lifted.")
    active: bool = strawberry.field(description="In force today.")
    lifted_at: datetime | None
    lifted_reason: str | None
    created_by: str
    created_at: datetime
    key: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]

    @classmethod
    def of(cls, e: models.WarningListEntry) -> WarningListEntry:
        kind, source = SubjectKind(e.subject_kind), EntrySource(e.source)
        source_node = SOURCE_NODES.get(source)
        return cls(
            id=to_global_id("WarningListEntry", e.tenant_id, e.id),
            subject_kind=kind,
            subject_id=subject_id(kind, e.tenant_id, e.subject_id),
            subject_label=e.subject_label,
            reason=e.reason,
            source=source,
            source_id=(
                to_global_id(source_node, e.tenant_id, e.source_ref)
                if source_node and e.source_ref
                else None
            ),
            ban=e.ban,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            active=e.active_on(clock.today()),
            lifted_at=e.lifted_at,
            lifted_reason=e.lifted_reason,
            created_by=e.created_by_label,
            created_at=e.created_at,
            key=(e.tenant_id, e.id),
        )

    @strawberry.field(description="The institute concerned.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.key[0])
        return OrgUnit.of(unit) if unit is not None else None

    @strawberry.field(description="Added, changed, lifted: oldest first.")
    async def history(self, info: Info) -> list[WarningListEvent]:
        rows = await info.context.loaders.events_by_warning_list_entry.load(self.key)
        return [
            WarningListEvent(
                action=e.action, by=e.by_label, at=e.created_at, changes=cast(JSON, e.changes)
            )
            for e in rows
        ]


@strawberry.type(description="A reward to a unit or a person (R-REWARD).")
class Reward(Node):
    recipient_kind: SubjectKind = strawberry.field(description="UNIT or PERSON.")
    recipient_id: strawberry.ID = strawberry.field(
        description="Global ID of the OrgUnit or User rewarded."
    )
    recipient_label: str
    reason: RewardReason
    citation: str
    awarded_on: date
    awarded_by: str
    created_at: datetime
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, r: models.Reward) -> Reward:
        kind = SubjectKind(r.recipient_kind)
        return cls(
            id=to_global_id("Reward", r.tenant_id, r.id),
            recipient_kind=kind,
            recipient_id=subject_id(kind, r.tenant_id, r.recipient_id),
            recipient_label=r.recipient_label,
            reason=RewardReason(r.reason),
            citation=r.citation,
            awarded_on=r.awarded_on,
            awarded_by=r.awarded_by_label,
            created_at=r.created_at,
            tenant_id=r.tenant_id,
        )

    @strawberry.field(description="The institute concerned.")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_unit_by_id.load(self.tenant_id)
        return OrgUnit.of(unit) if unit is not None else None


@strawberry.type(description="A project's standing on the warning list (R-WARNLIST).")
class WarningListStanding:
    banned: bool = strawberry.field(
        description="An active ban on the unit, department or PI: no submission or approval."
    )
    flagged: bool = strawberry.field(
        description="Listed without a ban: HQ must re-review before approval."
    )
    reasons: list[str] = strawberry.field(description="The active entries, bans first.")

    @classmethod
    def of(cls, s: Standing) -> WarningListStanding:
        return cls(banned=s.banned, flagged=s.flagged, reasons=[*s.bans, *s.flags])
