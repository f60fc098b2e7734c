"""The terminal chat: typed numbers click buttons; the user sees their own replies, not others'."""

from __future__ import annotations

from bot.adapters.terminal.chat import TerminalChat
from bot.core.events import ActionClicked, Event, Identity, MessageReceived
from bot.core.replies import Button, Buttons, Choices, Direct, Reply, Text

ANA = Identity.parse("ana")
COACH = Identity("slack", "T0ACME", "U0COACH")
BEN = Identity.parse("ben")


def _answer(event: Event) -> list[Reply]:
    return [
        Reply((Text("You finished the check."),)),
        Reply((Text("Ana needs help with budgets."),), to=Direct(COACH)),
        Reply((Text("Ana was assigned to you."),), to=Direct(BEN)),
        Reply((Text("Your private summary."),), to=Direct(event.identity)),
    ]


def test_direct_messages_to_other_people_are_not_printed_but_noted() -> None:
    chat = TerminalChat(handle=_answer, identity=ANA)
    out = "\n".join(chat.send("hello"))
    assert "You finished the check." in out
    assert "Your private summary." in out
    assert "Ana needs help" not in out
    assert "assigned to you" not in out
    assert "(a message for slack:T0ACME:U0COACH was not delivered" in out
    assert "(a message for ben was not delivered" in out


def test_the_inbox_is_printed_after_the_answer() -> None:
    nudge = Reply((Text("Time for a 5-minute review."),), to=Direct(ANA))
    chat = TerminalChat(handle=lambda event: [], identity=ANA, inbox=lambda: [nudge])
    assert "Time for a 5-minute review." in "\n".join(chat.send("hi"))


MENU = Reply(
    (
        Text("Pick one."),
        Buttons((Button("Start", "go", "start"), Button("Later", "go", "later"))),
        Choices("quiz", "q1", (("a", "COUNT"), ("b", "TRIM"), ("c", "SUM")), multi=True),
    )
)


def _menu_chat(seen: list[Event], replies: list[Reply] | None = None) -> TerminalChat:
    """A chat whose core records every event and answers with `replies` (the menu by default)."""

    def handle(event: Event) -> list[Reply]:
        seen.append(event)
        return [MENU] if replies is None else replies

    return TerminalChat(handle=handle, identity=ANA)


def test_typing_a_number_clicks_that_button() -> None:
    seen: list[Event] = []
    chat = _menu_chat(seen)
    assert "[1] Start   [2] Later" in "\n".join(chat.send("menu"))
    chat.send(" 2 ")
    clicked = seen[-1]
    assert isinstance(clicked, ActionClicked)
    assert (clicked.action, clicked.value) == ("go", "later")


def test_typing_several_numbers_ticks_options_of_one_list() -> None:
    seen: list[Event] = []
    chat = _menu_chat(seen)
    chat.send("menu")
    chat.send("3,5")
    clicked = seen[-1]
    assert isinstance(clicked, ActionClicked)
    assert (clicked.action, clicked.value, clicked.values) == ("quiz", "q1", ("a", "c"))
    assert chat.send("1,3") == ["Pick one option, or several options of the same list."]
    assert chat.send("9") == ["Choose a number between 1 and 5."]


def test_a_number_with_no_buttons_on_screen_is_plain_text() -> None:
    seen: list[Event] = []
    _menu_chat(seen, replies=[]).send("2")
    (typed,) = seen
    assert isinstance(typed, MessageReceived)
    assert typed.text == "2"


def test_a_saved_file_keeps_a_safe_name_and_never_overwrites(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.terminal.render import save_file

    first = save_file(tmp_path / "files", "../../etc/team report.csv", b"a,b\n")
    second = save_file(tmp_path / "files", "team report.csv", b"c,d\n")
    hidden = save_file(tmp_path / "files", "..", b"x")
    assert first == tmp_path / "files" / "team-report.csv"
    assert second == tmp_path / "files" / "team-report-2.csv"
    assert hidden == tmp_path / "files" / "file"
    assert first.read_bytes() == b"a,b\n"
    assert second.read_bytes() == b"c,d\n"


def test_a_number_out_of_range_with_one_option_says_so_plainly() -> None:
    seen: list[Event] = []
    one = [Reply((Buttons((Button("Continue", "go", "on"),)),))]
    chat = _menu_chat(seen, one)
    chat.send("hi")
    assert chat.send("2") == ["There is one option here: type 1 to choose it."]
    assert len(seen) == 1, "nothing was sent for the wrong number"
