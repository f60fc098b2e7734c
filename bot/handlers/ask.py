"""Plain-language questions: answered from the content library, or an honest "I don't know"."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.events import ActionClicked
from bot.core.ports import LibraryPort
from bot.core.replies import Button, Buttons, Note, Reply, Text, say
from bot.features.gaps import GapLog
from bot.features.module_page import link_for
from bot.features.profile import audience_of
from bot.features.questions import (
    content_words,
    conversation_key,
    follow_up_query,
    is_content_question,
)
from bot.storage.questions import LastQuestion

__all__ = ["COMMAND", "audience_of", "handle_feedback", "handle_question"]

FEEDBACK_ACTION = "answer"


def handle_question(ctx: Context, text: str) -> list[Reply]:
    """Answer a question from the library, with citations and feedback buttons.

    A short follow-up in a direct message or thread, within ten minutes of the previous
    question there, is read with that question's content words and module (rewritten as a
    standalone question by the chat model when one is configured). A message that
    asks about nothing (a command, a number, a greeting, thanks, an emoji) gets a pointer to
    what the bot does; it is neither searched nor recorded as a content gap.
    """
    query, module = _with_topic(ctx, text)
    if not is_content_question(query):
        return [say(msg.NOT_A_QUESTION)]
    if ctx.services.library is None:
        return [say(msg.NO_LIBRARY)]
    library = ctx.services.library.get()
    if not library.content.has_chunks():
        return [say(msg.NO_LIBRARY)]
    if query == text:  # the same question again within a minute: the last answer did not help
        _gap_log(ctx, library).reasked(ctx.learner.id, query, now=ctx.now)
    result = library.ask(query, roles=audience_of(ctx.services, ctx.learner), prefer=module)
    _remember(ctx, query, result)
    # A follow-up is recorded (gap or answer) with the topic it was read with.
    if not result.confident:
        if not result.reduced:  # a reduced search is not evidence of a gap in the library
            library.content.record_gap(
                query, learner_id=ctx.learner.id, best_score=0.0, now=ctx.now
            )
        ctx.services.activity.record(
            ctx.learner.id, "asked", detail={"answered": False}, now=ctx.now
        )
        return [_reduced(result, _no_answer(result))]
    sources = [{"module_id": s.module_id, "section": s.section} for s in result.sources]
    answer_id = library.content.record_answer(
        learner_id=ctx.learner.id, question=query, sources=sources, now=ctx.now
    )
    ctx.services.activity.record(ctx.learner.id, "asked", detail={"answered": True}, now=ctx.now)
    return [_reduced(result, _answer(ctx, result, answer_id))]


def _reduced(result: Any, reply: Reply) -> Reply:
    """The reply with a note that search runs in reduced mode, when it did."""
    if not result.reduced:
        return reply
    return replace(reply, blocks=(*reply.blocks, Note(msg.SEARCH_REDUCED)))


def _with_topic(ctx: Context, text: str) -> tuple[str, str | None]:
    """The question to search, with the previous question's topic when this is a follow-up,
    and the module that question was answered from."""
    conversation = conversation_key(ctx.event.channel)
    if conversation is None:
        return text, None
    previous = ctx.services.last_questions.recall(ctx.learner.id, conversation)
    query = follow_up_query(text, previous, now=ctx.now) if previous else None
    if previous is None or query is None:
        return text, None
    # With a chat model configured, the follow-up is rewritten as a standalone question.
    library = ctx.services.library
    rewritten = library.get().standalone_question(previous.question, text) if library else None
    return rewritten or query, previous.module_id


def _remember(ctx: Context, query: str, result: Any) -> None:
    conversation = conversation_key(ctx.event.channel)
    if conversation is None:
        return
    best = result.sources or result.related
    module = best[0].module_id if best else None
    last = LastQuestion(query, tuple(content_words(query)), module, ctx.now)
    ctx.services.last_questions.remember(ctx.learner.id, conversation, last)


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
    """No confident answer: say so; when some modules came close, offer up to three."""
    if not result.related:
        return Reply((Text(msg.NO_ANSWER),))
    related = "\n".join(f"• [{s.title}]({s.link})" for s in result.related[:3])
    return Reply((Text(msg.UNSURE), Note(msg.MAY_HELP.format(modules=related))))


def handle_feedback(ctx: Context, event: ActionClicked) -> list[Reply]:
    """Store Helpful / Not helpful for the learner's own answer.

    Not helpful also lowers the cited passages for similar questions and files the question
    in the content-gap log as answered badly (once per answer).
    """
    answer_id, _, verdict = event.value.partition(":")
    if ctx.services.library is None or verdict not in {"yes", "no"}:
        raise UserError(msg.STALE_BUTTON)
    library = ctx.services.library.get()
    log = _gap_log(ctx, library)
    answer = log.repo.answer(answer_id)
    if answer is None:
        raise UserError(msg.FEEDBACK_UNKNOWN)
    helpful = verdict == "yes"
    if not library.content.rate_answer(answer_id, learner_id=ctx.learner.id, helpful=helpful):
        raise UserError(msg.NOT_YOUR_DIALOG)
    if helpful:
        return [say(msg.THANKS_FEEDBACK)]
    log.not_helpful(answer, reason="not helpful", now=ctx.now)
    return [say(msg.THANKS_NOT_HELPFUL)]


def _gap_log(ctx: Context, library: LibraryPort) -> GapLog:
    return GapLog(ctx.services.gaps, library)


COMMAND = Command(
    "ask",
    "Ask a question about the learning library.",
    "/learn ask QUESTION",
    "learner",
    handle_question,
    needs_args=True,
)
