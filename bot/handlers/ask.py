"""Plain-language questions: answered from the content library, or an honest "I don't know"."""

from __future__ import annotations

from bot import messages as msg
from bot.core import Command, Context
from bot.replies import Reply, say


def handle_question(ctx: Context, text: str) -> list[Reply]:
    """Answer a question from the library."""
    library = ctx.services.feature("library")
    if library is None:
        return [say(msg.NO_LIBRARY)]
    answered: list[Reply] = library.answer_replies(ctx, text)
    return answered


COMMAND = Command(
    "ask",
    "Ask a question about the learning library.",
    "/learn ask QUESTION",
    "learner",
    handle_question,
    needs_args=True,
)
