"""Drive the core through the terminal chat and read the conversation as a transcript."""

from __future__ import annotations

from bot.adapters.terminal.session import open_chat
from bot.app import App
from bot.core.events import Identity


class Conversation:
    """A scripted conversation with one user; `say` returns what the bot printed."""

    def __init__(self, core: App, user: str = "ana", *, role: str = "learner") -> None:
        self.core = core
        self.session = open_chat(core, Identity.parse(user), role=role, timezone="Europe/Berlin")
        self.lines: list[str] = []

    def say(self, text: str) -> str:
        """Send one line; return the bot's answer as one string."""
        out = self.session.chat.send(text)
        self.lines += [f"> {text}", *out]
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
