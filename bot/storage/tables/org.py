"""Managers and admins: the imported org chart and assigned training."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

org_chart = Table(
    "org_chart",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("manager_email", String(320), nullable=True, index=True),
    Column("department", String(200), nullable=False),
    Column("location", String(200), nullable=False),
    Column("role", String(200), nullable=False),
    Column("line", Integer, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", String(200), primary_key=True),
    Column("due_at", UTCDateTime, nullable=True),
    Column("assigned_by", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
