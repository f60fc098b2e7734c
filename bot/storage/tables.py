"""The database schema, as SQLAlchemy Core tables (the migrations create the same)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
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

# Learning paths (migration 0008).

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

# Item bank and learner model (quizzes, mastery checks, exemptions).

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

teams_conversations = Table(
    "teams_conversations",
    metadata,
    Column("conversation_id", String(400), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("user_id", String(128), nullable=True),
    Column("aad_object_id", String(64), nullable=True),
    Column("service_url", String(500), nullable=False),
    Column("reference", JSON, nullable=False),
    Column("dead_at", UTCDateTime, nullable=True),
    Column("dead_reason", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_teams_conversations_tenant_user", "tenant_id", "user_id"),
    Index("ix_teams_conversations_tenant_aad", "tenant_id", "aad_object_id"),
)

# Slack installations, in the schema of slack_sdk's SQLAlchemyInstallationStore (which reads
# and writes them): naive UTC timestamps, its own index names.
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

# OAuth `state` values: issued by /slack/install, consumed once by /slack/oauth_redirect.
slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False, unique=True),
    Column("expire_at", UTCDateTime, nullable=False, index=True),
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

# Managers and admins (migration 0009).

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

xapi_cursor = Table(
    "xapi_cursor",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
