"""Lesson cards: each module's cards as one JSON list, replaced whenever the module is."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Table

from bot.storage.tables.schema import metadata

lesson_cards = Table(
    "lesson_cards",
    metadata,
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column("cards", JSON, nullable=False),
)
