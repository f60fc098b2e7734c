"""The database schema, as SQLAlchemy Core tables (the migrations create the same)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

learners = Table(
    "learners",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=True, index=True),
    Column("roles", JSON, nullable=False),
    Column("is_guest", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

identities = Table(
    "identities",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("workspace", String(64), primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("job_role", String(100), nullable=False, default=""),
    Column("goals", JSON, nullable=False),
    Column("preferred_format", String(20), nullable=False, default="any"),
    Column("session_minutes", Integer, nullable=False, default=10),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("work_days", String(7), nullable=False, default="12345"),
    Column("work_start", String(5), nullable=False, default="09:00"),
    Column("work_end", String(5), nullable=False, default="17:00"),
    Column("quiet_start", String(5), nullable=False, default="18:00"),
    Column("quiet_end", String(5), nullable=False, default="08:00"),
    Column("nudges_per_day", Integer, nullable=False, default=2),
    Column("nudges_per_week", Integer, nullable=False, default=6),
    Column("paused_until", UTCDateTime, nullable=True),
    Column("attributes", JSON, nullable=False),
    Column("onboarded_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

dialogs = Table(
    "dialogs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("step", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_dialogs_learner_status", "learner_id", "status"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False, index=True),
)

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

competencies = Table(
    "competencies",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("prerequisites", JSON, nullable=False),
    Column("cut_score", Float, nullable=False, default=0.0),
    Column("position", Integer, nullable=False, default=0),
)

roles = Table(
    "roles",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("targets", JSON, nullable=False),
    Column("required_modules", JSON, nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

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

# Nudges: calendars expanded into busy intervals, spaced-review cards, preferences, the outbox.

calendars = Table(
    "calendars",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("url", String(2000), nullable=True),
    Column("zone", String(64), nullable=False),
    Column("horizon_start", UTCDateTime, nullable=False),
    Column("horizon_end", UTCDateTime, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("refreshed_at", UTCDateTime, nullable=False),
    Column("last_error", String(500), nullable=True),
    Column("last_error_at", UTCDateTime, nullable=True),
)

calendar_events = Table(
    "calendar_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("busy", Boolean, nullable=False),
    Column("all_day", Boolean, nullable=False),
    Column("floating", Boolean, nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Index("ix_calendar_events_learner_start", "learner_id", "start_at"),
)

review_cards = Table(
    "review_cards",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(200), primary_key=True),
    Column("module_id", String(200), nullable=True),
    Column("card_id", BigInteger, nullable=False),
    Column("state", Integer, nullable=False),
    Column("step", Integer, nullable=True),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("last_review_at", UTCDateTime, nullable=True),
    Column("reviews", Integer, nullable=False),
    Column("lapses", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_review_cards_learner_due", "learner_id", "due_at"),
)

nudge_prefs = Table(
    "nudge_prefs",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("weights", JSON, nullable=False),
    Column("snoozed_until", UTCDateTime, nullable=True),
    Column("stopped", Boolean, nullable=False),
    Column("skip_dates", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("object_id", String(300), nullable=False),
    Column("local_date", String(10), nullable=False),
    Column("module_id", String(200), nullable=True),
    Column("title", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("priority", Float, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claim_token", String(32), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("platform", String(16), nullable=True),
    Column("channel_id", String(200), nullable=True),
    Column("message_id", String(200), nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("response", String(16), nullable=True),
    Column("responded_at", UTCDateTime, nullable=True),
    Column("seen_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("learner_id", "kind", "object_id", "local_date", name="uq_outbox_key"),
    Index("ix_outbox_status_due", "status", "due_at"),
    Index("ix_outbox_learner_due", "learner_id", "due_at"),
)
