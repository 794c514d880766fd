"""Old idempotency answers are pruned: an index finds an account's answers by age.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_idempotency_age", "idempotency", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_age", "idempotency")
