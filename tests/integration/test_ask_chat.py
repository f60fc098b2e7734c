"""Questions in chat, read as transcripts: cited answers, feedback, honest "I don't know"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.storage.tables import answer_feedback, content_gaps
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow


@pytest.fixture
def chat(library_core, sample_content: Path) -> Conversation:
    library_core.services.library.get().ingest([sample_content])
    conversation = Conversation(library_core)
    conversation.say("/learn profile set role support-agent")
    return conversation


def _rows(core, table):  # type: ignore[no-untyped-def]
    with core.services.engine.connect() as conn:
        return list(conn.execute(select(table)).mappings())


def test_a_question_gets_a_cited_answer_and_feedback_is_stored(chat: Conversation) -> None:
    answer = chat.say("/learn ask how many days do I have to file an expense report?")
    assert "[1]" in answer
    assert "Expenses" in answer or "expenses" in answer
    assert "[1] Helpful" in answer
    assert "Not helpful" in answer
    thanks = chat.click("Helpful")
    assert "Thanks" in thanks
    (row,) = _rows(chat.core, answer_feedback)
    assert row["helpful"] is True
    assert row["sources"][0]["module_id"] == "internal-tools/expenses"


def test_a_plain_direct_message_is_a_question_too(chat: Conversation) -> None:
    chat.say("hi")  # first contact starts onboarding
    chat.say("/learn profile")  # leave onboarding aside
    answer = chat.say("/learn ask what should I do if I think I clicked a phishing link?")
    assert "[1]" in answer


def test_an_unanswerable_question_is_declined_and_recorded_as_a_gap(chat: Conversation) -> None:
    answer = chat.say("/learn ask what is the wifi password at the Denver store?")
    assert "won't guess" in answer
    gaps = _rows(chat.core, content_gaps)
    assert [g["question"] for g in gaps] == ["what is the wifi password at the Denver store?"]


def test_someone_elses_feedback_button_is_refused(chat: Conversation, library_core) -> None:
    chat.say("/learn ask how do I request time off?")
    answer_id = _rows(library_core, answer_feedback)[0]["id"]
    other = Conversation(library_core, "ben")
    from bot.core.events import ActionClicked, Channel

    event = ActionClicked(
        identity=other.session.chat.identity,
        channel=Channel("dm-ben"),
        action="answer",
        value=f"{answer_id}:no",
    )
    (reply,) = library_core.router.handle(event)
    assert "someone else's" in reply.fallback
    assert _rows(library_core, answer_feedback)[0]["helpful"] is None


@pytest.fixture
def newcomer_core(library_core, sample_content: Path):  # type: ignore[no-untyped-def]
    library_core.services.library.get().ingest([sample_content])
    return library_core


def test_a_first_question_is_answered_when_the_newcomer_picks_not_now(newcomer_core) -> None:
    chat = Conversation(newcomer_core)
    question = "How many days do I have to file an expense report?"
    welcome = chat.say(question)
    assert "Let's start" in welcome
    assert "Helpful" not in welcome, "the welcome comes first, the answer waits"
    later = " ".join(chat.click("Not now").split())
    assert "/learn start" in later
    assert f"Now, your first message: {question}" in later
    assert "[1]" in later
    assert "expenses" in later.lower(), "answered from the expenses module"


def test_a_first_question_is_answered_after_onboarding(newcomer_core) -> None:
    chat = Conversation(newcomer_core)
    chat.say("How many days do I have to file an expense report?")
    chat.click("Let's start")
    chat.say("Support agent")
    chat.say("Skip")
    chat.click("Text")
    chat.click("15 min")
    chat.say("Europe/Berlin")
    done = " ".join(chat.say("09:00-17:00").split())
    assert "Now, your first message: How many days do I have to file an expense report?" in done
    assert "[1]" in done, "a cited answer"


def test_a_greeting_is_not_taken_for_a_question(newcomer_core) -> None:
    chat = Conversation(newcomer_core)
    chat.say("hi there")
    assert "your first message" not in chat.click("Not now")


def test_messages_that_ask_nothing_are_not_content_gaps(chat: Conversation) -> None:
    if "Not now" in chat.say("hi"):  # first contact starts onboarding
        chat.click("Not now")
    for text in ("thanks!", "42", "learn help", "/quit", "👍", "hello", "x"):
        reply = " ".join(chat.say(text).split())
        assert "won't guess" not in reply, text
        assert "/learn help" in reply, text
    assert _rows(chat.core, content_gaps) == []
    chat.say("/learn ask who won the 2030 World Cup?")
    gaps = [g["question"] for g in _rows(chat.core, content_gaps)]
    assert gaps == ["who won the 2030 World Cup?"]


def test_when_do_we_get_paid_is_answered_with_the_pay_day(chat: Conversation) -> None:
    answer = " ".join(chat.say("/learn ask When do we get paid?").split())
    assert "Northwind pays every other Friday by direct deposit. [1]" in answer
    assert "Pay, probation and check-ins" in answer, "the section is cited"
    assert "Bereavement" not in answer
