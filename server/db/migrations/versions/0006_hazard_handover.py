"""hazard handover at project closure (R-CLOSE)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hazards", sa.Column("handed_over_reason", sa.Text(), nullable=True))
    op.add_column(
        "hazards", sa.Column("handed_over_by_label", sa.String(length=200), nullable=True)
    )
    op.add_column("hazards", sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("hazards", "handed_over_at")
    op.drop_column("hazards", "handed_over_by_label")
    op.drop_column("hazards", "handed_over_reason")
