"""learning paths: module progress, role assignments, waivers, recommendations, profile pace

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0008"
down_revision = "0003"
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
        "module_progress",
        _learner("module_progress"),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _at("at"),
        _at("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("learner_id", "module_id", name=op.f("pk_module_progress")),
    )
    op.create_table(
        "role_assignments",
        _learner("role_assignments"),
        sa.Column("role_id", sa.String(length=100), nullable=False),
        _at("since"),
        sa.PrimaryKeyConstraint("learner_id", "role_id", name=op.f("pk_role_assignments")),
    )
    op.create_table(
        "module_waivers",
        _learner("module_waivers"),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        sa.Column("waiver_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("learner_id", "module_id", name=op.f("pk_module_waivers")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _learner("recommendations"),
        _at("at"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendations_learner_kind", ["learner_id", "kind", "id"], unique=False
        )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pace", sa.String(length=16), nullable=False, server_default="normal")
        )


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("pace")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_learner_kind")
    op.drop_table("recommendations")
    op.drop_table("module_waivers")
    op.drop_table("role_assignments")
    op.drop_table("module_progress")
