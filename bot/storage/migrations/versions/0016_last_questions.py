"""the last question per learner and conversation, for follow-up questions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "last_questions",
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("conversation", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("module_id", sa.String(length=200), nullable=True),
        sa.Column("at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_last_questions_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", "conversation", name=op.f("pk_last_questions")),
    )


def downgrade() -> None:
    op.drop_table("last_questions")
