"""The local terminal chat: typed lines become core events; replies are printed as text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from bot.adapters.terminal.render import Pick, PlainRenderer
from bot.core import messages as msg
from bot.core.events import (
    ActionClicked,
    Channel,
    CommandInvoked,
    Event,
    Identity,
    MessageReceived,
    UserInfo,
)
from bot.core.replies import Direct, Reply, Text

_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")


class PickMemory(Protocol):
    """Keeps what each typed number stands for between runs of the terminal chat."""

    def load(self) -> list[Pick]:
        """The numbered buttons of the last answer printed to this user, in order."""
        ...

    def save(self, picks: list[Pick]) -> None:
        """Remember the numbered buttons just printed (an empty list when there were none)."""
        ...


@dataclass
class TerminalChat:
    """One person's chat with the core in a terminal.

    Args:
        handle: The router's `handle`.
        identity: Who is typing.
        user: What the "platform" reports about them (name, time zone).
        inbox: Messages delivered to this terminal while the user typed (nudges), printed
            after each answer, before the next prompt.
        memory: Where the numbered buttons of the last answer are kept, so a number typed
            after `learnbot chat` restarts still picks a button of the last prompt.

    A `Direct` reply the core addresses to someone else (a coach, a manager) is not shown:
    the terminal has no way to reach them, so a note line says it was not delivered.
    """

    handle: Callable[[Event], list[Reply]]
    identity: Identity
    user: UserInfo = field(default_factory=UserInfo)
    renderer: PlainRenderer = field(default_factory=PlainRenderer)
    inbox: Callable[[], list[Reply]] | None = None
    memory: PickMemory | None = None

    def __post_init__(self) -> None:
        self._channel = Channel(id=f"dm-{self.identity.user_id}", is_direct=True)
        self._restored = False

    def send(self, line: str) -> list[str]:
        """Process one typed line and return the printed answer."""
        self._restore()
        event = self._event(line)
        if isinstance(event, str):
            return [event]
        replies = [self._for_me(reply) for reply in self.handle(event)]
        if self.inbox is not None:
            replies = replies + self.inbox()
        self.renderer.reset()
        out: list[str] = []
        for reply in replies:
            if out:
                out.append("")
            out.extend(self.renderer.render(reply))
        if self.memory is not None:
            self.memory.save(list(self.renderer.picks))
        return out

    def _restore(self) -> None:
        """Before the first line of a run, take back the buttons the last run printed."""
        if self._restored:
            return
        self._restored = True
        if self.memory is not None and not self.renderer.picks:
            self.renderer.picks = self.memory.load()

    def _for_me(self, reply: Reply) -> Reply:
        """The reply itself, or a note in its place when it is addressed to someone else."""
        if not isinstance(reply.to, Direct) or reply.to.identity == self.identity:
            return reply
        who = reply.to.identity
        name = who.user_id if who.platform == "terminal" else who.key
        return Reply((Text(msg.TERMINAL_DIRECT_ELSEWHERE.format(who=name)),))

    def _event(self, line: str) -> Event | str:
        who = {"identity": self.identity, "channel": self._channel, "user": self.user}
        stripped = line.strip()
        if stripped.lower().startswith("/learn"):
            return CommandInvoked(**who, text=stripped[len("/learn") :].strip())  # type: ignore[arg-type]
        if self.renderer.picks and _NUMBERS.match(stripped):
            return self._pick(who, [int(n) for n in re.split(r"[, ]+", stripped)])
        return MessageReceived(**who, text=line)  # type: ignore[arg-type]

    def _pick(self, base: dict[str, object], numbers: list[int]) -> Event | str:
        picks = self.renderer.picks
        if any(not 1 <= n <= len(picks) for n in numbers):
            if len(picks) == 1:
                return msg.TERMINAL_ONE_OPTION
            return msg.TERMINAL_PICK_RANGE.format(count=len(picks))
        chosen = [picks[n - 1] for n in numbers]
        first = chosen[0]
        if first.url:
            return msg.TERMINAL_OPEN.format(url=first.url)
        if len(chosen) > 1 and not all(p.multi and p.value == first.value for p in chosen):
            return msg.TERMINAL_ONE_LIST
        return self._click(base, first, chosen)

    @staticmethod
    def _click(base: dict[str, object], first: Pick, chosen: list[Pick]) -> ActionClicked:
        values = tuple(p.option for p in chosen if p.option)
        value = first.value
        if first.option and not first.multi:
            value, values = first.value, (first.option,)
        return ActionClicked(**base, action=first.action, value=value, values=values)  # type: ignore[arg-type]


def run_script(chat: TerminalChat, lines: Iterable[str]) -> list[str]:
    """Replay input lines and return the transcript (`> input`, then the answer)."""
    transcript: list[str] = []
    for line in lines:
        if line.startswith("#"):
            continue
        transcript.append(f"> {line}")
        transcript.extend(chat.send(line))
        transcript.append("")
    return transcript
