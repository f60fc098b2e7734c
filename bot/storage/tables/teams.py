"""Microsoft Teams conversation references (for proactive messages)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

teams_conversations = Table(
    "teams_conversations",
    metadata,
    Column("conversation_id", String(400), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("user_id", String(128), nullable=True),
    Column("aad_object_id", String(64), nullable=True),
    Column("service_url", String(500), nullable=False),
    Column("reference", JSON, nullable=False),
    Column("dead_at", UTCDateTime, nullable=True),
    Column("dead_reason", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_teams_conversations_tenant_user", "tenant_id", "user_id"),
    Index("ix_teams_conversations_tenant_aad", "tenant_id", "aad_object_id"),
)
