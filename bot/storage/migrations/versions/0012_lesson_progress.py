"""lesson progress and lesson events

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def _learner(table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "learner_id",
        sa.String(length=32),
        sa.ForeignKey("learners.id", name=f"fk_{table}_learner_id_learners", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "lesson_progress",
        _learner("lesson_progress"),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        sa.Column("card", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        _at("started_at"),
        _at("updated_at"),
        _at("finished_at", nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("learner_id", "module_id", name=op.f("pk_lesson_progress")),
    )
    op.create_table(
        "lesson_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _learner("lesson_events"),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        _at("at"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("card", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_events")),
    )
    op.create_index("ix_lesson_events_module", "lesson_events", ["module_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_lesson_events_module", table_name="lesson_events")
    op.drop_table("lesson_events")
    op.drop_table("lesson_progress")
