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


def _learner(engine, name: str) -> str:  # type: ignore[no-untyped-def]
    from bot.core.events import Identity, UserInfo
    from bot.storage.learners import LearnerRepository

    repo = LearnerRepository(engine)
    return repo.resolve(Identity("terminal", "local", name), UserInfo(), now=NOW).id


def test_lesson_positions_resume_finish_once_and_feed_the_report(engine) -> None:
    from datetime import timedelta

    from bot.storage.lessons import LessonProgressRepository

    repo = LessonProgressRepository(engine)
    ana, bo, cy = (_learner(engine, n) for n in ("ana", "bo", "cy"))
    assert repo.position(ana, "guide") is None
    repo.move(ana, "guide", card=0, cards=5, now=NOW)
    later = NOW + timedelta(minutes=3)
    repo.move(ana, "guide", card=2, cards=5, now=later)
    position = repo.position(ana, "guide")
    assert position is not None
    assert (position.card, position.cards, position.started_at) == (2, 5, NOW)
    assert position.updated_at == later
    assert repo.unfinished(ana) == ["guide"]
    assert repo.finish(ana, "guide", now=later) is True
    assert repo.finish(ana, "guide", now=later) is False, "a lesson is finished once"
    assert repo.unfinished(ana) == []
    assert repo.rate(ana, "guide", "too_long", now=later) is True
    assert repo.rate(bo, "guide", "useful", now=later) is False, "bo never opened it"
    for learner in (bo, cy):
        repo.move(learner, "guide", card=3, cards=5, now=NOW)
    repo.log(ana, "guide", "answer", card=2, value="correct", now=NOW)
    repo.log(bo, "guide", "answer", card=2, value="wrong", now=NOW)
    repo.log(bo, "guide", "skip", card=1, now=NOW)
    repo.log(ana, "guide", "rate", card=0, value="too_long", now=NOW)
    repo.log(ana, "guide", "view", card=1, seconds=42.5, now=NOW)
    (stats,) = repo.stats()
    assert (stats.module_id, stats.started, stats.finished) == ("guide", 3, 1)
    assert stats.left_on == (4, 2)
    assert (stats.skips, stats.answers, stats.correct) == (1, 2, 1)
    assert stats.ratings == {"too_long": 1}
    (view,) = [e for e in repo.events(ana, "guide") if e["kind"] == "view"]
    assert view["seconds"] == pytest.approx(42.5)


def test_practice_answers_stay_out_of_calibration_and_of_items_met(engine) -> None:
    from pathlib import Path

    from bot.storage.items import ItemRepository
    from learning.formats import parse_bank

    bank = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "bank.yaml"
    items = ItemRepository(engine)
    parsed = parse_bank(bank.read_text(), filename="bank.yaml").items
    items.import_items(parsed, source="bank.yaml", now=NOW)
    ana = _learner(engine, "ana")
    first, second = parsed[0].id, parsed[1].id
    for item_id, context, dialog in ((first, "practice", "d1"), (second, "quiz", "d2")):
        stored = items.record_response(
            learner_id=ana,
            item_id=item_id,
            chosen=["a"],
            correct=True,
            context=context,
            dialog_id=dialog,
            now=NOW,
        )
        assert stored
    assert items.answered_ids(ana) == frozenset({second})
    assert items.answered_ids(ana, practice=True) == frozenset({first, second})
    ids, matrix = items.response_matrix()
    assert ids == (second,), "calibration reads first answers in quizzes and checks only"
    assert matrix.shape == (1, 1)
    assert items.practice_counts() == {first: (1, 1)}
