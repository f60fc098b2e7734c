"""Typed button numbers after `learnbot chat` restarts: two terminal runs on one SQLite file."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App, build_app
from bot.context import Lazy
from bot.core.model import Answered
from tests.conversations.test_nudges import deliver, fading_learner
from tests.conversations.transcript import Conversation
from tests.fakes import use_features
from tests.path_library import load_library


class _Gaps:
    """The part of the content repository the question handler writes: gaps are recorded."""

    def __init__(self) -> None:
        self.gaps: list[str] = []

    def has_chunks(self) -> bool:
        return True

    def record_gap(self, question: str, **_: Any) -> None:
        self.gaps.append(question)


class UnsureLibrary:
    """A library that never knows the answer, so every question it is asked becomes a gap."""

    def __init__(self) -> None:
        self.content = _Gaps()

    def ask(self, question: str, *, roles: Any, prefer: str | None = None) -> Answered:
        return Answered("", False, ())


@pytest.fixture
def start(sqlite_settings, clock):  # type: ignore[no-untyped-def]
    """Start `learnbot chat` again: a new core on the same SQLite file, nothing kept in memory."""
    library = UnsureLibrary()

    def run() -> tuple[App, Conversation]:
        core = build_app(sqlite_settings, clock=clock)
        use_features(core.services, library=Lazy.ready(library))
        return core, Conversation(core)

    run.library = library  # type: ignore[attr-defined]
    return run


def test_a_role_number_typed_after_a_restart_picks_the_role_button(start) -> None:  # type: ignore[no-untyped-def]
    core, first = start()
    load_library(core)
    first.say("hi")
    asked = first.say("1")
    assert "what is your role?" in asked
    roles = core.services.framework.get().roles
    assert f"[2] {roles[1].title}" in asked

    _, second = start()
    answer = second.say("2")
    assert "better at" in answer, "the goals step follows: the number picked the role"
    assert second.profile.job_role == roles[1].id
    assert start.library.content.gaps == []


def test_a_nudge_button_number_after_a_restart_clicks_the_nudge_button(start) -> None:  # type: ignore[no-untyped-def]
    core, first = start()
    fading_learner(core)
    deliver(core)
    shown = first.say("/learn profile")
    assert "[3] Not today" in shown

    core, second = start()
    answer = second.say("3")
    assert "There is no button" not in answer
    assert "today" in answer.lower()
    learner = core.services.learners.find(second.session.chat.identity)
    assert learner is not None
    assert core.services.nudges is not None
    inbox = core.services.nudges.get().terminal_inbox(learner.id, now=core.services.clock.now())
    assert inbox == []
    assert start.library.content.gaps == [], "a button number is never a content gap"


def test_a_number_with_no_stored_buttons_gets_a_clear_reply_and_is_no_gap(start) -> None:  # type: ignore[no-untyped-def]
    _, first = start()
    first.say("hi")
    first.click("Not now")
    assert "[1]" not in first.say("/learn profile"), "the last answer had no buttons"

    _, second = start()
    answer = second.say("1")
    assert "There is no button for 1 to pick right now" in answer
    assert "/learn help" in answer
    assert second.profile.job_role == ""
    assert start.library.content.gaps == []
    assert second.say("what is the leave policy?")
    assert start.library.content.gaps == ["what is the leave policy?"], "questions still are"


def test_buttons_of_an_older_answer_are_not_picked_after_a_restart(start) -> None:  # type: ignore[no-untyped-def]
    core, first = start()
    fading_learner(core)
    deliver(core)
    assert "[5] Stop nudges" in first.say("/learn profile")
    assert "[5]" not in first.say("/learn profile"), "the nudge is shown once"

    core, second = start()
    assert "There is no button for 5" in second.say("5")
    learner = core.services.learners.find(second.session.chat.identity)
    assert learner is not None
    assert core.services.nudges is not None
    prefs = core.services.nudges.get().prefs.get(learner.id)
    assert not prefs.stopped, "the old Stop nudges button was not clicked"
