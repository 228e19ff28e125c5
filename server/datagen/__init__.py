"""The academy generator: a realistic academy for benchmarks and demonstrations.

An operator's tool (`python -m server.cli generate-academy`), not an application path: it
writes through the **owner** connection in bulk (SQLAlchemy Core inserts of many rows per
statement), with the transaction's visible tenant set at '*' so that the forced row-level
security admits the rows; the app role never writes like this. Each new org unit is audited as
the tenancy service audits it, and each filled institute gets one audit entry
(`datagen.populate`) saying what was generated.

Deterministic: the same seed, sizes and day give the same academy (ids, names, states, dates;
not the password hash, which is salted); each unit draws from its own random stream
(`server.datagen.plan`). Generated units have
codes starting `GEN-`; a database that already holds them is refused unless `append` is given,
which adds further branch academies after the existing ones.
"""

from __future__ import annotations

import math
import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server import audit, clock
from server.auth import passwords
from server.auth.principal import SYSTEM
from server.datagen import catalogue as cat
from server.datagen.plan import Institute, InstitutePlan, Tally, UnitRows, new_uuid, username
from server.db.engine import ALL_TENANTS, scope, session_factory
from server.documents.models import Document, DocumentVersion
from server.errors import Conflict, InvalidInput
from server.incidents.models import Incident, IncidentUpdate, SpecialMeeting
from server.inspections.models import Hazard, Inspection, MeasureCheck, Supervision
from server.projects.models import (
    ChokepointDependency,
    Filing,
    MajorChange,
    MitigationMeasure,
    Permit,
    Project,
    ProjectMember,
    Review,
    RiskAssessment,
    RiskPoint,
)
from server.seed import create_hq
from server.tenancy.models import Department, Login, Membership, OrgUnit, User
from server.tenancy.roles import Role, UnitKind

PREFIX = "GEN-"
# Parents before children: the order the foreign keys need.
TABLE_ORDER: list[Table] = [
    cast(Table, m.__table__)
    for m in (
        Department,
        User,
        Login,
        Membership,
        Project,
        ProjectMember,
        RiskAssessment,
        RiskPoint,
        MitigationMeasure,
        ChokepointDependency,
        Document,
        DocumentVersion,
        Review,
        Filing,
        Permit,
        MajorChange,
        Inspection,
        MeasureCheck,
        Hazard,
        Supervision,
        Incident,
        IncidentUpdate,
        SpecialMeeting,
    )
]
BATCH = 5000
BRANCH_SUPERVISORS = 2


class GeneratedDataExists(Conflict):
    code = "GENERATED_DATA_EXISTS"


@dataclass(frozen=True)
class AcademySpec:
    branches: int = 12
    institutes_per_branch: int = 10
    projects: int = 50_000
    seed: int = 1
    today: date | None = None  # the day the academy is generated for (default: today)
    append: bool = False
    # Every generated person gets this password (hashed once); None: a random one nobody knows.
    password: str | None = None

    def validate(self) -> None:
        if not 1 <= self.branches <= 99:
            raise InvalidInput("Generate 1 to 99 branch academies.", field="branches")
        if not 1 <= self.institutes_per_branch <= 99:
            raise InvalidInput("Give each branch 1 to 99 institutes.", field="institutesPerBranch")
        if not 0 <= self.projects <= 5_000_000:
            raise InvalidInput("Generate 0 to 5,000,000 projects.", field="projects")


