"""Mutations of the warning list (R-WARNLIST) and the rewards register (R-REWARD): HQ adds,
changes and lifts entries, each step kept in the entry's history, and records rewards."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import MutationError, run_mutation
from schema.relay import from_global_id, tenant_key
from schema.warnlist.types import SUBJECT_NODES, Reward, WarningListEntry
from server.errors import InvalidInput, NotFound
from server.warnlist import service
from server.warnlist.models import EntrySource, RewardReason, SubjectKind


@strawberry.input
class WarningListEntryInput:
    subject_kind: SubjectKind
    subject_id: strawberry.ID = strawberry.field(
        description="Global ID of the institute (OrgUnit), or of its Department or User."
    )
    reason: str
    source: EntrySource = strawberry.field(
        description="INCIDENT or VIOLATION; the evaluation and HQ's handling decisions add "
        "their own entries."
    )
    ban: bool = strawberry.field(
        default=False, description="Bar new projects, rather than only flag the subject."
    )
    starts_on: date | None = strawberry.field(default=None, description="Default: today.")
    ends_on: date | None = strawberry.field(default=None, description="Null: until lifted.")


@strawberry.input
class RewardInput:
    recipient_kind: SubjectKind = strawberry.field(description="UNIT or PERSON.")
    recipient_id: strawberry.ID = strawberry.field(
        description="Global ID of the institute (OrgUnit) or of one of its people (User)."
    )
    reason: RewardReason
    citation: str
    awarded_on: date


@strawberry.type
class WarningListEntrySaved:
    entry: WarningListEntry


@strawberry.type
class RewardSaved:
    reward: Reward


WarningListEntryResult = Annotated[
    WarningListEntrySaved | MutationError, strawberry.union("WarningListEntryResult")
]
RewardResult = Annotated[RewardSaved | MutationError, strawberry.union("RewardResult")]


def _unit(org_unit_id: strawberry.ID) -> uuid.UUID:
    unit: uuid.UUID = from_global_id(org_unit_id, "OrgUnit")[1][0]
    return unit


def _subject(kind: SubjectKind, global_id: str, unit_id: uuid.UUID, field: str) -> uuid.UUID:
    """The row id of a subject given by its global ID; it must be of the kind and the unit."""
    node = SUBJECT_NODES[kind]
    wrong = InvalidInput(f"Give the ID of a {node} of this institute.", field=field)
    try:
        _, parts = from_global_id(global_id, node)
    except NotFound as exc:
        raise wrong from exc
    if kind is not SubjectKind.UNIT and parts[0] != unit_id:
        raise wrong
    return parts[-1]


@strawberry.type
class WarnlistMutation:
    @strawberry.mutation(
        description="Put an institute, one of its business units or people on the warning list "
        "(HQ); the unit's legal representative and research management are told."
    )
    async def add_warning_list_entry(
        self, info: Info, org_unit_id: strawberry.ID, input: WarningListEntryInput
    ) -> WarningListEntryResult:
        ctx = info.context

        async def work() -> WarningListEntrySaved:
            unit = _unit(org_unit_id)
            row = await service.add_entry(
                ctx.session,
                ctx.principal,
                unit,
                service.EntryInput(
                    subject_kind=input.subject_kind,
                    subject_id=_subject(input.subject_kind, input.subject_id, unit, "subjectId"),
                    reason=input.reason,
                    source=input.source,
                    ban=input.ban,
                    starts_on=input.starts_on,
                    ends_on=input.ends_on,
                ),
            )
            return WarningListEntrySaved(entry=WarningListEntry.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(
        description="Change an entry's end (null: until lifted) or ban, saying why (HQ); the "
        "history keeps what it was."
    )
    async def change_warning_list_entry(
        self, info: Info, id: strawberry.ID, ends_on: date | None, ban: bool, reason: str
    ) -> WarningListEntryResult:
        ctx = info.context

        async def work() -> WarningListEntrySaved:
            tenant_id, entry_id = tenant_key(id, "WarningListEntry")
            row = await service.change_entry(
                ctx.session,
                ctx.principal,
                tenant_id,
                entry_id,
                ends_on=ends_on,
                ban=ban,
                reason=reason,
            )
            return WarningListEntrySaved(entry=WarningListEntry.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Take an entry off the list, saying why (HQ).")
    async def lift_warning_list_entry(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> WarningListEntryResult:
        ctx = info.context

        async def work() -> WarningListEntrySaved:
            tenant_id, entry_id = tenant_key(id, "WarningListEntry")
            row = await service.lift_entry(
                ctx.session, ctx.principal, tenant_id, entry_id, reason=reason
            )
            return WarningListEntrySaved(entry=WarningListEntry.of(row))

        return await run_mutation(info, work)

    @strawberry.mutation(description="Record a reward to an institute or one of its people (HQ).")
    async def add_reward(
        self, info: Info, org_unit_id: strawberry.ID, input: RewardInput
    ) -> RewardResult:
        ctx = info.context

        async def work() -> RewardSaved:
            unit = _unit(org_unit_id)
            row = await service.add_reward(
                ctx.session,
                ctx.principal,
                unit,
                service.RewardInput(
                    recipient_kind=input.recipient_kind,
                    recipient_id=_subject(
                        input.recipient_kind, input.recipient_id, unit, "recipientId"
                    ),
                    reason=input.reason,
                    citation=input.citation,
                    awarded_on=input.awarded_on,
                ),
            )
            return RewardSaved(reward=Reward.of(row))

        return await run_mutation(info, work)
