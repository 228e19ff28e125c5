"""Tables of the sign-in domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped


class AuthSession(TenantOwned, Timestamped, Base):
    """A sign-in session: one refresh token at a time (rotated on use); access tokens name it."""

    __tablename__ = "auth_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Only the newest refresh token's hash is kept: an older one presented again means it was
    # copied, and the whole session is revoked.
    refresh_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    rotations: Mapped[int] = mapped_column(Integer, default=0)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))


class ApiToken(TenantOwned, Timestamped, Base):
    """A token for another system (an institute's portal): bound to one tenant and one role."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Failed sign-ins per client address in a sliding window (shared across API replicas)."""

    __tablename__ = "login_attempts"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
