"""nudge shard leases

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-04 13:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudge_shard_leases",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.Column("planned_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_nudge_shard_leases")),
    )


def downgrade() -> None:
    op.drop_table("nudge_shard_leases")
