"""Which chat messages ask about something, and so may be searched and logged as content gaps."""

from __future__ import annotations

import pytest

from bot.features.admin_content import group_gaps
from bot.features.questions import content_words, is_content_question

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


def test_gap_groups_leave_out_noise_recorded_earlier() -> None:
    groups = group_gaps(["hi", "/quit", "42", "wifi password Denver", "Denver wifi password"])
    assert [g.count for g in groups] == [2]
