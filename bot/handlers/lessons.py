"""`/learn study [MODULE]`, opening a lesson from elsewhere, ratings, and the admins' report.

A lesson opens where the learner left off: in the lesson dialog still open for the module,
or at the card stored when they paused or were interrupted. `/learn next`, a nudge's Start
button and the Home tab's next step open lessons through `open_lesson`.
"""

from __future__ import annotations

import json

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.core.events import ActionClicked
from bot.core.names import Named
from bot.core.replies import Reply, Section, say
from bot.dialogs.engine import DialogEngine
from bot.dialogs.lesson import (
    FLOWS,
    KIND,
    RATE_ACTION,
    RATINGS,
    REVIEW_ACTION,
    LessonGone,
    load,
)
from bot.features.lessons import AmbiguousModule, UnknownModule, lesson_service
from bot.features.names import resolve
from bot.handlers.ask import audience_of
from bot.handlers.paths import service as path_service
from bot.storage.lessons import LessonStats

MAX_REPORT_LINES = 40


def _engine() -> DialogEngine:
    # The flow is stateless and all state is in the dialog row (see handlers/quiz.py).
    return DialogEngine(FLOWS)


def handle_study(ctx: Context, args: str) -> list[Reply]:
    """`/learn study [MODULE]`: the named module's lesson; alone, the lesson left unfinished
    most recently, else the current path step's."""
    key = args.strip()
    module_id = _visible(ctx, key) if key else _current_module(ctx)
    opened = open_lesson(ctx, module_id)
    if opened is None:
        title = ctx.services.content.get(module_id)
        name = title.meta.title if title is not None else module_id
        raise UserError(msg.LESSON_NO_LESSON.format(title=name))
    return opened


def open_lesson(
    ctx: Context, module_id: str, *, intro: str = "", card: int | None = None
) -> list[Reply] | None:
    """Open a module's lesson where the learner left off (or at `card`, from 1); None when it
    has no lesson cards.

    The caller has checked that the learner may see the module.
    """
    try:
        lesson = load(ctx, module_id)
    except LessonGone:
        return None
    _mark_started(ctx, module_id)
    engine = _engine()
    active = ctx.services.dialogs.active(ctx.learner.id, KIND)
    total = len(lesson.cards)
    if card is not None:
        at = min(max(card - 1, 0), total - 1)
        head = msg.LESSON_REVIEWING.format(title=lesson.title, n=at + 1, total=total)
        spec = {"module": module_id, "at": at, "intro": head}
        return engine.start(ctx, KIND, json.dumps(spec))
    if active is not None and active.state.get("module") == module_id:
        at = min(int(active.state.get("at", 0)), total - 1)
        head = msg.LESSON_RESUMING.format(title=lesson.title, n=at + 1, total=total)
        lead = [say(f"{intro}\n{head}" if intro else head)]
        return [*lead, *engine.resume(ctx, active)]
    position = ctx.services.lesson_progress.position(ctx.learner.id, module_id)
    resume = position is not None and position.finished_at is None and position.card > 0
    at = min(position.card, total - 1) if resume and position is not None else 0
    if resume:
        head = msg.LESSON_RESUMING.format(title=lesson.title, n=at + 1, total=total)
    else:
        cards = msg.plural(total, "card")
        minutes = msg.plural(lesson.minutes_left(0), "minute")
        # After "Next: TITLE", the size alone; on its own, the title too.
        starting = msg.LESSON_SIZE if intro else msg.LESSON_STARTING
        head = starting.format(title=lesson.title, cards=cards, minutes=minutes)
    spec = {"module": module_id, "at": at, "intro": f"{intro}\n{head}" if intro else head}
    return engine.start(ctx, KIND, json.dumps(spec))


def _mark_started(ctx: Context, module_id: str) -> None:
    """A module studied counts as started, unless it is already finished."""
    repo = ctx.services.path_records
    status = next((p.status for p in repo.progress(ctx.learner.id) if p.module_id == module_id), "")
    if status in ("", "skipped", "started"):
        repo.mark(ctx.learner.id, module_id, "started", now=ctx.now)


