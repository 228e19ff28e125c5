"""projects: proposals, assessments, reviews, filings, permits, major changes; with RLS

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.db.rls import enable_tenant_rls

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_settings",
        sa.Column("matrix", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_risk_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_risk_settings_tenant_id")),
    )
    op.create_table(
        "projects",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("pi_user_id", sa.Uuid(), nullable=False),
        sa.Column("deployed_by_hq", sa.Boolean(), nullable=False),
        sa.Column("hq_department", sa.String(length=100), nullable=True),
        sa.Column("funding_source", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("research_fields", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("sensitive_fields", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("international_cooperation", sa.Boolean(), nullable=False),
        sa.Column("national_filing_required", sa.Boolean(), nullable=False),
        sa.Column("national_approval_required", sa.Boolean(), nullable=False),
        sa.Column("major_impact", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("current_assessment_id", sa.Uuid(), nullable=True),
        sa.Column("closure_summary", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
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
            ["tenant_id", "department_id"],
            ["departments.tenant_id", "departments.id"],
            name=op.f("fk_projects_tenant_id_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "pi_user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_projects_tenant_id_pi_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_projects")),
    )
    op.create_table(
        "filings",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("signed_by_label", sa.String(length=200), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("hq_decided_by_label", sa.String(length=200), nullable=True),
        sa.Column("hq_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hq_comment", sa.Text(), nullable=True),
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
            name=op.f("fk_filings_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_filings")),
    )
    op.create_table(
        "major_changes",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("declared_by_label", sa.String(length=200), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_major_changes_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_major_changes")),
    )
    op.create_table(
        "permits",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("permit_number", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_label", sa.String(length=200), nullable=False),
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
            name=op.f("fk_permits_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_permits")),
    )
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
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
            name=op.f("fk_project_members_tenant_id_project_id_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_project_members_tenant_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_project_members")),
        sa.UniqueConstraint(
            "tenant_id",
            "project_id",
            "user_id",
            name=op.f("uq_project_members_tenant_id_project_id_user_id"),
        ),
    )
    op.create_table(
        "risk_assessments",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("matrix", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("overall_level", sa.String(length=16), nullable=True),
        sa.Column("not_applicable", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason_for_version", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
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
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_risk_assessments_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_risk_assessments")),
        sa.UniqueConstraint(
            "tenant_id",
            "project_id",
            "number",
            name=op.f("uq_risk_assessments_tenant_id_project_id_number"),
        ),
    )
    op.create_table(
        "chokepoint_dependencies",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("source_country", sa.String(length=100), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("domestic_substitute", sa.Boolean(), nullable=False),
        sa.Column("stock_or_lead_time", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["risk_assessments.tenant_id", "risk_assessments.id"],
            name=op.f("fk_chokepoint_dependencies_tenant_id_assessment_id_risk_assessments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_chokepoint_dependencies")),
    )
    op.create_table(
        "reviews",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("minutes_document_id", sa.Uuid(), nullable=True),
        sa.Column("opinion_accuracy", sa.Text(), nullable=False),
        sa.Column("opinion_measures", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reviewer_user_id", sa.Uuid(), nullable=True),
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
            ["tenant_id", "assessment_id"],
            ["risk_assessments.tenant_id", "risk_assessments.id"],
            name=op.f("fk_reviews_tenant_id_assessment_id_risk_assessments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reviews")),
    )
    op.create_table(
        "risk_points",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["risk_assessments.tenant_id", "risk_assessments.id"],
            name=op.f("fk_risk_points_tenant_id_assessment_id_risk_assessments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_risk_points")),
    )
    op.create_table(
        "mitigation_measures",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("risk_point_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_mitigation_measures_tenant_id_owner_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "risk_point_id"],
            ["risk_points.tenant_id", "risk_points.id"],
            name=op.f("fk_mitigation_measures_tenant_id_risk_point_id_risk_points"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mitigation_measures")),
    )
    for table in (
        "projects",
        "risk_assessments",
        "reviews",
        "filings",
        "permits",
        "major_changes",
        "risk_settings",
    ):
        enable_tenant_rls(table)
    # Rows replaced as a whole while their draft assessment is edited, and team changes.
    for table in (
        "project_members",
        "risk_points",
        "mitigation_measures",
        "chokepoint_dependencies",
    ):
        enable_tenant_rls(table, privileges="SELECT, INSERT, UPDATE, DELETE")


def downgrade() -> None:
    op.drop_table("mitigation_measures")
    op.drop_table("risk_points")
    op.drop_table("reviews")
    op.drop_table("chokepoint_dependencies")
    op.drop_table("risk_assessments")
    op.drop_table("project_members")
    op.drop_table("permits")
    op.drop_table("major_changes")
    op.drop_table("filings")
    op.drop_table("projects")
    op.drop_table("risk_settings")
