"""intake notes: competencies the intake quiz left unmeasured, and why

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-04 15:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_notes",
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("competency", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_intake_notes_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", "competency", name=op.f("pk_intake_notes")),
    )


def downgrade() -> None:
    op.drop_table("intake_notes")
