"""The content library: modules, chunks, unanswered questions, answer feedback, last questions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

modules = Table(
    "modules",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("source", String(1000), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("meta", JSON, nullable=False),
    Column("retired", Boolean, nullable=False, default=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", name="uq_modules_source"),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("section", String(500), nullable=False),
    Column("anchor", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("context", String(1000), nullable=False),
    Column("line_start", Integer, nullable=False),
    Column("line_end", Integer, nullable=False),
)

content_gaps = Table(
    "content_gaps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="SET NULL"), nullable=True),
    Column("question", Text, nullable=False),
    Column("best_score", Float, nullable=False),
)

answer_feedback = Table(
    "answer_feedback",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("question", Text, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("helpful", Boolean, nullable=True),
)

# One row (id 1): the library's generation, bumped in the same transaction as every ingest,
# replacement, deletion, retirement or restoration. The content index stores the generation
# it was written at, so a stale or foreign index is told apart from the current one.
library_state = Table(
    "library_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", Integer, nullable=False),
)

# The last question a learner asked in one conversation (a DM, or a thread), so a short
# follow-up ("and for contractors?") can be read with its topic.
last_questions = Table(
    "last_questions",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("conversation", String(300), primary_key=True),
    Column("question", Text, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("module_id", String(200), nullable=True),
    Column("at", UTCDateTime, nullable=False),
)