@dataclass
class Manifest:
    """What was generated: the units, row counts, and the figures tallied while drawing them."""

    spec: AcademySpec
    today: date
    branches: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (id, code)
    institutes: list[Institute] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    seconds: float = 0.0

    def user(self, unit_code: str, role: Role, n: int = 1) -> str:
        """The username of the `n`th generated holder of `role` in the unit `unit_code`."""
        return username(unit_code, role, n)

    def absorb(self, later: Manifest) -> None:
        """Count in what a later run (`append`) generated."""
        self.branches += later.branches
        self.institutes += later.institutes
        self.tally.merge(later.tally)
        self.seconds += later.seconds

    def summary(self) -> str:
        rows = sum(self.tally.rows.values())
        lines = [
            f"Generated {len(self.branches)} branch academies, {len(self.institutes)} institutes, "
            f"{sum(i.projects for i in self.institutes)} projects: {rows} rows in "
            f"{self.seconds:.1f} s ({rows / max(self.seconds, 1e-9):,.0f} rows/s).",
            *(f"  {name:<28} {n:>10,}" for name, n in sorted(self.tally.rows.items())),
        ]
        return "\n".join(lines)


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` projects over `parts` institutes, unevenly (a few large institutes), exactly."""
    weights = [rng.lognormvariate(0, 0.6) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(parts), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


async def _unit(
    session: AsyncSession,
    seed: int,
    *,
    kind: UnitKind,
    code: str,
    name: str,
    name_en: str,
    parent_id: uuid.UUID,
) -> OrgUnit:
    """A branch academy or institute, its id drawn from the seed; audited as the tenancy service
    audits a new unit."""
    rng = random.Random(f"{seed}/unit/{code}")  # noqa: S311 - test data
    unit = OrgUnit(
        id=new_uuid(rng),
        kind=kind.value,
        code=code,
        name=name,
        name_en=name_en,
        parent_id=parent_id,
    )
    session.add(unit)
    await session.flush()
    await audit.record(
        session,
        SYSTEM,
        tenant_id=unit.id,
        action="org_unit.create",
        object_type="org_unit",
        object_id=unit.id,
        changes={"kind": kind.value, "code": code, "name": name, "parent_id": parent_id},
    )
    return unit


async def _insert(session: AsyncSession, tables: dict[str, list[dict[str, Any]]]) -> None:
    unknown = set(tables) - {t.name for t in TABLE_ORDER}
    if unknown:
        raise ValueError(f"no insert order for {sorted(unknown)}")
    for table in TABLE_ORDER:
        rows = tables.get(table.name, [])
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), rows[start : start + BATCH])


async def generate(
    engine: AsyncEngine,
    spec: AcademySpec,
    *,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Generate the academy of `spec` into the database of `engine` (the owner's)."""
    spec.validate()
    started = time.perf_counter()
    today = spec.today or clock.today()
    manifest = Manifest(spec=spec, today=today)
    say = progress or (lambda _message: None)
    sessions = session_factory(engine)
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        generated = OrgUnit.code.startswith(PREFIX, autoescape=True)
        existing = await session.scalar(select(func.count()).where(generated))
        if existing and not spec.append:
            raise GeneratedDataExists(
                f"The database already holds a generated academy ({existing} units with codes "
                f"{PREFIX}…); pass --append to add to it."
            )
        offset = await session.scalar(
            select(func.count()).where(generated, OrgUnit.kind == UnitKind.BRANCH.value)
        )
        hq = await session.scalar(select(OrgUnit).where(OrgUnit.kind == UnitKind.HQ.value))
        if hq is None:
            hq = await create_hq(session, code="HQ", name="院机关", name_en="Academy HQ")
        # One argon2 hash for everyone: hashing 10,000 passwords would take minutes.
        password_hash = passwords.hash_password(spec.password or secrets.token_urlsafe(24))
        split_rng = random.Random(f"{spec.seed}/split/{offset}")  # noqa: S311 - test data
        counts = split(spec.projects, spec.branches * spec.institutes_per_branch, split_rng)
        names_rng = random.Random(f"{spec.seed}/names/{offset}")  # noqa: S311 - test data
        for b in range(1, spec.branches + 1):
            number = (offset or 0) + b
            city, city_en = cat.BRANCH_CITIES[(number - 1) % len(cat.BRANCH_CITIES)]
            round_ = (number - 1) // len(cat.BRANCH_CITIES)
            suffix = f"第{round_ + 1}" if round_ else ""
            code = f"{PREFIX}B{number:02d}"
            branch = await _unit(
                session,
                spec.seed,
                kind=UnitKind.BRANCH,
                code=code,
                name=f"{city}{suffix}分院",
                name_en=f"{city_en} Branch {round_ + 1}" if round_ else f"{city_en} Branch",
                parent_id=hq.id,
            )
            manifest.branches.append((branch.id, code))
            staff = UnitRows(
                branch.id, code, seed=spec.seed, today=today, password_hash=password_hash
            )
            for n in range(1, BRANCH_SUPERVISORS + 1):
                staff.person(Role.BRANCH_SUPERVISOR, n, f"{branch.name}监管 {n}", None)
            await _insert(session, staff.tables)
            for name, rows in staff.tables.items():
                manifest.tally.rows[name] += len(rows)
            disciplines = names_rng.sample(cat.DISCIPLINES, k=len(cat.DISCIPLINES))
            for j in range(1, spec.institutes_per_branch + 1):
                discipline, discipline_en = disciplines[(j - 1) % len(disciplines)]
                extra = f"第{(j - 1) // len(disciplines) + 1}" if j > len(disciplines) else ""
                inst_code = f"{code}-I{j:02d}"
                unit = await _unit(
                    session,
                    spec.seed,
                    kind=UnitKind.INSTITUTE,
                    code=inst_code,
                    name=f"{city}{discipline}{extra}研究所",
                    name_en=f"{city_en} Institute of {discipline_en}",
                    parent_id=branch.id,
                )
                manifest.institutes.append(
                    Institute(
                        id=unit.id,
                        code=inst_code,
                        name=unit.name,
                        branch_id=branch.id,
                        branch_label=branch.name,
                        projects=counts[len(manifest.institutes)],
                    )
                )
        await session.commit()
        say(
            f"created {len(manifest.branches)} branch academies and "
            f"{len(manifest.institutes)} institutes"
        )
        for n, inst in enumerate(manifest.institutes, start=1):
            await scope(session, ALL_TENANTS)
            plan = InstitutePlan(
                inst, seed=spec.seed, today=today, password_hash=password_hash
            ).build()
            await _insert(session, plan.tables)
            await audit.record(
                session,
                SYSTEM,
                tenant_id=inst.id,
                action="datagen.populate",
                object_type="org_unit",
                object_id=inst.id,
                changes={
                    "seed": spec.seed,
                    "today": today,
                    "rows": dict(sorted(plan.tally.rows.items())),
                },
            )
            await session.commit()
            manifest.tally.merge(plan.tally)
            if n % 10 == 0 or n == len(manifest.institutes):
                say(
                    f"filled {n}/{len(manifest.institutes)} institutes "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        # Fresh statistics, or the planner meets a million rows it believes are not there.
        say("analyzing the tables")
        names = ", ".join(t.name for t in [cast(Table, OrgUnit.__table__), *TABLE_ORDER])
        await session.execute(text(f"ANALYZE {names}"))
        await session.commit()
    manifest.seconds = time.perf_counter() - started
    return manifest
