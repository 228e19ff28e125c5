"""outcome release reviews (R-OUTCOME); RLS

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.rls import enable_tenant_rls

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_releases",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("material_document_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_label", sa.String(length=200), nullable=False),
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
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_outcome_releases_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outcome_releases")),
    )
    op.create_table(
        "outcome_aspect_reviews",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("aspect", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("reviewer_label", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "release_id"],
            ["outcome_releases.tenant_id", "outcome_releases.id"],
            name=op.f("fk_outcome_aspect_reviews_tenant_id_release_id_outcome_releases"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outcome_aspect_reviews")),
        sa.UniqueConstraint(
            "tenant_id",
            "release_id",
            "aspect",
            name=op.f("uq_outcome_aspect_reviews_tenant_id_release_id_aspect"),
        ),
    )
    for table in ("outcome_releases", "outcome_aspect_reviews"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("outcome_aspect_reviews")
    op.drop_table("outcome_releases")
