"""Helpers for quiz transcripts: load the test bank, and answer like a learner who knows."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.core.replies import Reply
from bot.features.imports import load_framework_file
from bot.features.quiz.bank import import_bank_file
from learning.items import Item
from tests.conversations.transcript import Conversation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quiz"


def load_quiz_fixtures(core: App) -> None:
    """The two-competency test framework and its ten-item bank."""
    core.services.framework.replace(load_framework_file(FIXTURES / "framework.yaml"))
    report = import_bank_file(core.services, FIXTURES / "bank.yaml")
    assert report.imported == 10, report
    assert not report.errors, report


def learner_id(chat: Conversation) -> str:
    """The internal id of the conversation's learner."""
    learner = chat.core.services.learners.find(chat.session.chat.identity)
    assert learner is not None
    return learner.id


def current_item(chat: Conversation, kind: str = "quiz") -> Item:
    """The question the learner is looking at (read from the saved dialog, like a cheat)."""
    services = chat.core.services
    record = services.dialogs.active(learner_id(chat), kind)
    assert record is not None, "no quiz is open"
    assert record.state["current"], "no question is open"
    item = services.items.get(record.state["current"])
    assert item is not None
    return item


def answer(chat: Conversation, *, correct: bool, kind: str = "quiz") -> str:
    """Answer the open question right or wrong, by looking up its key and clicking the text."""
    options = current_item(chat, kind).options
    if correct:
        return chat.click(*(o.text for o in options if o.correct))
    return chat.click(next(o.text for o in options if not o.correct))


class Recorder:
    """Wraps the router so a test can look at the reply data, not just the printed text."""

    def __init__(self, chat: Conversation) -> None:
        self.replies: list[Reply] = []
        inner = chat.session.chat.handle

        def handle(event):  # type: ignore[no-untyped-def]
            self.replies = inner(event)
            return self.replies

        chat.session.chat.handle = handle
