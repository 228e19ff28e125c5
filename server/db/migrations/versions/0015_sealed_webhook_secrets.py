"""webhook signing secrets sealed at rest (server/encryption.py)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rewrite(change: str) -> None:
    """Apply `change` ("seal" or "open") to every endpoint's secret, across all tenants."""
    from server.config import Settings
    from server.encryption import SecretBox

    box = SecretBox(Settings.from_env().data_encryption_keys)
    bind = op.get_bind()
    # Row-level security is forced on the owner too: see every tenant for this transaction.
    bind.execute(sa.text("SELECT set_config('app.tenants', '*', true)"))
    rows = bind.execute(sa.text("SELECT tenant_id, id, secret FROM webhook_endpoints")).all()
    for tenant_id, id_, secret in rows:
        value = box.reseal(secret) if change == "seal" else box.open(secret)
        bind.execute(
            sa.text("UPDATE webhook_endpoints SET secret = :s WHERE tenant_id = :t AND id = :i"),
            {"s": value, "t": tenant_id, "i": id_},
        )


def upgrade() -> None:
    op.alter_column("webhook_endpoints", "secret", type_=sa.Text(), existing_nullable=False)
    _rewrite("seal")


def downgrade() -> None:
    _rewrite("open")
    op.alter_column(
        "webhook_endpoints", "secret", type_=sa.String(length=100), existing_nullable=False
    )
