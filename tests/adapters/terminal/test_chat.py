"""The terminal chat shows the typing user their own replies, never other people's messages."""

from __future__ import annotations

from bot.adapters.terminal.chat import TerminalChat
from bot.core.events import Event, Identity
from bot.core.replies import Direct, Reply, Text

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
