"""indexes for the oversight view and the per-request loaders (measured on 50,000 projects)

Every tenant table's key leads with tenant_id, but rows were found by their parent (an
assessment's risk points, a risk point's measures, a project's documents) only by scanning the
whole table and testing each row's tenant for row-level security. These indexes lead with
tenant_id and then the parent, so a branch academy's or an institute's view, and a page of
projects, read only their own rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state <> 'closed'")


def upgrade() -> None:
    # Risk points of current assessments: the oversight's counts read these columns only.
    op.create_index(
        "ix_risk_points_assessment",
        "risk_points",
        ["tenant_id", "assessment_id"],
        postgresql_include=["category", "level", "likelihood", "impact"],
    )
    op.create_index(
        "ix_mitigation_measures_risk_point", "mitigation_measures", ["tenant_id", "risk_point_id"]
    )
    op.create_index(
        "ix_chokepoint_dependencies_assessment",
        "chokepoint_dependencies",
        ["tenant_id", "assessment_id"],
    )
    op.create_index("ix_reviews_assessment", "reviews", ["tenant_id", "assessment_id"])
    # Lists of projects newest first, and new projects per month.
    op.create_index("ix_projects_created", "projects", ["tenant_id", "created_at"])
    op.create_index("ix_documents_attached", "documents", ["tenant_id", "attached_id"])
    # Overdue hazards and open incidents: the few rows not closed yet.
    op.create_index(
        "ix_hazards_open_deadline", "hazards", ["tenant_id", "deadline"], postgresql_where=OPEN
    )
    op.create_index(
        "ix_incidents_open", "incidents", ["tenant_id", "occurred_at"], postgresql_where=OPEN
    )


def downgrade() -> None:
    for name, table in (
        ("ix_incidents_open", "incidents"),
        ("ix_hazards_open_deadline", "hazards"),
        ("ix_documents_attached", "documents"),
        ("ix_projects_created", "projects"),
        ("ix_reviews_assessment", "reviews"),
        ("ix_chokepoint_dependencies_assessment", "chokepoint_dependencies"),
        ("ix_mitigation_measures_risk_point", "mitigation_measures"),
        ("ix_risk_points_assessment", "risk_points"),
    ):
        op.drop_index(name, table_name=table)
