"""room for sealed Slack tokens

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04 12:10:00.000000

Tokens sealed with LEARNBOT_SECRET_KEY (`fernet:` and base64) are about twice as long as the
tokens, so the token columns widen. Existing rows are sealed at start-up when a key is set
(`SlackInstallations.reseal`), not here: a migration does not read settings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

SECRET_COLUMNS = {
    "slack_installations": (
        "bot_token",
        "bot_refresh_token",
        "user_token",
        "user_refresh_token",
        "incoming_webhook_url",
    ),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def upgrade() -> None:
    for table, columns in SECRET_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=200), type_=sa.String(length=1000)
                )


def downgrade() -> None:
    for table, columns in SECRET_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=1000), type_=sa.String(length=200)
                )
