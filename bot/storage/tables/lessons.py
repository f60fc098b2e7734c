"""Lessons: each module's cards, where each learner is in a lesson, and what happened there.

The cards are one JSON list per module, replaced whenever the module is. Progress is one row
per learner and module (the card they are on, kept when a lesson is paused or interrupted);
events are an append-only log of card views, skips, practice answers, pauses, finishes and
ratings, which the lesson report reads.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

lesson_cards = Table(
    "lesson_cards",
    metadata,
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column("cards", JSON, nullable=False),
)

lesson_progress = Table(
    "lesson_progress",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", String(200), primary_key=True),
    Column("card", Integer, nullable=False),
    Column("cards", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("rating", String(16), nullable=True),
)

lesson_events = Table(
    "lesson_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("module_id", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("card", Integer, nullable=False),
    Column("value", String(32), nullable=False, default=""),
    Column("seconds", Float, nullable=True),
    Index("ix_lesson_events_module", "module_id", "kind"),
)
