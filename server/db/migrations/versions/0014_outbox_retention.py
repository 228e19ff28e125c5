"""outbox retention: the application may delete events it handled more than a day ago

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

from server.db.rls import app_role

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    role = app_role()
    # The scheduler prunes handled events (server/outbox/retention.py). A restrictive policy
    # keeps the application role from deleting anything else: no pending, waiting or parked
    # event, and none handled in the last day, whatever the code asks.
    op.execute(
        "CREATE POLICY outbox_retention ON outbox_events AS RESTRICTIVE FOR DELETE "
        "USING (dispatched_at IS NOT NULL AND dispatched_at < now() - interval '1 day')"
    )
    op.execute(f"GRANT DELETE ON outbox_events TO {role}")
    # The oldest handled events are found through ix_outbox_events_dispatched (0009).


def downgrade() -> None:
    op.execute(f"REVOKE DELETE ON outbox_events FROM {app_role()}")
    op.execute("DROP POLICY outbox_retention ON outbox_events")
