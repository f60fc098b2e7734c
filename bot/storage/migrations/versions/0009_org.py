"""org chart, assigned modules and the xAPI forwarding cursor

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "org_chart",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("manager_email", sa.String(length=320), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        _at("imported_at"),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_org_chart")),
    )
    with op.batch_alter_table("org_chart", schema=None) as batch_op:
        batch_op.create_index("ix_org_chart_manager_email", ["manager_email"], unique=False)
    op.create_table(
        "assignments",
        sa.Column(
            "learner_id",
            sa.String(length=32),
            sa.ForeignKey(
                "learners.id", name="fk_assignments_learner_id_learners", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("module_id", sa.String(length=200), nullable=False),
        _at("due_at", nullable=True),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("learner_id", "module_id", name=op.f("pk_assignments")),
    )

    op.create_table(
        "xapi_cursor",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_xapi_cursor")),
    )


def downgrade() -> None:
    op.drop_table("xapi_cursor")
    op.drop_table("assignments")
    with op.batch_alter_table("org_chart", schema=None) as batch_op:
        batch_op.drop_index("ix_org_chart_manager_email")
    op.drop_table("org_chart")
