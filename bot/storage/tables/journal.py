"""The audit log, the learner activity log and the xAPI forwarder's cursor over it."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("detail", JSON, nullable=False),
)

activity = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("verb", String(32), nullable=False),
    Column("object_id", String(200), nullable=False, default=""),
    Column("detail", JSON, nullable=False),
    Index("ix_activity_learner_at", "learner_id", "at"),
    UniqueConstraint("learner_id", "verb", "object_id", "at", name="uq_activity_event"),
)

xapi_cursor = Table(
    "xapi_cursor",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
