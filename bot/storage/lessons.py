"""Lesson cards of each module, written with the module's rows and read by the lesson service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.engine import Connection

from bot.storage.tables import lesson_cards
from content_index.lessons import Card


def card_to_json(card: Card) -> dict[str, Any]:
    """A card as JSON-ready data (`overflow` only when it has any)."""
    data: dict[str, Any] = {
        "n": card.n,
        "kind": card.kind,
        "text": card.text,
        "chars": card.chars,
        "section": card.section,
        "anchor": card.anchor,
    }
    if card.overflow:
        data["overflow"] = list(card.overflow)
    return data


def card_from_json(data: dict[str, Any]) -> Card:
    """A card from stored JSON."""
    return Card(
        n=int(data["n"]),
        kind=str(data["kind"]),
        text=str(data["text"]),
        chars=int(data["chars"]),
        section=str(data.get("section", "")),
        anchor=str(data.get("anchor", "")),
        overflow=tuple(data.get("overflow", ())),
    )


def replace_cards(conn: Connection, module_id: str, cards: Sequence[Card]) -> None:
    """Replace a module's cards inside the caller's transaction (the module row must exist)."""
    conn.execute(delete(lesson_cards).where(lesson_cards.c.module_id == module_id))
    conn.execute(
        insert(lesson_cards).values(module_id=module_id, cards=[card_to_json(c) for c in cards])
    )


class LessonRepository:
    """Reads the lesson cards stored at ingest (`ContentRepository.save` writes them)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def cards(self, module_id: str) -> tuple[Card, ...] | None:
        """A module's cards in order; None when none were stored (ingested before lessons)."""
        query = select(lesson_cards.c.cards).where(lesson_cards.c.module_id == module_id)
        with self._engine.connect() as conn:
            stored = conn.execute(query).scalar_one_or_none()
        if stored is None:
            return None
        return tuple(card_from_json(c) for c in stored)
