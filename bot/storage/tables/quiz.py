"""The item bank and learner model: items, responses, abilities, exemptions and checks."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

items = Table(
    "items",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("stem", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("options", JSON, nullable=False),
    Column("competency", String(100), nullable=False, index=True),
    Column("module_id", String(200), nullable=True),
    Column("difficulty", String(16), nullable=False),
    Column("explanation", Text, nullable=False, default=""),
    Column("tags", JSON, nullable=False),
    Column("a", Float, nullable=False),
    Column("b", Float, nullable=False),
    Column("calibrated", Boolean, nullable=False, default=False),
    Column("retired", Boolean, nullable=False, default=False),
    Column("source", String(1000), nullable=False, default=""),
    Column("source_line", Integer, nullable=False, default=0),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("chosen", JSON, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("context", String(16), nullable=False),
    Column("dialog_id", String(32), nullable=True),
    Index("ix_responses_learner_at", "learner_id", "at"),
    UniqueConstraint("dialog_id", "item_id", name="uq_responses_dialog_item"),
)

abilities = Table(
    "abilities",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("competency", String(100), primary_key=True),
    Column("theta", Float, nullable=False),
    Column("se", Float, nullable=False),
    Column("p_mastery", Float, nullable=False),
    Column("cut", Float, nullable=False),
    Column("n", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What the intake quiz knows without a measurement: "new" (the learner said "I'm new to
# this") or "not asked" (the skip rule left it out). Never a reason to exempt.
intake_notes = Table(
    "intake_notes",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("competency", String(100), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

exemptions = Table(
    "exemptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("competency", String(100), nullable=False),
    Column("modules", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("theta", Float, nullable=False),
    Column("se", Float, nullable=False),
    Column("p_mastery", Float, nullable=False),
    Column("cut", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("dialog_id", String(32), nullable=True),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("overridden_by", String(200), nullable=True),
    Column("overridden_at", UTCDateTime, nullable=True),
    Index("ix_exemptions_learner_competency", "learner_id", "competency"),
)

mastery_checks = Table(
    "mastery_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("competency", String(100), nullable=False),
    Column("module_id", String(200), nullable=True),
    Column("passed", Boolean, nullable=False),
    Column("p_mastery", Float, nullable=False),
    Column("theta", Float, nullable=False),
    Column("se", Float, nullable=False),
    Column("items", JSON, nullable=False),
    Column("missed", JSON, nullable=False),
    Column("dialog_id", String(32), nullable=True, unique=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_mastery_checks_learner_competency", "learner_id", "competency"),
)
