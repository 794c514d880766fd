"""Per-account storage counter for the quota, filled in from what is already stored.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("stored_bytes", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE accounts SET stored_bytes = "
        "COALESCE((SELECT SUM(LENGTH(ciphertext)) FROM items"
        " WHERE items.account_id = accounts.id), 0)"
        " + COALESCE((SELECT SUM(LENGTH(data)) FROM blobs"
        " WHERE blobs.account_id = accounts.id), 0)"
    )


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch copy would drop the old `accounts` with foreign keys on,
    # cascading into every table that refers to it.
    op.drop_column("accounts", "stored_bytes")
