"""content gaps grouped by meaning, and answer feedback adjustments

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-04 15:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0023"
down_revision = "0024"
branch_labels = None
depends_on = None

_AT = bot.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gap_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("first_at", _AT, nullable=False),
        sa.Column("last_at", _AT, nullable=False),
        sa.Column("closed_at", _AT, nullable=True),
        sa.Column("checked_generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_groups")),
    )
    op.create_table(
        "gap_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["gap_groups.id"],
            name=op.f("fk_gap_questions_group_id_gap_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_gap_questions_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_questions")),
        sa.UniqueConstraint("source", name=op.f("uq_gap_questions_source")),
    )
    with op.batch_alter_table("gap_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gap_questions_group_id"), ["group_id"], unique=False)
    op.create_table(
        "answer_adjustments",
        sa.Column("answer_id", sa.String(length=32), nullable=False),
        sa.Column("ordinal", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        sa.Column("section", sa.String(length=500), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_answer_adjustments_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "ordinal", name=op.f("pk_answer_adjustments")),
    )
    with op.batch_alter_table("answer_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_adjustments_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_adjustments_at"))
    op.drop_table("answer_adjustments")
    with op.batch_alter_table("gap_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gap_questions_group_id"))
    op.drop_table("gap_questions")
    op.drop_table("gap_groups")
