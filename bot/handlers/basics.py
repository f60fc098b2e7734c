"""Help and (re)starting onboarding."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.replies import Reply, Section, Text


def help_command(visible: Callable[[Context], list[Command]]) -> Command:
    """`/learn help`: every subcommand the user's role may use, one line each."""

    def handle(ctx: Context, args: str) -> list[Reply]:
        lines = [f"`{c.usage}`: {c.summary}" for c in visible(ctx)]
        return [Reply((Section(msg.HELP_TITLE, "\n".join(lines)), Text(msg.HELP_FOOTER)))]

    return Command("help", "Show this list.", "/learn help", "learner", handle)


def start_command(start: Callable[[Context, str], list[Reply]]) -> Command:
    """`/learn start`: run the onboarding questions again."""
    return Command(
        "start",
        "Set up (or redo) your profile step by step.",
        "/learn start",
        "learner",
        lambda ctx, args: start(ctx, "onboarding"),
    )
