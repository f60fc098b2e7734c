"""a coach per competency

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-04 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("competencies") as batch:
        batch.add_column(
            sa.Column("coach", sa.String(length=320), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("competencies") as batch:
        batch.drop_column("coach")
