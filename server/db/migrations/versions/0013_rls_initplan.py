"""tenant isolation policies evaluate the visible tenant set once per statement

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

from server.db.rls import CREATE_TENANT_SET_FUNCTIONS, TENANT_VISIBLE

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "app_can_see(tenant_id)"


def _alter_every_policy(expression: str) -> None:
    op.execute(
        """
        DO $$
        DECLARE t text;
        BEGIN
          FOR t IN SELECT tablename FROM pg_policies
                   WHERE schemaname = current_schema() AND policyname = 'tenant_isolation'
          LOOP
            EXECUTE format(
              'ALTER POLICY tenant_isolation ON %I USING (EXPR) WITH CHECK (EXPR)',
              t);
          END LOOP;
        END $$
        """.replace("EXPR", expression)
    )


def upgrade() -> None:
    for statement in CREATE_TENANT_SET_FUNCTIONS:
        op.execute(statement)
    _alter_every_policy(TENANT_VISIBLE)


def downgrade() -> None:
    _alter_every_policy(OLD)
    op.execute("DROP FUNCTION IF EXISTS app_sees_all()")
    op.execute("DROP FUNCTION IF EXISTS app_tenant_set()")
