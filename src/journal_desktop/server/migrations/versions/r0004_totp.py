"""Two-factor sign-in: TOTP secrets and single-use recovery codes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _account_fk() -> sa.ForeignKey:
    return sa.ForeignKey("accounts.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "totp",
        sa.Column("account_id", sa.String(64), _account_fk(), primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("last_step", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("account_id", sa.String(64), _account_fk(), primary_key=True),
        sa.Column("code_hash", sa.LargeBinary(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("recovery_codes")
    op.drop_table("totp")
