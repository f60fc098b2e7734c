"""lesson cards of each module

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_cards",
        sa.Column("module_id", sa.String(length=200), nullable=False),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_lesson_cards_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("module_id", name=op.f("pk_lesson_cards")),
    )


def downgrade() -> None:
    op.drop_table("lesson_cards")
