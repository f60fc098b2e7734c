"""Module pages are stored beside the lesson cards on SQLite and PostgreSQL, and go with them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from bot.storage.content import ContentRepository
from bot.storage.db import make_engine, migrate
from bot.storage.lessons import LessonRepository
from bot.storage.tables import lesson_cards
from content_index.lessons import Card
from content_index.model import ContentBlock, ModuleMeta
from content_index.page import PageContent, PageSection

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
META = ModuleMeta(id="guide", title="Guide", source="docs/guide.md")
CARD = Card(n=1, kind="text", text="Guide\n\nHello.", chars=13, section="Guide", anchor="guide")
PAGE = PageContent(
    sections=(
        PageSection("Guide", "guide", 1, (ContentBlock("paragraph", "Hello."),)),
        PageSection("Empty", "empty", 2),
        PageSection(
            "Kinds",
            "kinds",
            2,
            (
                ContentBlock("table", "| a | b |\n|---|---|\n| 1 | 2 |"),
                ContentBlock("code", "x = 1\n\n  y = 2"),
                ContentBlock("list", "- one\n- two"),
                ContentBlock("image", "A chart", "../img/chart.png"),
            ),
        ),
    ),
    folder="/srv/library",
    base="docs",
)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_page_round_trips_beside_the_cards(engine) -> None:  # type: ignore[no-untyped-def]
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[CARD], page=PAGE)
    assert lessons.page("guide") == PAGE
    assert lessons.page("guide").sections[2].blocks == PAGE.sections[2].blocks  # type: ignore[union-attr]
    assert lessons.cards("guide") == (CARD,)
    assert content.has_cards("guide", with_page=True)
    assert PAGE.images() == ("img/chart.png",)


def test_a_page_goes_with_its_module_and_its_version(engine) -> None:  # type: ignore[no-untyped-def]
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[CARD], page=PAGE)
    content.save(META, content_hash="h2", new_chunks=[], now=NOW, cards=[CARD])
    assert lessons.page("guide") is None
    assert lessons.cards("guide") == (CARD,)
    content.save(META, content_hash="h3", new_chunks=[], now=NOW, cards=[CARD], page=PAGE)
    content.delete("guide")
    assert lessons.page("guide") is None
    assert lessons.cards("guide") is None


def test_cards_stored_as_a_bare_list_still_read(engine) -> None:  # type: ignore[no-untyped-def]
    content, lessons = ContentRepository(engine), LessonRepository(engine)
    content.save(META, content_hash="h1", new_chunks=[], now=NOW, cards=[CARD], page=PAGE)
    bare = [{"n": 1, "kind": "text", "text": CARD.text, "chars": 13, "anchor": "guide"}]
    with engine.begin() as conn:
        conn.execute(update(lesson_cards).values(cards=bare))
    assert lessons.cards("guide") == (Card(1, "text", CARD.text, 13, anchor="guide"),)
    assert lessons.page("guide") is None
    assert content.has_cards("guide")
    assert not content.has_cards("guide", with_page=True)
    assert content.add_cards("guide", [CARD], PAGE)
    assert lessons.page("guide") == PAGE
