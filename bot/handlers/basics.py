"""Help and (re)starting onboarding."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.replies import Reply, Section, Text


def help_command(others: Sequence[Command]) -> Command:
    """`/learn help`: itself, then every other subcommand the user's role may use, one a line."""

    def handle(ctx: Context, args: str) -> list[Reply]:
        listed = (command, *others)
        lines = [f"`{c.usage}`: {c.summary}" for c in listed if ctx.learner.has_role(c.role)]
        return [Reply((Section(msg.HELP_TITLE, "\n".join(lines)), Text(msg.HELP_FOOTER)))]

    command = Command("help", "Show this list.", "/learn help", "learner", handle)
    return command


def start_command(start: Callable[[Context, str], list[Reply]]) -> Command:
    """`/learn start`: run the onboarding questions again."""
    return Command(
        "start",
        "Set up (or redo) your profile step by step.",
        "/learn start",
        "learner",
        lambda ctx, args: start(ctx, "onboarding"),
    )
