"""Tables of the tenancy domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantOwned, Timestamped, new_id

if TYPE_CHECKING:
    from server.auth.principal import Principal

NO_RELATIONS: frozenset[str] = frozenset()


class OrgUnit(Timestamped, Base):
    """HQ, a branch academy or an institute. Every org unit is a tenant: its id is a tenant_id.

    Not tenant-owned itself; its own RLS policy lets a principal see the units it may see
    (its tenants, the units they report to, and under a branch the branch's institutes).
    """

    __tablename__ = "org_units"
    __table_args__ = (
        CheckConstraint("kind IN ('hq','branch','institute')", name="kind"),
        CheckConstraint(
            "(kind = 'hq' AND parent_id IS NULL) OR (kind <> 'hq' AND parent_id IS NOT NULL)",
            name="parent",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # Institutes report to their branch academy; branch academies to HQ.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"))

    resource_type: ClassVar[str] = "org_unit"

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.id

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return NO_RELATIONS


class Department(TenantOwned, Timestamped, Base):
    """A department inside an institute (research, research management, safety, ...)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="research")

    resource_type: ClassVar[str] = "department"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return NO_RELATIONS


class User(TenantOwned, Timestamped, Base):
    """A person; `tenant_id` is the org unit they belong to."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        ForeignKeyConstraint(
            ["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]
        ),
    )

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_type: ClassVar[str] = "user"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return frozenset({"self"}) if principal.user_id == self.id else NO_RELATIONS


class Login(Base):
    """Global directory of sign-in names, so a username is unique across the academy.

    The application role cannot read it; only `auth_find_login()` (SECURITY DEFINER) can.
    """

    __tablename__ = "logins"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class Membership(TenantOwned, Timestamped, Base):
    """A user holds a role in the org unit `tenant_id`, which is always the user's own unit."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "role"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    role: Mapped[str] = mapped_column(String(40))
    granted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    resource_type: ClassVar[str] = "membership"

    def relations_to(self, principal: Principal) -> frozenset[str]:
        return NO_RELATIONS
