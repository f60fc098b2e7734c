"""Content gaps grouped by meaning, and the feedback that lowers a passage for similar questions."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

# A group of questions that mean the same (embedding clusters). Assignments are stored, so
# the groups stay the same between calls; `centroid` is the normalised mean of its members.
gap_groups = Table(
    "gap_groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("example", Text, nullable=False),
    Column("centroid", JSON, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("checked_generation", Integer, nullable=False),
)

# One question in a group: an unanswered one (from `content_gaps`) or a confident answer
# the learner found not helpful (from `answer_feedback`); `source` names the row it came from.
gap_questions = Table(
    "gap_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False, unique=True),
    Column("group_id", ForeignKey("gap_groups.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("question", Text, nullable=False),
    Column("vector", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("notified", Boolean, nullable=False),
)

# "Not helpful" (a click, or the same question asked again at once): the passage it cited
# counts less for similar questions, decaying with time (`retrieval.feedback`).
answer_adjustments = Table(
    "answer_adjustments",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("module_id", String(200), nullable=False),
    Column("section", String(500), nullable=False),
    Column("vector", JSON, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
)
