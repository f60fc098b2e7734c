"""Which chat messages ask about something, and so may be searched and logged as content gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Channel
from bot.features.questions import (
    content_words,
    conversation_key,
    follow_up_query,
    is_content_question,
)
from bot.storage.questions import LastQuestion

NOT_QUESTIONS = [
    "/quit",
    "/help me",
    "learn help",
    "Learn quiz start",
    "!ping",
    "42",
    "3.14",
    "  7 ",
    "hi",
    "Hello there!",
    "good morning",
    "hey, how are you?",
    "thanks",
    "Thank you so much!",
    "thx :)",
    "ok",
    "👍",
    "🙂🙂",
    "?",
    "a",
    "...",
    "",
    "what is it?",
    "can you do that?",
]
QUESTIONS = [
    "when do we get paid?",
    "wifi password",
    "How do I request time off?",
    "Can I bring my dog to the office?",
    "expenses",
    "thanks, and how do I file an expense report?",
]


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_messages_without_a_topic_are_not_questions(text: str) -> None:
    assert not is_content_question(text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_about_something_are(text: str) -> None:
    assert is_content_question(text)


def test_content_words_drop_stop_words_numbers_and_small_talk() -> None:
    assert content_words("Hi! How many days do I have for 2 expense reports?") == [
        "days",
        "expense",
        "reports",
    ]


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PREVIOUS = LastQuestion(
    "how many PTO days do full-time employees get?",
    ("pto", "days", "full", "time", "employees"),
    "workplace-basics/leave-and-holidays",
    NOW,
)


@pytest.mark.parametrize(
    "text",
    [
        "and for contractors?",
        "what about part-time?",
        "part-time?",
        "And in stores?",
        "and over $1,000?",
    ],
)
def test_short_follow_ups_carry_the_previous_topic(text: str) -> None:
    query = follow_up_query(text, PREVIOUS, now=NOW + timedelta(minutes=9))
    assert query is not None
    assert query.startswith(text)
    assert "pto" in query


def test_a_follow_up_does_not_repeat_its_own_words() -> None:
    query = follow_up_query("what about part-time?", PREVIOUS, now=NOW)
    assert query == "what about part-time? (pto days full employees)"


@pytest.mark.parametrize(
    "text",
    [
        "how do I report a phishing email I received this morning?",  # a question of its own
        "thanks!",  # not a question
        "/learn help",
    ],
)
def test_other_messages_are_not_follow_ups(text: str) -> None:
    assert follow_up_query(text, PREVIOUS, now=NOW) is None


def test_a_follow_up_after_ten_minutes_stands_alone() -> None:
    assert (
        follow_up_query("and for contractors?", PREVIOUS, now=NOW + timedelta(minutes=11)) is None
    )


def test_follow_ups_are_followed_in_direct_messages_and_threads_only() -> None:
    assert conversation_key(Channel("D1")) == "D1"
    assert conversation_key(Channel("C1", is_direct=False, thread_id="171.2")) == "C1:171.2"
    assert conversation_key(Channel("C1", is_direct=False)) is None
