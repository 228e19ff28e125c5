"""The audit log: every state change is recorded, hash-chained per tenant, and append-only."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from sqlalchemy import select, text

from server.audit.models import AuditEntry
from server.audit.service import verify
from server.db.engine import ALL_TENANTS, scope


async def test_mutation_writes_an_audit_entry_with_actor_and_changes(as_user, sessions):
    admin = as_user("iph.tenant-admin")
    unit = (await admin("{ viewer { orgUnit { id } } }"))["viewer"]["orgUnit"]["id"]
    data = await admin(
        'mutation($u: ID!) { createDepartment(orgUnitId: $u, name: "审计测试室") '
        "{ __typename ... on DepartmentCreated { department { id } } } }",
        {"u": unit},
    )
    assert data["createDepartment"]["__typename"] == "DepartmentCreated"
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        entry = (
            await session.execute(
                select(AuditEntry)
                .where(AuditEntry.action == "department.create")
                .order_by(AuditEntry.occurred_at.desc())
                .limit(1)
            )
        ).scalar_one()
        assert entry.changes == {"name": "审计测试室", "kind": "research"}
        assert entry.actor_label.startswith("物理研究所")
        assert entry.request_id


async def test_app_role_cannot_update_or_delete_audit_rows(sessions):
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            try:
                await session.execute(text(statement))
                raise AssertionError(f"{statement} was allowed")
            except Exception as exc:
                assert "permission denied" in str(exc)
            await session.rollback()
            await scope(session, ALL_TENANTS)


async def test_verify_detects_a_row_altered_behind_the_applications_back(
    sessions, owner_engine, owner_url, settings
):
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        checked, breaks = await verify(session)
        assert checked > 0 and breaks == []
        row = (await session.execute(select(AuditEntry).limit(1))).scalar_one()
        victim = (row.tenant_id, row.id, row.seq, json.dumps(row.changes))
        await session.rollback()
    tenant_id, entry_id, seq, original = victim
    # The owner (a DBA, say) edits a row directly.
    async with owner_engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE audit_log SET changes = '{\"forged\": true}' "
                "WHERE tenant_id = :t AND id = :i"
            ),
            {"t": tenant_id, "i": entry_id},
        )
    env = {
        **os.environ,
        "DATABASE_URL": owner_url,
        "DATA_DIR": str(settings.data_dir),
        "SECRET_KEY": "x" * 32,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"seq={seq}: content does not match its hash" in result.stdout
    # Put it back so the chain verifies again for the rest of the run.
    async with owner_engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE audit_log SET changes = CAST(:c AS jsonb) WHERE tenant_id = :t AND id = :i"
            ),
            {"c": original, "t": tenant_id, "i": entry_id},
        )
    async with sessions() as session:
        await scope(session, ALL_TENANTS)
        assert (await verify(session))[1] == []


AUDIT_LOG = """query($u: ID!) { auditLog(orgUnitId: $u, first: 5) {
  nodes { seq action actorLabel changes } pageInfo { hasNextPage endCursor } } }"""


async def test_ORG_INST_DUTY_audit_log_readable_by_unit_admin_and_hq_office_only(as_user):
    iph = (await as_user("iph.tenant-admin")("{ viewer { orgUnit { id } } }"))["viewer"]["orgUnit"]
    for reader in ("iph.tenant-admin", "iph.legal-representative", "hq.safety-committee-office"):
        data = await as_user(reader)(AUDIT_LOG, {"u": iph["id"]})
        seqs = [n["seq"] for n in data["auditLog"]["nodes"]]
        assert seqs == sorted(seqs, reverse=True) and len(seqs) == 5
        # The next page continues below the cursor.
        more = await as_user(reader)(
            AUDIT_LOG.replace("first: 5", "first: 5, after: $a").replace(
                "$u: ID!", "$u: ID!, $a: String"
            ),
            {"u": iph["id"], "a": data["auditLog"]["pageInfo"]["endCursor"]},
        )
        assert max(n["seq"] for n in more["auditLog"]["nodes"]) < min(seqs)
    refused = await as_user("iph.researcher").post(AUDIT_LOG, {"u": iph["id"]})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    hidden = await as_user("ioc.tenant-admin").post(AUDIT_LOG, {"u": iph["id"]})
    assert hidden.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
