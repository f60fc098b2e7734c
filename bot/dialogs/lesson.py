"""The lesson dialog: a module studied card by card, with practice questions and a closing check.

The state is the module and the card the learner is on; the cards are read again from the
library at every step, so a module re-ingested mid-lesson shows its new cards and a module
retired mid-lesson ends the lesson with a clear message. Everything a step records (the
position, card views, practice answers, the finish) runs as a step effect, after the
engine's optimistic save: a double click moves one card and records one answer.

Buttons: Continue (always first, so a script of `1` lines reads a whole module), Back,
"Skip this part" (only when the learner has shown mastery of the module's topic), Pause, and
on the last card the mastery check. A practice card shows the question's options first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.core.replies import Block, Button, Buttons, Note, Progress, Reply, Text, say
from bot.dialogs.engine import DialogRef, Step
from bot.dialogs.quiz_view import feedback_reply
from bot.features.lessons import (
    Lesson,
    LessonCard,
    NoCards,
    lesson_service,
    record_practice,
    shown_mastery,
)
from bot.features.module_page import link_for
from bot.features.quiz.learner_model import quiz_competencies
from learning.items import Item

STATE_VERSION = 1
KIND = "lesson"
NEXT, BACK, SKIP, PAUSE, CHECK, LATER, PASS = (
    "next",
    "back",
    "skip",
    "pause",
    "check",
    "later",
    "pass",
)
# The button that shows the path's next step (the path handlers route it).
NEXT_STEP_ACTION = "path.next"
RATE_ACTION = "lesson.rate"
REVIEW_ACTION = "lesson.open"  # value "MODULE:N": the lesson opened at card N
OPEN_PAGE_ACTION = "path.open"  # a link button: the platform opens it; the click is logged
RATINGS = ("useful", "not_useful", "too_long")
MAX_CARD_SECONDS = 1800.0  # longer on one card is time away, not reading time
Effect = Callable[[], None]


class LessonGone(Exception):
    """The module was retired or deleted, or has no lesson cards (stored before lessons)."""


def load(ctx: Context, module_id: str) -> Lesson:
    """The module's lesson as it is now.

    Raises:
        LessonGone: The module is retired, deleted or has no cards any more.
    """
    service = lesson_service(ctx.services)
    record = ctx.services.content.get(module_id)
    if record is None or record.retired:
        raise LessonGone(module_id)
    try:
        lesson = service.lesson(module_id)
    except (NotFound, NoCards) as err:
        raise LessonGone(module_id) from err
    if not lesson.cards:
        raise LessonGone(module_id)
    if ctx.services.mastery_check is None and lesson.cards[-1].kind == "check":
        lesson = _without_check(lesson)
    return lesson


def _without_check(lesson: Lesson) -> Lesson:
    return replace(lesson, cards=lesson.cards[:-1], check_competency="")


class LessonFlow:
    """Shows one card a step; `state["at"]` is the card's index."""

    kind = KIND
    closed = msg.LESSON_CARD_CLOSED

    def start(self, ctx: Context, ref: DialogRef, args: str) -> Step:
        """Open the lesson at the card given by the handler (where the learner left off)."""
        spec = json.loads(args)
        module_id = str(spec["module"])
        try:
            lesson = load(ctx, module_id)
        except LessonGone:
            return Step({}, [say(msg.LESSON_GONE)], done=True)
        at = min(max(int(spec.get("at", 0)), 0), len(lesson.cards) - 1)
        skip_for = shown_mastery(ctx.services, ctx.learner.id, lesson.competencies)
        state: dict[str, Any] = {
            "v": STATE_VERSION,
            "module": module_id,
            "at": at,
            "feedback": False,
            "skip": skip_for,
            "shown_at": ctx.now.isoformat(),
        }
        intro = [say(spec["intro"])] if spec.get("intro") else []
        replies = [*intro, *self._card(ctx, ref, lesson, state)]
        return Step(state, replies, effects=(self._moved(ctx, lesson, state),))

    def prompt(self, ctx: Context, ref: DialogRef, state: dict[str, Any]) -> list[Reply]:
        """The current card again (or its feedback's Continue after a practice answer)."""
        try:
            lesson = load(ctx, state["module"])
        except LessonGone:
            return [say(msg.LESSON_GONE)]
        state = {**state, "at": min(state["at"], len(lesson.cards) - 1)}
        if state.get("feedback"):
            return [Reply((Text(msg.LESSON_AFTER_PRACTICE), self._continue_row(ref)))]
        return self._card(ctx, ref, lesson, state)

    def on_action(
        self,
        ctx: Context,
        ref: DialogRef,
        state: dict[str, Any],
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        """Continue, Back, Skip, Pause, an answer, or the closing check."""
        try:
            lesson = load(ctx, state["module"])
        except LessonGone:
            return Step(state, [say(msg.LESSON_GONE)], done=True)
        at = min(int(state["at"]), len(lesson.cards) - 1)
        state = {**state, "at": at}
        card = lesson.cards[at]
        if choice == PAUSE:
            return self._pause(ctx, lesson, state)
        if choice == CHECK and card.kind == "check":
            return self._check(ctx, lesson, state)
        if choice == LATER and card.kind == "check":
            return Step(state, [say(msg.LESSON_CHECK_LATER.format(title=lesson.title))], True)
        if choice == BACK:
            return self._go(ctx, ref, lesson, state, _previous(lesson, at))
        if choice == SKIP and state.get("skip") and card.kind != "check":
            target = lesson.next_section(at)
            log = self._log(ctx, lesson.module_id, "skip", at)
            return self._go(ctx, ref, lesson, state, target, extra=(log,))
        if card.kind == "practice" and not state.get("feedback") and choice not in (NEXT, PASS):
            return self._answer(ctx, ref, lesson, state, card, choice, values)
        if choice in (NEXT, PASS):
            return self._go(ctx, ref, lesson, state, at + 1)
        return Step(state, [say(msg.LESSON_USE_BUTTONS), *self._card(ctx, ref, lesson, state)])

    def on_text(
        self, ctx: Context, ref: DialogRef, state: dict[str, Any], text: str
    ) -> Step | None:
        """Typed text is a question for the library, not part of the lesson."""
        return None

    # -- steps --------------------------------------------------------------------------

    def _go(
        self,
        ctx: Context,
        ref: DialogRef,
        lesson: Lesson,
        state: dict[str, Any],
        target: int,
        *,
        extra: tuple[Effect, ...] = (),
    ) -> Step:
        """Move to card `target`; past the last card, the lesson is finished."""
        viewed = self._viewed(ctx, lesson.module_id, state)
        if target >= len(lesson.cards):
            return self._finish(ctx, lesson, state, (*extra, viewed))
        new = {**state, "at": target, "feedback": False, "shown_at": ctx.now.isoformat()}
        effects: list[Effect] = [*extra, viewed, self._moved(ctx, lesson, new)]
        if lesson.cards[target].kind == "check":
            effects.append(self._finished(ctx, lesson))
        return Step(new, self._card(ctx, ref, lesson, new), effects=tuple(effects))

    def _answer(
        self,
        ctx: Context,
        ref: DialogRef,
        lesson: Lesson,
        state: dict[str, Any],
        card: LessonCard,
        choice: str,
        values: tuple[str, ...],
    ) -> Step:
        item = ctx.services.items.get(card.item_id)
        if item is None:  # retired from the bank since the card was shown: move on
            return self._go(ctx, ref, lesson, state, state["at"] + 1)
        chosen = frozenset(values) if choice == "choices" else frozenset({choice})
        if not chosen or not chosen <= {o.id for o in item.options}:
            replies = [say(msg.LESSON_USE_BUTTONS), *self._card(ctx, ref, lesson, state)]
            return Step(state, replies)
        dialog_id, at, learner_id, now = ref.dialog_id, state["at"], ctx.learner.id, ctx.now

        def record() -> None:
            record_practice(
                ctx.services,
                learner_id=learner_id,
                item=item,
                chosen=chosen,
                module_id=lesson.module_id,
                card=at + 1,
                dialog_id=dialog_id,
                now=now,
            )

        # The feedback takes the question's place (where the platform can update a message),
        # with Continue under it.
        feedback = feedback_reply(item, chosen, item.is_correct(chosen))
        feedback = replace(feedback, blocks=(*feedback.blocks, self._continue_row(ref)))
        return Step({**state, "feedback": True}, [feedback], effects=(record,))

    def _pause(self, ctx: Context, lesson: Lesson, state: dict[str, Any]) -> Step:
        at = state["at"]
        text = msg.LESSON_PAUSED.format(
            n=at + 1, total=len(lesson.cards), title=lesson.title, module=lesson.module_id
        )
        effects = (
            self._viewed(ctx, lesson.module_id, state),
            self._log(ctx, lesson.module_id, "pause", at),
        )
        return Step(state, [say(text)], done=True, effects=effects)

    def _check(self, ctx: Context, lesson: Lesson, state: dict[str, Any]) -> Step:
        """Close the lesson and start its mastery check (a dialog of its own)."""
        check = ctx.services.mastery_check
        if check is None or not lesson.check_competency:
            return Step(state, [say(msg.CHECKS_NOT_AVAILABLE)], done=True)
        replies = check(ctx, lesson.check_competency, lesson.module_id)
        return Step(
            state, replies, done=True, effects=(self._viewed(ctx, lesson.module_id, state),)
        )

    def _finish(
        self, ctx: Context, lesson: Lesson, state: dict[str, Any], effects: tuple[Effect, ...]
    ) -> Step:
        """The end of a lesson without a check: the module is done."""
        learner_id, module_id, now = ctx.learner.id, lesson.module_id, ctx.now
        services = ctx.services

        def mark_done() -> None:
            services.path_records.mark(learner_id, module_id, "done", now=now)
            services.activity.record(learner_id, "module.done", object_id=module_id, now=now)

        blocks: list[Block] = [
            Text(msg.LESSON_FINISHED.format(title=lesson.title)),
            Buttons((Button(msg.LESSON_NEXT_STEP, NEXT_STEP_ACTION, style="primary"),)),
            *rating_blocks(module_id),
        ]
        done = (*effects, self._finished(ctx, lesson), mark_done)
        return Step(state, [Reply(tuple(blocks), summary=msg.LESSON_FINISHED_SHORT)], True, done)

    # -- what is shown ------------------------------------------------------------------

    def _card(
        self, ctx: Context, ref: DialogRef, lesson: Lesson, state: dict[str, Any]
    ) -> list[Reply]:
        at = state["at"]
        card = lesson.cards[at]
        total = len(lesson.cards)
        label = msg.LESSON_PROGRESS.format(
            n=at + 1, total=total, minutes=msg.plural(lesson.minutes_left(at), "minute")
        )
        blocks: list[Block] = [Progress(label, value=at, total=total)]
        summary = f"{lesson.title}: {label}"
        if card.kind == "practice":
            item = ctx.services.items.get(card.item_id)
            if item is not None:
                blocks += _practice_blocks(ref, item)
                return [Reply(tuple(blocks), summary=summary)]
            blocks.append(Text(msg.LESSON_PRACTICE_GONE))
        elif card.kind == "check":
            title = _competency_title(ctx, lesson.check_competency)
            blocks.append(Text(msg.LESSON_CHECK_CARD.format(title=title)))
            buttons = [
                ref.button(msg.TAKE_CHECK, CHECK, "primary"),
                ref.button(msg.LESSON_LATER, LATER),
                ref.button(msg.LESSON_BACK, BACK),
            ]
            blocks += [Buttons(tuple(buttons)), *rating_blocks(lesson.module_id)]
            return [Reply(tuple(blocks), summary=summary)]
        else:
            blocks.append(Text(card.text))
        buttons = [ref.button(msg.LESSON_CONTINUE, NEXT, "primary")]
        if at > 0:
            buttons.append(ref.button(msg.LESSON_BACK, BACK))
        skip_for = state.get("skip") or ""
        if skip_for and lesson.next_section(at) > at + 1:
            buttons.append(ref.button(msg.LESSON_SKIP, SKIP))
            title = _competency_title(ctx, skip_for)
            blocks.append(Note(msg.LESSON_SKIP_NOTE.format(title=title)))
        buttons.append(ref.button(msg.QUIZ_PAUSE, PAUSE))
        url = link_for(
            ctx.services,
            lesson.module_id,
            learner_id=ctx.learner.id,
            channel=ctx.event.channel,
            now=ctx.now,
            anchor=card.anchor,
        )
        if url:
            buttons.append(
                Button(msg.OPEN_FULL_MODULE, OPEN_PAGE_ACTION, lesson.module_id, url=url)
            )
        blocks.append(Buttons(tuple(buttons)))
        return [Reply(tuple(blocks), summary=summary)]

    @staticmethod
    def _continue_row(ref: DialogRef) -> Buttons:
        return Buttons(
            (
                ref.button(msg.LESSON_CONTINUE, NEXT, "primary"),
                ref.button(msg.QUIZ_PAUSE, PAUSE),
            )
        )

    # -- effects ------------------------------------------------------------------------

    def _moved(self, ctx: Context, lesson: Lesson, state: dict[str, Any]) -> Effect:
        repo, learner_id, now = ctx.services.lesson_progress, ctx.learner.id, ctx.now
        at, total, module_id = state["at"], len(lesson.cards), lesson.module_id

        def effect() -> None:
            repo.move(learner_id, module_id, card=at, cards=total, now=now)

        return effect

    def _viewed(self, ctx: Context, module_id: str, state: dict[str, Any]) -> Effect:
        """Log the card being left: which one and how long it was open."""
        services, learner_id, now, at = ctx.services, ctx.learner.id, ctx.now, state["at"]
        seconds = _seconds(state.get("shown_at"), now)

        def effect() -> None:
            services.lesson_progress.log(
                learner_id, module_id, "view", card=at + 1, seconds=seconds, now=now
            )
            services.activity.record(
                learner_id,
                "lesson.viewed",
                object_id=f"{module_id}/cards/{at + 1}",
                detail={"module": module_id, "card": at + 1},
                now=now,
            )

        return effect

    def _finished(self, ctx: Context, lesson: Lesson) -> Effect:
        services, learner_id, now, module_id = (
            ctx.services,
            ctx.learner.id,
            ctx.now,
            lesson.module_id,
        )
        last = len(lesson.cards)

        def effect() -> None:
            if services.lesson_progress.finish(learner_id, module_id, now=now):
                services.lesson_progress.log(learner_id, module_id, "finish", card=last, now=now)
                services.activity.record(
                    learner_id, "lesson.completed", object_id=module_id, now=now
                )

        return effect

    def _log(self, ctx: Context, module_id: str, kind: str, at: int) -> Effect:
        repo, learner_id, now = ctx.services.lesson_progress, ctx.learner.id, ctx.now

        def effect() -> None:
            repo.log(learner_id, module_id, kind, card=at + 1, now=now)

        return effect


def rating_blocks(module_id: str) -> list[Block]:
    """The optional one-tap survey at the end of a lesson."""
    labels = (msg.LESSON_RATE_USEFUL, msg.LESSON_RATE_NOT_USEFUL, msg.LESSON_RATE_TOO_LONG)
    buttons = tuple(
        Button(label, RATE_ACTION, f"{module_id}:{rating}")
        for label, rating in zip(labels, RATINGS, strict=True)
    )
    return [Note(msg.LESSON_RATE_ASK), Buttons(buttons)]


def _practice_blocks(ref: DialogRef, item: Item) -> list[Block]:
    options = tuple((o.id, o.text) for o in item.options)
    multi = item.kind == "multiple"
    stem = msg.LESSON_PRACTICE_TITLE.format(stem=item.stem)
    blocks: list[Block] = [Text(stem), ref.choices(options, multi=multi, submit=msg.QUIZ_SUBMIT)]
    if multi:
        blocks.append(Note(msg.QUIZ_PICK_ALL))
    blocks.append(Buttons((ref.button(msg.LESSON_PASS, PASS), ref.button(msg.QUIZ_PAUSE, PAUSE))))
    return blocks


def _previous(lesson: Lesson, at: int) -> int:
    """The card before `at`, passing over practice questions (they were asked already)."""
    target = at - 1
    while target > 0 and lesson.cards[target].kind == "practice":
        target -= 1
    return max(target, 0)


def _competency_title(ctx: Context, competency: str) -> str:
    """The competency's title as the quiz feature knows it (the id with no question left)."""
    try:
        return quiz_competencies(ctx.services).title(competency)
    except UserError:  # the bank has no live question at all
        return competency


def _seconds(shown_at: Any, now: datetime) -> float | None:
    if not isinstance(shown_at, str):
        return None
    try:
        seconds = (now - datetime.fromisoformat(shown_at)).total_seconds()
    except ValueError:
        return None
    return max(0.0, min(seconds, MAX_CARD_SECONDS))


FLOWS = {KIND: LessonFlow()}
