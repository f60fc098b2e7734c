"""send intents on the outbox; received-then-done platform events

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-04 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def _at(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.storage.types.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent_key", sa.String(length=32), nullable=True))
        batch_op.add_column(_at("intent_at"))
        batch_op.add_column(
            sa.Column("resent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(_at("claimed_until"))
        batch_op.create_index("ix_processed_events_status", ["status", "claimed_until"])


def downgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_events_status")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("payload")
        batch_op.drop_column("status")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("resent")
        batch_op.drop_column("intent_at")
        batch_op.drop_column("intent_key")
