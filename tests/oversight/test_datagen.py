"""The academy generator: deterministic, consistent with the rules the services enforce, audited,
and refusing to fill a database twice unless told to append. The full size runs in `make bench`
(tests/bench/test_bench_oversight.py); here a small academy, in seconds."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from datetime import date

import pytest
from oversight_support import SMALL
from sqlalchemy import func, select, text

from server.audit import verify
from server.audit.models import AuditEntry
from server.datagen import GeneratedDataExists, generate, split
from server.datagen.plan import Institute, InstitutePlan
from server.db.engine import ALL_TENANTS, scope, session_factory
from server.tenancy.models import OrgUnit
from server.tenancy.roles import Role

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _plan(seed: int, code: str = "GEN-B01-I01") -> InstitutePlan:
    inst = Institute(
        id=uuid.UUID(int=7),
        code=code,
        name="测试研究所",
        branch_id=uuid.UUID(int=8),
        branch_label="测试分院",
        projects=60,
    )
    return InstitutePlan(inst, seed=seed, today=date(2026, 6, 15), password_hash="h").build()


def test_the_same_seed_gives_the_same_academy_and_another_seed_another():
    first, again, other = _plan(5), _plan(5), _plan(6)
    assert first.tables == again.tables
    assert first.tally == again.tally
    assert first.tables["projects"] != other.tables["projects"]
    # Each institute draws from its own stream: its rows do not depend on the others.
    assert _plan(5, "GEN-B01-I02").tables["projects"] != first.tables["projects"]


def test_projects_are_split_over_the_institutes_exactly_and_unevenly():
    counts = split(50_000, 120, random.Random(1))
    assert sum(counts) == 50_000 and len(counts) == 120 and min(counts) >= 0
    assert max(counts) > 2 * min(counts)


async def test_R_GATE_generated_projects_follow_the_lifecycle(academy):
    """Approved and later projects stand on a passed current assessment (R-GATE); every project's
    current assessment is its own; closed projects left no hazard open without a hand-over."""
    async with academy.owner.connect() as conn:
        orphans = await conn.scalar(
            text(
                """SELECT count(*) FROM projects p LEFT JOIN risk_assessments a
                   ON a.tenant_id = p.tenant_id AND a.id = p.current_assessment_id
                   AND a.project_id = p.id WHERE a.id IS NULL"""
            )
        )
        ungated = await conn.scalar(
            text(
                """SELECT count(*) FROM projects p JOIN risk_assessments a
                   ON a.tenant_id = p.tenant_id AND a.id = p.current_assessment_id
                   WHERE p.state IN ('approved','filing','implementing','suspended','outcome',
                                     'closing','closed') AND a.state <> 'passed'"""
            )
        )
        left_open = await conn.scalar(
            text(
                """SELECT count(*) FROM hazards h JOIN projects p
                   ON p.tenant_id = h.tenant_id AND p.id = h.project_id
                   WHERE p.state = 'closed' AND h.state <> 'closed'
                   AND h.handed_over_reason IS NULL"""
            )
        )
        states = await conn.scalar(text("SELECT count(DISTINCT state) FROM projects"))
    assert (orphans, ungated, left_open) == (0, 0, 0)
    assert states == 12


async def test_generated_people_sign_in_with_the_shared_password_hash(academy):
    inst = academy.manifest.institutes[0]
    for role in (Role.LEGAL_REPRESENTATIVE, Role.RESEARCHER, Role.TENANT_ADMIN):
        api = await academy.api(academy.manifest.user(inst.code, role))
        data = await api("{ viewer { orgUnit { code } roles { role } } }")
        assert data["viewer"]["orgUnit"]["code"] == inst.code
        assert [r["role"] for r in data["viewer"]["roles"]] == [role.name]


async def test_generated_units_are_audited_and_the_chains_verify(academy):
    async with session_factory(academy.owner)() as session:
        await scope(session, ALL_TENANTS)
        populated = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "datagen.populate")
        )
        checked, breaks = await verify(session)
    assert populated == len(academy.manifest.institutes)
    assert checked > 0 and not breaks


async def test_a_second_run_is_refused_without_append_and_changes_nothing(academy):
    async def units() -> int:
        async with academy.owner.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(OrgUnit)) or 0)

    before = await units()
    with pytest.raises(GeneratedDataExists, match="--append"):
        await generate(academy.owner, SMALL)
    assert await units() == before


def test_the_command_refuses_a_database_that_holds_a_generated_academy(academy, tmp_path):
    env = {**os.environ, "DATABASE_URL": academy.url, "DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "generate-academy",
            "--branches",
            "1",
            "--institutes-per-branch",
            "1",
            "--projects",
            "3",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "already holds a generated academy" in run.stderr
