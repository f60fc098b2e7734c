"""Plain-language questions: answered from the content library, or an honest "I don't know"."""

from __future__ import annotations

from typing import Any

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.events import ActionClicked
from bot.core.replies import Button, Buttons, Note, Reply, Text, say
from bot.features.module_page import link_for
from bot.features.profile import audience_of

__all__ = ["COMMAND", "audience_of", "handle_feedback", "handle_question"]

FEEDBACK_ACTION = "answer"


def handle_question(ctx: Context, text: str) -> list[Reply]:
    """Answer a question from the library, with citations and feedback buttons."""
    if ctx.services.library is None:
        return [say(msg.NO_LIBRARY)]
    library = ctx.services.library.get()
    if not library.content.has_chunks():
        return [say(msg.NO_LIBRARY)]
    result = library.ask(text, roles=audience_of(ctx.services, ctx.learner))
    if not result.confident:
        library.content.record_gap(text, learner_id=ctx.learner.id, best_score=0.0, now=ctx.now)
        ctx.services.activity.record(
            ctx.learner.id, "asked", detail={"answered": False}, now=ctx.now
        )
        return [_no_answer(result)]
    sources = [{"module_id": s.module_id, "section": s.section} for s in result.sources]
    answer_id = library.content.record_answer(
        learner_id=ctx.learner.id, question=text, sources=sources, now=ctx.now
    )
    ctx.services.activity.record(ctx.learner.id, "asked", detail={"answered": True}, now=ctx.now)
    return [_answer(ctx, result, answer_id)]


def _answer(ctx: Context, result: Any, answer_id: str) -> Reply:
    cites = "\n".join(
        f"[{n}] [{s.title} › {s.section or 'Introduction'}]({s.link})"
        for n, s in enumerate(result.sources, start=1)
    )
    first = result.sources[0]
    return Reply(
        (Text(result.answer), Note(cites), Buttons((*_feedback(answer_id), _open(ctx, first)))),
        summary=result.answer[:150],
    )


def _feedback(answer_id: str) -> tuple[Button, Button]:
    return (
        Button(msg.HELPFUL, FEEDBACK_ACTION, f"{answer_id}:yes"),
        Button(msg.NOT_HELPFUL, FEEDBACK_ACTION, f"{answer_id}:no"),
    )


def _open(ctx: Context, source: Any) -> Button:
    """The module page at the cited section when it may be linked here (a personal link in a
    direct message; in a channel only for a module for everyone, naming nobody), else the
    module's own address."""
    page = link_for(
        ctx.services,
        source.module_id,
        learner_id=ctx.learner.id,
        channel=ctx.event.channel,
        now=ctx.now,
        anchor=source.link.partition("#")[2],
    )
    if page is not None:
        return Button(msg.OPEN_FULL_MODULE, "open", url=page)
    return Button(msg.OPEN_MODULE.format(title=source.title[:40]), "open", url=source.link)


def _no_answer(result: Any) -> Reply:
    blocks: list[Any] = [Text(msg.NO_ANSWER)]
    if result.related:
        related = "\n".join(f"• [{s.title}]({s.link})" for s in result.related)
        blocks.append(Note(msg.RELATED.format(modules=related)))
    return Reply(tuple(blocks))


def handle_feedback(ctx: Context, event: ActionClicked) -> list[Reply]:
    """Store Helpful / Not helpful for the learner's own answer."""
    answer_id, _, verdict = event.value.partition(":")
    if ctx.services.library is None or verdict not in {"yes", "no"}:
        raise UserError(msg.STALE_BUTTON)
    if not ctx.services.library.get().content.rate_answer(
        answer_id, learner_id=ctx.learner.id, helpful=verdict == "yes"
    ):
        raise UserError(msg.NOT_YOUR_DIALOG)
    return [say(msg.THANKS_FEEDBACK)]


COMMAND = Command(
    "ask",
    "Ask a question about the learning library.",
    "/learn ask QUESTION",
    "learner",
    handle_question,
    needs_args=True,
)
