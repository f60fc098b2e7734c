"""job leases and shared send-pacing buckets for several workers

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-04 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.Float(), server_default="0", nullable=False),
        sa.Column("next_due", sa.Float(), server_default="0", nullable=False),
        sa.Column("last_run", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    op.create_table(
        "pace_buckets",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("not_before", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pace_buckets")),
    )


def downgrade() -> None:
    op.drop_table("pace_buckets")
    op.drop_table("job_leases")
