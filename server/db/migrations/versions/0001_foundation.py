"""foundation: org units, users, memberships, sign-in, audit log, outbox; roles and RLS

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.db.rls import CREATE_VISIBILITY_FUNCTION, app_role, enable_tenant_rls

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_api_tokens")),
    )
    op.create_table(
        "audit_heads",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("tenant_id", "seq", name=op.f("uq_audit_log_tenant_id_seq")),
    )
    op.create_table(
        "departments",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_departments")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_departments_tenant_id_name")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_login_attempts")),
    )
    op.create_table(
        "logins",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_logins")),
    )
    op.create_table(
        "org_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'hq' AND parent_id IS NULL) OR (kind <> 'hq' AND parent_id IS NOT NULL)",
            name=op.f("ck_org_units_parent"),
        ),
        sa.CheckConstraint("kind IN ('hq','branch','institute')", name=op.f("ck_org_units_kind")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["org_units.id"], name=op.f("fk_org_units_parent_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("code", name=op.f("uq_org_units_code")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["available_at"],
        unique=False,
        postgresql_where="dispatched_at IS NULL",
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "department_id"],
            ["departments.tenant_id", "departments.id"],
            name=op.f("fk_users_tenant_id_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_users")),
        sa.UniqueConstraint("tenant_id", "username", name=op.f("uq_users_tenant_id_username")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.Column("rotations", sa.Integer(), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_auth_sessions_tenant_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_auth_sessions")),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_memberships_tenant_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "role", name=op.f("uq_memberships_tenant_id_user_id_role")
        ),
    )

    _security()


def _security() -> None:
    """The application role, row-level security on every tenant table, and what the role may do."""
    role = app_role()
    op.execute(
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
          END IF;
        END $$
        """
    )
    # The role must never bypass RLS, even if someone altered it by hand.
    op.execute(f"ALTER ROLE {role} NOSUPERUSER NOBYPASSRLS")
    op.execute(CREATE_VISIBILITY_FUNCTION)

    for table in (
        "departments",
        "users",
        "memberships",
        "auth_sessions",
        "api_tokens",
        "outbox_events",
    ):
        enable_tenant_rls(
            table,
            privileges="SELECT, INSERT, UPDATE, DELETE"
            if table == "memberships"
            else "SELECT, INSERT, UPDATE",
        )
    # Append-only: the app role may add audit entries and read them, never change or remove them.
    enable_tenant_rls("audit_log", privileges="SELECT, INSERT")
    enable_tenant_rls("audit_heads", privileges="SELECT, INSERT, UPDATE")

    # Org units: a principal sees its own units, every HQ and branch unit (the structure above
    # it), and the institutes under a branch academy it can see.
    op.execute("ALTER TABLE org_units ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE org_units FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY org_visibility ON org_units USING ("
        " app_can_see(id) OR kind <> 'institute' OR app_can_see(parent_id))"
        " WITH CHECK (app_can_see(id))"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON org_units TO {role}")

    # Sign-in names are global; the app role may add one but never list them. Sign-in asks
    # auth_find_login(), which runs as the owner and answers for one exact name.
    op.execute(f"GRANT INSERT ON logins TO {role}")
    op.execute(
        """
        CREATE FUNCTION auth_find_login(p_username text)
        RETURNS TABLE (tenant_id uuid, user_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT l.tenant_id, l.user_id FROM logins l WHERE l.username = lower(p_username)
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION auth_find_login(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION auth_find_login(text) TO {role}")
    # /readyz compares the applied revision with the code's.
    op.execute(f"GRANT SELECT ON alembic_version TO {role}")
    # Per-address throttling is shared by every API replica; it holds no tenant data.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempts TO {role}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS auth_find_login(text)")
    op.execute("DROP FUNCTION IF EXISTS app_can_see(uuid) CASCADE")
    op.drop_table("memberships")
    op.drop_table("auth_sessions")
    op.drop_table("users")
    op.drop_index(
        "ix_outbox_events_pending",
        table_name="outbox_events",
        postgresql_where="dispatched_at IS NULL",
    )
    op.drop_table("outbox_events")
    op.drop_table("org_units")
    op.drop_table("logins")
    op.drop_table("login_attempts")
    op.drop_table("departments")
    op.drop_table("audit_log")
    op.drop_table("audit_heads")
    op.drop_table("api_tokens")
