"""Demo data for the embedded default: HQ, two branches, four institutes, a user per role."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.auth.principal import SYSTEM
from server.config import Settings
from server.db.engine import ALL_TENANTS, scope
from server.tenancy import service
from server.tenancy.models import OrgUnit
from server.tenancy.roles import Role, UnitKind

BRANCHES = [
    (
        "BJ",
        "北京分院",
        "Beijing Branch",
        [
            ("IPH", "物理研究所", "Institute of Physics"),
            ("IAU", "自动化研究所", "Institute of Automation"),
        ],
    ),
    (
        "SH",
        "上海分院",
        "Shanghai Branch",
        [
            ("IOC", "有机化学研究所", "Institute of Organic Chemistry"),
            ("IMS", "微系统研究所", "Institute of Microsystems"),
        ],
    ),
]
INSTITUTE_ROLES = [
    Role.LEGAL_REPRESENTATIVE,
    Role.COORDINATION_LEADER,
    Role.COORDINATION_MEMBER,
    Role.RESEARCH_MANAGEMENT,
    Role.SAFETY_MANAGEMENT,
    Role.RESEARCHER,
    Role.PUBLIC_OPINION_OFFICER,
    Role.SECRECY_OFFICER,
    Role.TENANT_ADMIN,
]
HQ_ROLES = [
    Role.SAFETY_COMMITTEE_OFFICE,
    Role.HQ_COORDINATION_GROUP,
    Role.BUSINESS_DEPARTMENT,
    Role.PLATFORM_ADMIN,
]
CREDENTIALS_FILE = "demo-users.txt"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    unit: str


def demo_password() -> str:
    """Random, and always meeting the password rules (three character classes, 16 long)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{body[:6]}-{secrets.randbelow(90) + 10}{body[6:]}Ab"


async def create_hq(session: AsyncSession, *, code: str, name: str, name_en: str | None) -> OrgUnit:
    """The one HQ, created once at installation (`seed` or `init-hq`)."""
    await scope(session, ALL_TENANTS)
    hq = OrgUnit(kind=UnitKind.HQ.value, code=code, name=name, name_en=name_en, parent_id=None)
    session.add(hq)
    await session.flush()
    await audit.record(
        session,
        SYSTEM,
        tenant_id=hq.id,
        action="org_unit.create",
        object_type="org_unit",
        object_id=hq.id,
        changes={"kind": "hq", "code": code, "name": name},
    )
    return hq


async def seed_demo(session: AsyncSession, settings: Settings) -> list[DemoUser] | None:
    """Create the demo academy unless any org unit exists; returns who was created."""
    await scope(session, ALL_TENANTS)
    if await session.scalar(select(OrgUnit.id).limit(1)) is not None:
        return None
    hq = await create_hq(session, code="HQ", name="院机关", name_en="Academy HQ")
    users: list[DemoUser] = []

    async def person(unit: OrgUnit, username: str, name: str, role: Role) -> None:
        password = demo_password()
        await service.create_user(
            session,
            SYSTEM,
            settings,
            unit_id=unit.id,
            username=username,
            display_name=name,
            password=password,
            roles=[role],
        )
        users.append(DemoUser(username, password, role, unit.name))

    for role in HQ_ROLES:
        await person(hq, f"hq.{role.value.replace('_', '-')}", f"院机关 {role.value}", role)
    for b_code, b_name, b_en, institutes in BRANCHES:
        branch = await service.create_org_unit(
            session,
            SYSTEM,
            kind=UnitKind.BRANCH,
            code=b_code,
            name=b_name,
            name_en=b_en,
            parent_id=hq.id,
        )
        await person(
            branch, f"{b_code.lower()}.supervisor", f"{b_name}监管", Role.BRANCH_SUPERVISOR
        )
        for i_code, i_name, i_en in institutes:
            inst = await service.create_org_unit(
                session,
                SYSTEM,
                kind=UnitKind.INSTITUTE,
                code=i_code,
                name=i_name,
                name_en=i_en,
                parent_id=branch.id,
            )
            for dept in ("科研管理处", "安全保卫处", "第一研究室"):
                await service.create_department(
                    session, SYSTEM, unit_id=inst.id, name=dept, kind="research"
                )
            # Every role at the first institute; an admin and a researcher at the others.
            roles = INSTITUTE_ROLES if i_code == "IPH" else [Role.TENANT_ADMIN, Role.RESEARCHER]
            for role in roles:
                await person(
                    inst,
                    f"{i_code.lower()}.{role.value.replace('_', '-')}",
                    f"{i_name} {role.value}",
                    role,
                )
    return users


def write_credentials(data_dir: Path, users: list[DemoUser]) -> Path:
    """Kept (mode 0600) so that each start can print the demo sign-ins again."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    lines = [f"{u.username}\t{u.password}\t{u.role.value}\t{u.unit}" for u in users]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def read_credentials(data_dir: Path) -> list[DemoUser]:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        username, password, role, unit = line.split("\t")
        out.append(DemoUser(username, password, Role(role), unit))
    return out
