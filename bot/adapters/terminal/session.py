"""Wires a terminal chat to the core: identity, local role, interactive loop and replays."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from bot.adapters.terminal.chat import TerminalChat, run_script
from bot.adapters.terminal.render import Pick, PlainRenderer
from bot.app import App
from bot.core.clock import Clock
from bot.core.events import Identity, UserInfo
from bot.core.replies import Reply
from bot.storage.terminal import TerminalPromptRepository

PROMPT = "you> "


@dataclass
class ChatSession:
    """A terminal chat bound to a built core."""

    chat: TerminalChat

    def replay(self, lines: Iterable[str]) -> list[str]:
        """Run scripted input and return the transcript."""
        return run_script(self.chat, lines)

    def interactive(self, stdin: TextIO, echo: Callable[[str], None]) -> None:
        """Read lines until end of input or `/quit`; uses line editing on a real terminal."""
        echo("learnbot terminal chat. Type /learn help, ask a question, or /quit to leave.")
        for line in _lines(stdin):
            if line.strip() in {"/quit", "/exit"}:
                break
            for out in self.chat.send(line):
                echo(out)
            echo("")
        echo("Bye!")


def _lines(stdin: TextIO) -> Iterator[str]:
    if not stdin.isatty():
        yield from (line.rstrip("\n") for line in stdin)
        return
    import readline  # noqa: F401  (enables line editing and history for input())

    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            return


def open_chat(
    core: App, identity: Identity, *, role: str, timezone: str = "", email: str = ""
) -> ChatSession:
    """Resolve the local user (granting the requested role: the terminal is trusted).

    `email` puts the terminal user in the org chart (a manager sees their team); like every
    email it links identities only within one organisation, here the terminal's users.
    """
    services = core.services
    now = services.clock.now()
    info = UserInfo(display_name=identity.user_id.capitalize(), timezone=timezone, email=email)
    learner = services.learners.resolve(identity, info, now=now)
    if identity.platform == "terminal":
        # Added to what the user already holds, so `/learn admin grant` survives a restart.
        wanted = {"learner", role} if role != "admin" else {"learner", "manager", "admin"}
        services.learners.set_roles(learner.id, learner.roles | wanted, now=now)
    chat = TerminalChat(
        handle=core.router.handle,
        identity=identity,
        user=info,
        renderer=PlainRenderer(files=core.settings.home / "files"),
        inbox=_inbox(core, learner.id),
        memory=StoredPicks(TerminalPromptRepository(services.engine), learner.id, services.clock),
    )
    return ChatSession(chat)


def _inbox(core: App, learner_id: str) -> Callable[[], list[Reply]] | None:
    """Nudges the worker delivered to this terminal user, when the nudge feature is present."""
    services = core.services
    nudges = services.nudges
    if nudges is None:
        return None

    def unseen() -> list[Reply]:
        return nudges.get().terminal_inbox(learner_id, now=services.clock.now())

    return unseen


@dataclass
class StoredPicks:
    """The terminal user's numbered buttons, kept in the database between runs."""

    prompts: TerminalPromptRepository
    learner_id: str
    clock: Clock

    def load(self) -> list[Pick]:
        """The buttons of the last answer the previous run printed."""
        known = {f.name for f in dataclasses.fields(Pick)}
        stored = self.prompts.load(self.learner_id)
        return [Pick(**{k: v for k, v in p.items() if k in known}) for p in stored]

    def save(self, picks: list[Pick]) -> None:
        """Remember the buttons just printed."""
        stored = [dataclasses.asdict(p) for p in picks]
        self.prompts.save(self.learner_id, stored, now=self.clock.now())
