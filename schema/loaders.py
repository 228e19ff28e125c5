"""Per-request DataLoaders, named `XByYLoader`: one statement per batch, whatever the list size."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from server.documents.models import DocumentVersion
from server.documents.service import versions_of
from server.tenancy.models import Membership, OrgUnit
from server.tenancy.service import memberships_of

UserKey = tuple[uuid.UUID, uuid.UUID]
DocumentKey = tuple[uuid.UUID, uuid.UUID]


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.org_unit_by_id: DataLoader[uuid.UUID, OrgUnit | None] = DataLoader(self._org_units)
        self.memberships_by_user: DataLoader[UserKey, list[Membership]] = DataLoader(
            self._memberships
        )
        self.versions_by_document: DataLoader[DocumentKey, list[DocumentVersion]] = DataLoader(
            self._versions
        )

    async def _org_units(self, ids: Sequence[uuid.UUID]) -> list[OrgUnit | None]:
        # Row-level security applies: a unit the principal may not see loads as None.
        rows = await self.session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids)))
        found = {u.id: u for u in rows.scalars()}
        return [found.get(i) for i in ids]

    async def _memberships(self, keys: Sequence[UserKey]) -> list[list[Membership]]:
        found = await memberships_of(self.session, keys)
        return [found[k] for k in keys]

    async def _versions(self, keys: Sequence[DocumentKey]) -> list[list[DocumentVersion]]:
        found = await versions_of(self.session, keys)
        return [found[k] for k in keys]
