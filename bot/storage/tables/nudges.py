"""Nudges: calendars expanded into busy intervals, spaced-review cards, preferences, the outbox."""

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
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

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
    # The send intent: written before the platform call, so a crash leaves it behind.
    Column("intent_key", String(32), nullable=True),
    Column("intent_at", UTCDateTime, nullable=True),
    Column("resent", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("learner_id", "kind", "object_id", "local_date", name="uq_outbox_key"),
    Index("ix_outbox_status_due", "status", "due_at"),
    Index("ix_outbox_learner_due", "learner_id", "due_at"),
)

# One row per shard of the planning tick: who holds it and until when, in database time
# (epoch seconds from the database's clock, so a worker whose clock is off cannot break it).
nudge_shard_leases = Table(
    "nudge_shard_leases",
    metadata,
    Column("shard", Integer, primary_key=True, autoincrement=False),
    Column("holder", String(64), nullable=False),
    Column("claimed_at", Float, nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("planned_at", Float, nullable=True),
)
