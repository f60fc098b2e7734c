"""where a learner's admin role came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 11:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(
            sa.Column(
                "admin_from_settings", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("admin_from_settings")
