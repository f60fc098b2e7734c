"""The competency framework: competencies and roles."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Integer, String, Table, Text

from bot.storage.tables.schema import metadata

competencies = Table(
    "competencies",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("prerequisites", JSON, nullable=False),
    Column("cut_score", Float, nullable=False, default=0.0),
    # Who helps learners stuck on it: an email or a user reference ("" when none).
    Column("coach", String(320), nullable=False, default="", server_default=""),
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
