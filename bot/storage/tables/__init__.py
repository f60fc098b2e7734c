"""The database schema, as SQLAlchemy Core tables (the migrations create the same).

One module per feature, all on the one `metadata` of `schema`; importing this package
defines every table, so Alembic and `from bot.storage.tables import x` see the whole schema.
"""

from __future__ import annotations

from bot.storage.tables.content import (
    answer_feedback,
    chunks,
    content_gaps,
    last_questions,
    library_state,
    modules,
)
from bot.storage.tables.core import dialogs, identities, learners, processed_events, profiles
from bot.storage.tables.framework import competencies, roles
from bot.storage.tables.gaps import answer_adjustments, gap_groups, gap_questions
from bot.storage.tables.journal import activity, audit_log, xapi_cursor
from bot.storage.tables.lessons import lesson_cards, lesson_events, lesson_progress
from bot.storage.tables.nudges import (
    calendar_events,
    calendars,
    nudge_prefs,
    nudge_shard_leases,
    outbox,
    review_cards,
)
from bot.storage.tables.org import assignments, org_chart
from bot.storage.tables.paths import (
    module_progress,
    module_waivers,
    recommendations,
    role_assignments,
)
from bot.storage.tables.quiz import (
    abilities,
    exemptions,
    intake_notes,
    items,
    mastery_checks,
    responses,
)
from bot.storage.tables.schema import metadata
from bot.storage.tables.slack import slack_bots, slack_installations, slack_oauth_states
from bot.storage.tables.teams import teams_conversations
from bot.storage.tables.terminal import terminal_prompts
from bot.storage.tables.workers import job_leases, pace_buckets

__all__ = [
    "abilities",
    "activity",
    "answer_adjustments",
    "answer_feedback",
    "assignments",
    "audit_log",
    "calendar_events",
    "calendars",
    "chunks",
    "competencies",
    "content_gaps",
    "dialogs",
    "exemptions",
    "gap_groups",
    "gap_questions",
    "identities",
    "intake_notes",
    "items",
    "job_leases",
    "last_questions",
    "learners",
    "lesson_cards",
    "lesson_events",
    "lesson_progress",
    "library_state",
    "mastery_checks",
    "metadata",
    "module_progress",
    "module_waivers",
    "modules",
    "nudge_prefs",
    "nudge_shard_leases",
    "org_chart",
    "outbox",
    "pace_buckets",
    "processed_events",
    "profiles",
    "recommendations",
    "responses",
    "review_cards",
    "role_assignments",
    "roles",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
    "teams_conversations",
    "terminal_prompts",
    "xapi_cursor",
]
