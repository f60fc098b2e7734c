"""room for sealed Slack tokens; the library generation; each identity's organisation

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04 12:10:00.000000

Tokens sealed with LEARNBOT_SECRET_KEY (`fernet:` and base64) are about twice as long as the
tokens, so the token columns widen. Existing rows are sealed at start-up when a key is set
(`SlackInstallations.reseal`), not here: a migration does not read settings.

`library_state` holds the library's generation (bumped by every ingest and retirement); the
content index records the generation it was written at. It starts at 1 when modules exist, so
an index from before (which records none) is checked against the stored chunks once.

`identities.organisation` is what email linking stays within (`slack:<enterprise or team>`,
`teams:<tenant>`, `terminal:<workspace>`); existing rows get `platform:workspace`, and a
Slack Enterprise Grid member's row is corrected to the enterprise at their next message.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
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
    state = op.create_table(
        "library_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_state")),
    )
    with op.batch_alter_table("identities") as batch:
        batch.add_column(
            sa.Column("organisation", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute("UPDATE identities SET organisation = platform || ':' || workspace")
    with op.batch_alter_table("identities") as batch:
        batch.create_index("ix_identities_organisation", ["organisation"], unique=False)
    has_modules = op.get_bind().execute(sa.text("SELECT 1 FROM modules LIMIT 1")).first()
    op.bulk_insert(state, [{"id": 1, "generation": 1 if has_modules else 0}])
    for table, columns in SECRET_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=200), type_=sa.String(length=1000)
                )


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_index("ix_identities_organisation")
        batch.drop_column("organisation")
    op.drop_table("library_state")
    for table, columns in SECRET_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=1000), type_=sa.String(length=200)
                )
