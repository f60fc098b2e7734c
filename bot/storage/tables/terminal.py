"""The terminal chat: the numbered buttons of each terminal user's last prompt."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Table

from bot.storage.tables.schema import metadata
from bot.storage.types import UTCDateTime

terminal_prompts = Table(
    "terminal_prompts",
    metadata,
    Column("learner_id", ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    # What each typed number stands for, in order: [{"action", "value", "option", ...}, ...]
    Column("picks", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
