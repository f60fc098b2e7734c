"""The conversation driver clicks by label, and a label that names no button, or two, fails."""

from __future__ import annotations

import pytest

from bot.core.events import ActionClicked, Event
from bot.core.replies import Button, Buttons, Choices, Reply, Section, Text
from tests.conversations.transcript import ClickError, Conversation

MENU = [
    Reply(
        (
            Text("Hi! Pick one."),
            Buttons((Button("Let's start", "go", "1"), Button("Not now", "go", "0"))),
        )
    ),
    Reply(
        (
            Section("Triaging tickets", "6 min"),
            Buttons((Button("Why?", "why", "triage"), Button("Done", "done", "triage"))),
            Section("When to escalate", "5 min"),
            Buttons((Button("Why?", "why", "escalate"), Button("Done", "done", "escalate"))),
        )
    ),
    Reply((Choices("quiz", "q1", (("a", "`COUNT`"), ("b", "TRIM"), ("c", "SUM")), multi=True),)),
]


Clicked = tuple[str, str, tuple[str, ...]]


@pytest.fixture
def clicks() -> list[Clicked]:
    """What reached the core: action, value and ticked options of every click."""
    return []


@pytest.fixture
def chat(core, clicks: list[Clicked]) -> Conversation:  # type: ignore[no-untyped-def]
    """A conversation whose core answers every message with the menu."""
    conversation = Conversation(core)

    def handle(event: Event) -> list[Reply]:
        if isinstance(event, ActionClicked):
            clicks.append((event.action, event.value, event.values))
        return MENU

    conversation.session.chat.handle = handle
    conversation.say("menu")
    return conversation


def test_a_label_clicks_its_button_whatever_the_case(
    chat: Conversation, clicks: list[Clicked]
) -> None:
    chat.click("let's START")
    assert clicks == [("go", "1", ())]
    assert "> 1 (let's START)" in chat.transcript


def test_several_labels_tick_options_of_one_list_shown_as_plain_text(
    chat: Conversation, clicks: list[Clicked]
) -> None:
    chat.click("SUM", "count")
    assert clicks == [("quiz", "q1", ("a", "c"))]


def test_after_picks_the_first_repeated_label_below_a_line(
    chat: Conversation, clicks: list[Clicked]
) -> None:
    chat.click("Why?", after="WHEN TO ESCALATE")
    assert clicks == [("why", "escalate", ())]


def test_an_unknown_label_fails_and_lists_the_labels_offered(
    chat: Conversation, clicks: list[Clicked]
) -> None:
    with pytest.raises(ClickError, match="no button 'Lets start' in the last answer") as failed:
        chat.click("Lets start")
    offered = "\"Let's start\", 'Not now', 'Why?', 'Done', 'Why?', 'Done', 'COUNT', 'TRIM', 'SUM'"
    assert str(failed.value).endswith(f"offered: {offered}")
    with pytest.raises(ClickError, match="no button 'Not now' after 'WHEN TO ESCALATE'"):
        chat.click("Not now", after="WHEN TO ESCALATE")
    with pytest.raises(ClickError, match="no line with 'nowhere'"):
        chat.click("Why?", after="nowhere")
    assert clicks == [], "nothing was sent"
    assert chat.transcript.count("\n> ") == 0


def test_an_ambiguous_label_fails_and_names_both_buttons(
    chat: Conversation, clicks: list[Clicked]
) -> None:
    with pytest.raises(ClickError, match=r"2 buttons 'why\?' in the last answer \(numbers 3, 5\)"):
        chat.click("why?")
    assert clicks == []


def test_only_the_last_answer_counts(chat: Conversation) -> None:
    chat.session.chat.handle = lambda event: [Reply((Text("Nothing to click."),))]
    chat.say("thanks")
    with pytest.raises(ClickError, match="offered: none"):
        chat.click("Not now")
