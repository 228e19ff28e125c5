"""Queries of the warning list (R-WARNLIST) and the rewards register (R-REWARD)."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.relay import Connection, connection, from_global_id
from schema.warnlist.types import Reward, WarningListEntry
from server import clock
from server.warnlist import service
from server.warnlist.models import SubjectKind


@strawberry.input(description="Every given condition must hold.")
class WarningListFilter:
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entries of this institute only."
    )
    active_only: bool = strawberry.field(default=False, description="In force today.")
    bans_only: bool = False
    subject_kinds: list[SubjectKind] | None = None


async def warning_list(
    info: Info,
    filter: WarningListFilter | None = None,
    first: int = 50,
    after: str | None = None,
) -> Connection[WarningListEntry]:
    """Newest first: HQ sees every unit's entries, a branch its institutes', an institute's
    legal representative, coordination group leader and research management their own."""
    ctx = info.context
    f = filter or WarningListFilter()
    page = await service.entries(
        ctx.session,
        ctx.principal,
        service.EntryFilter(
            unit_id=from_global_id(f.org_unit_id, "OrgUnit")[1][0] if f.org_unit_id else None,
            active_on=clock.today() if f.active_only else None,
            bans_only=f.bans_only,
            kinds=tuple(f.subject_kinds or ()),
        ),
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, WarningListEntry.of)


async def rewards(
    info: Info, org_unit_id: strawberry.ID | None = None, first: int = 50, after: str | None = None
) -> Connection[Reward]:
    """Rewards, last awarded first: HQ every unit's, a branch its institutes', an institute its
    own."""
    ctx = info.context
    page = await service.rewards(
        ctx.session,
        ctx.principal,
        from_global_id(org_unit_id, "OrgUnit")[1][0] if org_unit_id else None,
        first=first,
        after=after,
        max_size=ctx.settings.page_size_max,
    )
    return connection(page, Reward.of)


@strawberry.type
class WarnlistQuery:
    warning_list: Connection[WarningListEntry] = strawberry.field(resolver=warning_list)
    rewards: Connection[Reward] = strawberry.field(resolver=rewards)