def _visible(ctx: Context, key: str) -> str:
    """The module the learner named, among those they may see (others are never named)."""
    from retrieval.hybrid import visible_to  # numpy stays out of the command path

    audience = audience_of(ctx.services, ctx.learner)
    try:
        record = lesson_service(ctx.services).find(
            key, visible=lambda r: visible_to(r.meta.audience, audience)
        )
    except AmbiguousModule:
        raise
    except UnknownModule:
        # Not an id, a whole title or a source path: an unambiguous title prefix, among the
        # live modules the learner may see.
        visible = [
            Named(r.meta.id, r.meta.title)
            for r in ctx.services.content.modules()
            if visible_to(r.meta.audience, audience)
        ]
        unknown = msg.STUDY_UNKNOWN.format(key=key[:200])
        return resolve(key, visible, kind="module", unknown=unknown).id
    return record.meta.id


def _current_module(ctx: Context) -> str:
    """What `/learn study` alone opens: the lesson open or left unfinished most recently, else
    the path step the learner is on (the latest started and unfinished, else the next)."""
    active = ctx.services.dialogs.active(ctx.learner.id, KIND)
    if active is not None and active.state.get("module"):
        return str(active.state["module"])
    for module_id in ctx.services.lesson_progress.unfinished(ctx.learner.id):
        try:
            return _visible(ctx, module_id)
        except NotFound:
            continue  # retired, or no longer for this learner's audience
    paths = path_service(ctx)
    step = paths.current_step(paths.plan(ctx.learner.id, now=ctx.now))
    if step is None:
        raise UserError(msg.LESSON_NOTHING_TO_STUDY)
    return step.module_id


def on_review(ctx: Context, event: ActionClicked) -> list[Reply]:
    """ "Review card N of ..." after a failed check: the lesson at the card that covers it."""
    module_id, _, number = event.value.rpartition(":")
    if not module_id or not number.isdigit():
        raise UserError(msg.STALE_BUTTON)
    opened = open_lesson(ctx, _visible(ctx, module_id), card=int(number))
    if opened is None:
        raise UserError(msg.LESSON_GONE)
    return opened


def on_rate(ctx: Context, event: ActionClicked) -> list[Reply]:
    """Useful / Not useful / Too long at the end of a lesson: stored, once per learner."""
    module_id, _, rating = event.value.rpartition(":")
    if rating not in RATINGS or not module_id:
        raise UserError(msg.STALE_BUTTON)
    repo = ctx.services.lesson_progress
    if not repo.rate(ctx.learner.id, module_id, rating, now=ctx.now):
        raise UserError(msg.LESSON_RATE_STALE)
    repo.log(ctx.learner.id, module_id, "rate", card=0, value=rating, now=ctx.now)
    return [say(msg.LESSON_RATED)]


def admin_lessons(ctx: Context, words: list[str]) -> list[Reply]:
    """`/learn admin lessons`: per module, started, finished and the card learners leave on."""
    stats = ctx.services.lesson_progress.stats()
    if not stats:
        return [say(msg.LESSON_ADMIN_EMPTY)]
    lines = [report_line(ctx, s) for s in stats[:MAX_REPORT_LINES]]
    if len(stats) > MAX_REPORT_LINES:
        lines.append(msg.AND_MORE.format(count=len(stats) - MAX_REPORT_LINES))
    return [Reply((Section(msg.LESSON_ADMIN_TITLE, "\n".join(lines)),))]


def report_line(ctx: Context, s: LessonStats) -> str:
    """One module's line of the lessons report."""
    record = ctx.services.content.get(s.module_id)
    title = record.meta.title if record is not None else s.module_id
    left = ""
    if s.left_on is not None:
        left = msg.LESSON_ADMIN_LEFT.format(card=s.left_on[0], count=s.left_on[1])
    ratings = ""
    if s.ratings:
        listed = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in sorted(s.ratings.items()))
        ratings = msg.LESSON_ADMIN_RATINGS.format(ratings=listed)
    answers = ""
    if s.answers:
        answers = msg.LESSON_ADMIN_ANSWERS.format(
            answers=s.answers, correct=round(100 * s.correct / s.answers)
        )
    return msg.LESSON_ADMIN_LINE.format(
        title=title,
        module=s.module_id,
        started=s.started,
        finished=s.finished,
        left=left,
        ratings=ratings,
        answers=answers,
    )


ACTIONS = {RATE_ACTION: on_rate, REVIEW_ACTION: on_review}
STUDY_COMMAND = Command(
    "study",
    "Study a module in the chat, card by card (alone: pick up where you left off).",
    "/learn study [MODULE]",
    "learner",
    handle_study,
)
