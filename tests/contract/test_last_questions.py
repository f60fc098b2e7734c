"""The last question per learner and conversation, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository
from bot.storage.questions import LastQuestion, LastQuestions
from bot.storage.rights import RightsRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_each_conversation_keeps_only_its_latest_question(engine) -> None:  # type: ignore[no-untyped-def]
    ana = LearnerRepository(engine).resolve(Identity("slack", "T1", "U1"), UserInfo("Ana"), now=NOW)
    repo = LastQuestions(engine)
    assert repo.recall(ana.id, "D1") is None
    first = LastQuestion("how much PTO do I get?", ("pto",), "leave", NOW)
    later = LastQuestion(
        "when do we get paid?", ("paid",), "first-week", NOW + timedelta(minutes=1)
    )
    repo.remember(ana.id, "D1", first)
    repo.remember(ana.id, "D1", later)
    repo.remember(ana.id, "C1:171.2", first)
    assert repo.recall(ana.id, "D1") == later
    assert repo.recall(ana.id, "C1:171.2") == first
    exported = RightsRepository(engine).export(ana)
    assert len(exported["last_questions"]) == 2, "a learner's questions are in their export"
