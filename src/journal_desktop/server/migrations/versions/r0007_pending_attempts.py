"""Sign-in counters also count the attempts still being checked, so a refusal can tell a
lockout (past failures: wait for the window) from a crowd in flight (retry in a moment).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "login_failures", sa.Column("pending", sa.Integer, nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("login_failures", "pending")
