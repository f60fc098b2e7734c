"""Lesson cards and the page content of each module, written with the module's rows.

A module's row in `lesson_cards` holds `{"cards": [...], "page": {...}}`; rows written before
module pages existed hold the bare list of cards (they have no page until the next ingest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.engine import Connection

from bot.storage.tables import lesson_cards
from content_index.lessons import Card
from content_index.model import ContentBlock
from content_index.page import PageContent, PageSection


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


def page_to_json(page: PageContent) -> dict[str, Any]:
    """Page content as JSON-ready data."""
    return {
        "folder": page.folder,
        "base": page.base,
        "sections": [
            {
                "title": s.title,
                "anchor": s.anchor,
                "level": s.level,
                "blocks": [_block_to_json(b) for b in s.blocks],
            }
            for s in page.sections
        ],
    }


def page_from_json(data: dict[str, Any]) -> PageContent:
    """Page content from stored JSON."""
    sections = tuple(
        PageSection(
            title=str(s.get("title", "")),
            anchor=str(s.get("anchor", "")),
            level=int(s.get("level", 0)),
            blocks=tuple(
                ContentBlock(str(b["kind"]), str(b["text"]), str(b.get("src", "")))
                for b in s.get("blocks", ())
            ),
        )
        for s in data.get("sections", ())
    )
    return PageContent(sections, str(data.get("folder", "")), str(data.get("base", "")))


def _block_to_json(block: ContentBlock) -> dict[str, str]:
    data = {"kind": block.kind, "text": block.text}
    if block.src:
        data["src"] = block.src
    return data


def replace_cards(
    conn: Connection, module_id: str, cards: Sequence[Card], page: PageContent | None = None
) -> None:
    """Replace a module's cards (and page) inside the caller's transaction (the module row
    must exist)."""
    stored: Any = [card_to_json(c) for c in cards]
    if page is not None:
        stored = {"cards": stored, "page": page_to_json(page)}
    conn.execute(delete(lesson_cards).where(lesson_cards.c.module_id == module_id))
    conn.execute(insert(lesson_cards).values(module_id=module_id, cards=stored))


class LessonRepository:
    """Reads the lesson cards stored at ingest (`ContentRepository.save` writes them)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def cards(self, module_id: str) -> tuple[Card, ...] | None:
        """A module's cards in order; None when none were stored (ingested before lessons)."""
        stored = self._stored(module_id)
        if stored is None:
            return None
        listed = stored["cards"] if isinstance(stored, dict) else stored
        return tuple(card_from_json(c) for c in listed)

    def page(self, module_id: str) -> PageContent | None:
        """A module's page content; None when none was stored (ingested before pages)."""
        stored = self._stored(module_id)
        if not isinstance(stored, dict) or "page" not in stored:
            return None
        return page_from_json(stored["page"])

    def _stored(self, module_id: str) -> Any:
        query = select(lesson_cards.c.cards).where(lesson_cards.c.module_id == module_id)
        with self._engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()
