"""Learners, their platform identities and profiles, saved dialogs and processed events."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, false

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

learners = Table(
    "learners",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("email", String(320), nullable=True, index=True),
    Column("roles", JSON, nullable=False),
    Column("is_guest", Boolean, nullable=False, default=False),
    # Whether the admin role was given by LEARNBOT_ADMINS (taken back when the name leaves
    # the list) rather than granted in chat (kept).
    Column("admin_from_settings", Boolean, nullable=False, default=False, server_default=false()),
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
    # What linking by email stays within: `slack:<enterprise or team>`, `teams:<tenant>`,
    # `terminal:<workspace>` (see LearnerRepository).
    Column("organisation", String(200), nullable=False, server_default="", index=True),
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
    Column("pace", String(16), nullable=False, default="normal", server_default="normal"),
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
    # received -> done; a received row holds the normalized event to process it again.
    Column("status", String(12), nullable=False, server_default="done"),
    Column("payload", JSON, nullable=True),
    Column("claim_token", String(32), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Index("ix_processed_events_status", "status", "claimed_until"),
)
