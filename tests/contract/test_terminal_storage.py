"""The terminal's stored buttons behave the same on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository
from bot.storage.tables import learners
from bot.storage.terminal import TerminalPromptRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_the_last_buttons_replace_the_earlier_ones_and_go_with_the_learner(engine) -> None:
    ana = LearnerRepository(engine).resolve(Identity.parse("ana"), UserInfo("Ana"), now=NOW)
    ben = LearnerRepository(engine).resolve(Identity.parse("ben"), UserInfo("Ben"), now=NOW)
    prompts = TerminalPromptRepository(engine)
    assert prompts.load(ana.id) == []
    first = [{"action": "dlg", "value": "d1:1:go"}, {"action": "dlg", "value": "d1:1:later"}]
    prompts.save(ana.id, first, now=NOW)
    prompts.save(ben.id, [{"action": "nudge.stop", "value": "n1"}], now=NOW)
    assert prompts.load(ana.id) == first
    prompts.save(ana.id, [], now=NOW + timedelta(minutes=1))
    assert prompts.load(ana.id) == [], "an answer without buttons forgets the older ones"
    assert prompts.load(ben.id) == [{"action": "nudge.stop", "value": "n1"}]
    with engine.begin() as conn:
        conn.execute(delete(learners).where(learners.c.id == ben.id))
    assert prompts.load(ben.id) == []
