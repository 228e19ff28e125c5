"""hazards: the register, rectification, supervision, handling recommendations, bans; RLS

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.rls import enable_tenant_rls

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hazards",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("reported_by", sa.Uuid(), nullable=True),
        sa.Column("reported_by_label", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("rectified_by", sa.Uuid(), nullable=True),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rectification_note", sa.Text(), nullable=True),
        sa.Column("verified_by_label", sa.String(length=200), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification_note", sa.Text(), nullable=True),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_hazards_tenant_id_owner_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_hazards_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_hazards")),
    )
    op.create_table(
        "handling_recommendations",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recommended_by_label", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=True),
        sa.Column("decided_by_label", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "hazard_id"],
            ["hazards.tenant_id", "hazards.id"],
            name=op.f("fk_handling_recommendations_tenant_id_hazard_id_hazards"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handling_recommendations")),
    )
    op.create_table(
        "hazard_supervisions",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("by_label", sa.String(length=200), nullable=False),
        sa.Column("by_unit_id", sa.Uuid(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "hazard_id"],
            ["hazards.tenant_id", "hazards.id"],
            name=op.f("fk_hazard_supervisions_tenant_id_hazard_id_hazards"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_hazard_supervisions")),
    )
    op.create_table(
        "project_bans",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recommendation_id"],
            ["handling_recommendations.tenant_id", "handling_recommendations.id"],
            name=op.f("fk_project_bans_tenant_id_recommendation_id_handling_recommendations"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_project_bans")),
    )
    for table in ("hazards", "hazard_supervisions", "handling_recommendations", "project_bans"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("project_bans")
    op.drop_table("hazard_supervisions")
    op.drop_table("handling_recommendations")
    op.drop_table("hazards")
