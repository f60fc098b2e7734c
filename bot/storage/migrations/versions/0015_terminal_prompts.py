"""the numbered buttons of each terminal user's last prompt

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminal_prompts",
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("picks", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_terminal_prompts_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_terminal_prompts")),
    )


def downgrade() -> None:
    op.drop_table("terminal_prompts")
