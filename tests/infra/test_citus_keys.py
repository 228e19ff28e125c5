"""The Citus path stays open (infra/README.md, "PostgreSQL at scale"): every tenant table can be
distributed by `tenant_id`, which Citus allows only when each primary key, unique constraint and
foreign key between distributed tables includes it, and foreign keys from distributed tables
point at reference tables or at the same tenant's rows. Read from the migrated catalog."""

from __future__ import annotations

from typing import Any

from infra_support import INFRA
from sqlalchemy import text

# Global tables: replicated to every Citus node as reference tables (or, alembic_version, left
# on the coordinator). A new global table must be added here and to infra/README.md on purpose.
REFERENCE_TABLES = {
    "org_units",  # the academy's structure: every tenant reads its ancestors
    "logins",  # sign-in name -> (tenant, user), looked up before any tenant is known
    "login_attempts",  # per-address sign-in throttling, before any tenant is known
    "evaluation_rubrics",  # versioned rubric of the annual rating, one for all
    "indicator_thresholds",  # early-warning thresholds set by HQ, one for all
}
LOCAL_TABLES = {"alembic_version"}

KEYS = text(
    """
    SELECT c.relname AS table, con.contype::text AS kind, con.conname AS name,
           (SELECT array_agg(a.attname ORDER BY k.ord)
              FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
           ref.relname AS referenced,
           (SELECT array_agg(a.attname ORDER BY k.ord)
              FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
             AS referenced_columns
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      LEFT JOIN pg_class ref ON ref.oid = con.confrelid
     WHERE con.contype IN ('p', 'u', 'f')
    """
)
UNIQUE_INDEXES = text(
    """
    SELECT t.relname AS table, i.relname AS name,
           (SELECT array_agg(a.attname ORDER BY k.ord)
              FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) AS columns
      FROM pg_index x
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
     WHERE x.indisunique
    """
)
TABLES = text(
    """
    SELECT c.relname,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                     AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    """
)


async def _catalog(owner_engine: Any) -> tuple[dict[str, bool], list[Any], list[Any]]:
    async with owner_engine.connect() as conn:
        tables = {r.relname: r.has_tenant for r in await conn.execute(TABLES)}
        keys = list(await conn.execute(KEYS))
        indexes = list(await conn.execute(UNIQUE_INDEXES))
    return tables, keys, indexes


async def test_every_table_is_distributed_by_tenant_or_a_named_reference_table(
    owner_engine: Any,
) -> None:
    tables, _, _ = await _catalog(owner_engine)
    distributed = {t for t, has_tenant in tables.items() if has_tenant} - REFERENCE_TABLES
    assert len(distributed) >= 40
    assert set(tables) - distributed == REFERENCE_TABLES | LOCAL_TABLES
    readme = (INFRA / "README.md").read_text()
    for table in REFERENCE_TABLES:
        assert f"`{table}`" in readme, f"infra/README.md does not name the reference table {table}"


async def test_every_key_of_a_distributed_table_leads_with_tenant_id(owner_engine: Any) -> None:
    tables, keys, indexes = await _catalog(owner_engine)
    distributed = {t for t, has_tenant in tables.items() if has_tenant} - REFERENCE_TABLES
    wrong = []
    for key in keys:
        if key.table not in distributed:
            continue
        if key.kind in ("p", "u") and key.columns[0] != "tenant_id":
            wrong.append(f"{key.name} ({', '.join(key.columns)})")
        if key.kind == "f" and key.referenced in distributed:
            # Co-located: the same tenant's row in the other table.
            if key.columns[0] != "tenant_id" or key.referenced_columns[0] != "tenant_id":
                wrong.append(f"{key.name} -> {key.referenced}({', '.join(key.referenced_columns)})")
    for index in indexes:
        if index.table in distributed and index.columns[0] != "tenant_id":
            wrong.append(f"unique index {index.name} ({', '.join(index.columns)})")
    assert not wrong, "keys Citus could not distribute by tenant_id:\n" + "\n".join(wrong)
    primary = {k.table for k in keys if k.kind == "p"}
    assert distributed <= primary, f"tables without a primary key: {distributed - primary}"


async def test_reference_tables_point_at_no_distributed_table(owner_engine: Any) -> None:
    tables, keys, _ = await _catalog(owner_engine)
    distributed = {t for t, has_tenant in tables.items() if has_tenant} - REFERENCE_TABLES
    wrong = [
        f"{k.name}: {k.table} -> {k.referenced}"
        for k in keys
        if k.kind == "f" and k.table in REFERENCE_TABLES and k.referenced in distributed
    ]
    assert not wrong, wrong
