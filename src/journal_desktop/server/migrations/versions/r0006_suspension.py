"""Accounts can be suspended by the operator (`journal-server admin suspend`).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("suspended_at", sa.BigInteger, nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy: recreating `accounts` with foreign
    # keys on would cascade the drop of the old table into every table that refers to it.
    op.drop_column("accounts", "suspended_at")
