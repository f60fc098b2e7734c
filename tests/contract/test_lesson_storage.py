"""Lesson cards are stored with their module on SQLite and PostgreSQL, and go with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from bot.storage.content import ContentRepository
from bot.storage.db import make_engine, migrate
from bot.storage.lessons import LessonRepository, card_from_json, card_to_json
from content_index.lessons import Card
from content_index.model import Chunk, ModuleMeta

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
META = ModuleMeta(id="guide", title="Guide", source="guide.md")


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _card(n: int, text: str, **extra) -> Card:  # type: ignore[no-untyped-def]
    return Card(n=n, kind="text", text=text, chars=len(text), **extra)


def _chunk(module_id: str) -> Chunk:
    return Chunk(
        id=f"{module_id}::0", module_id=module_id, ordinal=0, section="S", anchor="s", text="t"
    )


def test_cards_round_trip_with_their_overflow(engine) -> None:
    assert "lesson_cards" in inspect(engine).get_table_names()
    cards = [_card(1, "Intro"), _card(2, "Table: a — on the module page", overflow=("| a |",))]
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[_chunk("guide")], now=NOW, cards=cards)
    assert lessons.cards("guide") == tuple(cards)
    assert card_from_json(card_to_json(cards[1])) == cards[1]
    assert "overflow" not in card_to_json(cards[0])


def test_a_new_version_replaces_the_cards_and_deleting_removes_them(engine) -> None:
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[_card(1, "old")])
    content.save(META, content_hash="h2", new_chunks=[], now=NOW, cards=[_card(1, "new")])
    assert lessons.cards("guide") == (_card(1, "new"),)
    content.delete("guide")
    assert lessons.cards("guide") is None


def test_a_module_saved_without_cards_has_none_not_stale_ones(engine) -> None:
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[_card(1, "old")])
    content.save(META, content_hash="h2", new_chunks=[], now=NOW)
    assert lessons.cards("guide") is None


def test_a_renamed_module_id_drops_the_old_ids_cards(engine) -> None:
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[_card(1, "old")])
    renamed = ModuleMeta(id="guide-2", title="Guide", source="guide.md")
    content.save(renamed, content_hash="h2", new_chunks=[], now=NOW, cards=[_card(1, "new")])
    assert lessons.cards("guide") is None
    assert lessons.cards("guide-2") == (_card(1, "new"),)
