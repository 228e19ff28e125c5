"""Row-level security helpers used by migrations, so every tenant table is set up the same way."""

from __future__ import annotations

from alembic import op

# The visible tenant set is `app.tenants`: '*' (HQ and system work: every tenant), or a
# PostgreSQL uuid array literal. It is set per transaction with set_config(..., true).
CREATE_VISIBILITY_FUNCTION = """
CREATE OR REPLACE FUNCTION app_can_see(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('app.tenants', true), '')
    WHEN '*' THEN true
    WHEN '' THEN false
    ELSE t = ANY (current_setting('app.tenants', true)::uuid[])
  END
$$
"""


def app_role() -> str:
    from server.config import Settings

    return Settings.from_env().app_db_role


def enable_tenant_rls(table: str, *, privileges: str = "SELECT, INSERT, UPDATE") -> None:
    """Enable and FORCE RLS on a tenant table and grant the app role what it may do there."""
    role = app_role()
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        "USING (app_can_see(tenant_id)) WITH CHECK (app_can_see(tenant_id))"
    )
    op.execute(f"GRANT {privileges} ON {table} TO {role}")
