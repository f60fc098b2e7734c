"""Learning paths: module progress, role assignments, waivers and recommendations."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

module_progress = Table(
    "module_progress",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", String(200), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
)

role_assignments = Table(
    "role_assignments",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", String(100), primary_key=True),
    Column("since", UTCDateTime, nullable=False),
)

module_waivers = Table(
    "module_waivers",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", String(200), primary_key=True),
    Column("waiver_id", String(32), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("digest", String(64), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("output", JSON, nullable=False),
    Index("ix_recommendations_learner_kind", "learner_id", "kind", "id"),
)
