"""Follow-up questions in a conversation, read as transcripts on the sample library."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.storage.tables import content_gaps
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow

PART_TIME = "in proportion to their contracted hours"


@pytest.fixture
def chat(library_core, sample_content: Path) -> Conversation:
    library_core.services.library.get().ingest([sample_content])
    conversation = Conversation(library_core)
    if "Not now" in conversation.say("hi"):  # first contact starts onboarding
        conversation.click("Not now")
    return conversation


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_short_follow_up_is_read_with_the_previous_question(chat: Conversation, clock) -> None:  # type: ignore[no-untyped-def]
    first = _flat(chat.say("How many days of PTO do full-time employees get?"))
    assert "20 days of PTO a year" in first
    clock.advance(timedelta(minutes=2))
    follow_up = _flat(chat.say("what about part-time?"))
    assert PART_TIME in follow_up
    assert "[1]" in follow_up


def test_a_follow_up_without_words_of_its_own_keeps_the_topic(chat: Conversation, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("Who approves a refund over $200?")
    clock.advance(timedelta(minutes=3))
    follow_up = _flat(chat.say("and over $1,000?"))
    assert "support manager" in follow_up
    assert "[1]" in follow_up
    elsewhere = Conversation(chat.core, "ben")
    if "Not now" in elsewhere.say("hi"):
        elsewhere.click("Not now")
    alone = _flat(elsewhere.say("and over $1,000?"))
    assert "support manager" not in alone, "another learner's topic is not carried over"


def test_a_follow_up_after_ten_minutes_is_a_new_question(chat: Conversation, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("How many days of PTO do full-time employees get?")
    clock.advance(timedelta(minutes=11))
    chat.say("and for contractors?")
    with chat.core.services.engine.connect() as conn:
        gaps = [r["question"] for r in conn.execute(select(content_gaps)).mappings()]
    assert gaps == ["and for contractors?"], "asked alone, without the PTO topic"
