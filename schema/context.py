"""The typed context built fresh for each GraphQL request."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as _Info

from schema.loaders import Loaders
from server.auth.principal import Principal
from server.config import Settings
from server.documents.storage import ObjectStore


@dataclass
class Context:
    request: Request
    response: Response
    session: AsyncSession
    principal: Principal
    settings: Settings
    # For work that must commit on its own, whatever happens to the request (sign-in state).
    sessions: async_sessionmaker[AsyncSession]
    store: ObjectStore
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session)


Info = _Info[Context, None]
