"""Drive the core through the terminal chat and read the conversation as a transcript."""

from __future__ import annotations

from bot.adapters.terminal.render import PlainRenderer, plain
from bot.adapters.terminal.session import open_chat
from bot.app import App
from bot.core.events import Identity
from bot.core.replies import Buttons, Choices, Reply


class ClickError(AssertionError):
    """A click names no button on screen, or more than one: the test is wrong, so it fails."""


class LabelledRenderer(PlainRenderer):
    """The terminal's renderer, also remembering the visible label of every numbered pick."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[str] = []
        self.lines: list[str] = []

    def reset(self) -> None:
        """Forget the picks, their labels and the lines that showed them, together."""
        super().reset()
        self.labels = []
        self.lines = []

    def render(self, reply: Reply) -> list[str]:
        """Render as the terminal does; note the labels in the order the numbers were given."""
        lines = super().render(reply)
        for block in reply.blocks:
            if isinstance(block, Buttons):
                self.labels += [plain(b.label) for b in block.buttons]
            elif isinstance(block, Choices):
                self.labels += [plain(label) for _, label in block.options]
        # The numbers follow block order; if the renderer ever numbered differently, say so.
        assert len(self.labels) == len(self.picks), (self.labels, self.picks)
        self.lines += lines
        return lines


def _same(label: str) -> str:
    return " ".join(plain(label).split()).casefold()


class Conversation:
    """A scripted conversation with one user; `say` and `click` return what the bot printed."""

    def __init__(self, core: App, user: str = "ana", *, role: str = "learner") -> None:
        self.core = core
        self.session = open_chat(core, Identity.parse(user), role=role, timezone="Europe/Berlin")
        self.renderer = LabelledRenderer()
        self.session.chat.renderer = self.renderer
        self.lines: list[str] = []

    def say(self, text: str) -> str:
        """Send one line; return the bot's answer as one string."""
        return self._send(text, text)

    def click(self, *labels: str, after: str = "") -> str:
        """Click the button (or tick the choices) with these labels in the last answer shown.

        Args:
            labels: Visible labels, matched whole and case-insensitively. Several labels tick
                several options of one multiple-answer list, sent together as one answer.
            after: Only buttons on or after the first line of the last answer containing this
                text count, and the first match wins (for rows that repeat a label, like the
                "Why?" of every step in a path).

        Returns:
            The bot's answer, as `say` returns it.

        Raises:
            ClickError: A label matches no button, or (without `after`) more than one.
        """
        if not labels:
            raise ClickError("click needs at least one label")
        numbers = sorted(self._number(label, after) for label in labels)
        typed = ",".join(str(n) for n in numbers)
        return self._send(typed, f"{typed} ({', '.join(labels)})")

    def _number(self, label: str, after: str) -> int:
        offered = self.renderer.labels
        matches = [n for n, shown in enumerate(offered, start=1) if _same(shown) == _same(label)]
        if after:
            start = self._line_after(after)
            matches = [n for n in matches if self._line_of(n) >= start][:1]
        if len(matches) == 1:
            return matches[0]
        listed = ", ".join(repr(shown) for shown in offered) or "none"
        where = f" after {after!r}" if after else ""
        if not matches:
            raise ClickError(f"no button {label!r}{where} in the last answer; offered: {listed}")
        raise ClickError(
            f"{len(matches)} buttons {label!r} in the last answer (numbers "
            f"{', '.join(map(str, matches))}); say which with after=...; offered: {listed}"
        )

    def _line_after(self, text: str) -> int:
        shown = self.renderer.lines
        for index, line in enumerate(shown):
            if text in line:
                return index
        raise ClickError(f"no line with {text!r} in the last answer:\n" + "\n".join(shown))

    def _line_of(self, number: int) -> int:
        marker, label = f"[{number}] ", self.renderer.labels[number - 1]
        for index, line in enumerate(self.renderer.lines):
            if marker in line and label in line:
                return index
        raise AssertionError(f"button {number} {label!r} is not on any line")

    def _send(self, typed: str, logged: str) -> str:
        out = self.session.chat.send(typed)
        self.lines += [f"> {logged}", *out]
        return "\n".join(out)

    @property
    def profile(self):  # type: ignore[no-untyped-def]
        """The stored profile of this conversation's learner."""
        services = self.core.services
        learner = services.learners.find(self.session.chat.identity)
        assert learner is not None
        return services.profiles.get(learner.id)

    @property
    def transcript(self) -> str:
        """Everything so far."""
        return "\n".join(self.lines)
