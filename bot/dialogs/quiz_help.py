"""Help after a failed mastery check: what to review, and a person when checks keep failing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.context import Context
from bot.core import messages as msg
from bot.core.replies import Block, Button, Buttons, Direct, Reply, Section, Text
from bot.dialogs.lesson import REVIEW_ACTION, LessonGone, load
from bot.features.coach import Coach, find_coach, may_manage
from bot.features.lessons import covering_cards
from bot.features.quiz.learner_model import module_titles
from bot.storage.mastery import CheckAttempt
from learning.items import Item
from learning.mastery import mastery_text

Effect = Callable[[], None]
_WORD = re.compile(r"[^\W\d_]{4,}")
_MAX_SECTIONS = 2
_CLOSE_ENOUGH = 0.6
_MAX_MISSED_LISTED = 8
COACH_REPLY, COACH_ASSIGN, COACH_WAIVE = "coach.reply", "coach.assign", "coach.waive"


@dataclass(frozen=True)
class Escalation:
    """What to say (to the learner and the coach) and record when a person is asked to help."""

    replies: list[Reply]
    effects: tuple[Effect, ...]


def remediation(ctx: Context, attempt: CheckAttempt) -> list[Block]:
    """What to review: the modules of the missed questions, their closest sections, and why
    each missed answer is what it is."""
    repo = ctx.services.items
    missed = [i for i in (repo.get(m) for m in dict.fromkeys(attempt.missed)) if i is not None]
    if not missed:
        return []
    by_module: dict[str, list[Item]] = {}
    for item in missed:
        by_module.setdefault(item.module_id or attempt.module_id or "", []).append(item)
    titles = module_titles(ctx.services, [m for m in by_module if m])
    lines: list[str] = []
    buttons: list[Button] = []
    for module_id, its in by_module.items():
        if module_id:
            sections = _closest_sections(ctx, module_id, its)
            where = f" (sections: {'; '.join(sections)})" if sections else ""
            cards = _lesson_cards(ctx, module_id, its)
            if cards:
                word = "card" if len(cards) == 1 else "cards"
                numbers = msg.join_and([str(n) for n in cards])
                line = msg.CHECK_REVIEW_CARDS.format(
                    module=titles[module_id], cards=f"{word} {numbers}", sections=where
                )
                lines.append(line)
                label = msg.CHECK_REVIEW_BUTTON.format(n=cards[0], title=titles[module_id])
                buttons.append(Button(label[:75], REVIEW_ACTION, f"{module_id}:{cards[0]}"))
            else:
                lines.append(
                    msg.CHECK_REVIEW_MODULE.format(module=titles[module_id], sections=where)
                )
        lines += [
            "• " + msg.CHECK_REVIEW_ITEM.format(stem=i.stem, explanation=i.explanation).strip()
            for i in its
        ]
    blocks: list[Block] = [Section(msg.CHECK_REVIEW_TITLE, "\n".join(lines))]
    if buttons:
        blocks.append(Buttons(tuple(buttons[:3])))
    return blocks


def _lesson_cards(ctx: Context, module_id: str, its: Sequence[Item]) -> list[int]:
    """The module's lesson cards that cover the missed items ([] without a lesson)."""
    try:
        lesson = load(ctx, module_id)
    except LessonGone:
        return []
    return covering_cards(lesson, its)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _closest_sections(ctx: Context, module_id: str, its: Sequence[Item]) -> list[str]:
    """The module's sections sharing the most words (of 4+ letters) with the missed questions."""
    wanted = _words(" ".join(f"{i.stem} {i.explanation}" for i in its))
    scores: Counter[str] = Counter()
    for chunk in ctx.services.content.chunks(module_ids=[module_id]):
        scores[chunk.section] += len(wanted & _words(f"{chunk.section} {chunk.text}"))
    ranked = scores.most_common(_MAX_SECTIONS)
    best = ranked[0][1] if ranked else 0
    # A section sharing only a word or two with the questions is noise, not a pointer.
    return [s for s, score in ranked if score > 0 and score >= _CLOSE_ENOUGH * best]


def escalate(
    ctx: Context, dialog_id: str, title: str, streak: Sequence[CheckAttempt]
) -> Escalation:
    """Ask a person to help (the manager, the competency's coach, or LEARNBOT_COACH) and
    record it; without anyone, ask the learner to see their manager."""
    competency = streak[-1].competency
    coach = find_coach(ctx.services, ctx.learner, competency)
    detail: dict[str, object] = {
        "competency": competency,
        "failures": len(streak),
        "coach_notified": coach is not None,
    }
    if coach is not None:
        detail["coach"] = coach.source

    def effect() -> None:
        ctx.services.activity.record(
            ctx.learner.id, "escalated", object_id=dialog_id, detail=detail, now=ctx.now
        )

    count = len(streak)
    if coach is None:
        text = msg.CHECK_ESCALATED_NO_COACH.format(count=count, title=title)
        return Escalation([Reply((Text(text),))], (effect,))
    if coach.source == "manager":
        learner_text = msg.CHECK_ESCALATED_MANAGER.format(count=count, title=title, name=coach.name)
    else:
        learner_text = msg.CHECK_ESCALATED.format(count=count, title=title)
    return Escalation(
        [Reply((Text(learner_text),)), _coach_message(ctx, coach, title, streak)], (effect,)
    )


def _coach_message(ctx: Context, coach: Coach, title: str, streak: Sequence[CheckAttempt]) -> Reply:
    """Context for the coach: attempts, the topics and questions missed (never the learner's
    answers), the modules and sections to look at, and the buttons the coach's role allows."""
    name = ctx.learner.name
    repo = ctx.services.items
    counts = Counter(m for a in streak for m in a.missed)
    missed = {i: repo.get(i) for i in counts}
    missed_lines = []
    for item_id, times in counts.most_common(_MAX_MISSED_LISTED):
        item = missed[item_id]
        stem = item.stem if item is not None else item_id
        missed_lines.append(f"• {stem} (missed {times}×)")
    topics: Counter[str] = Counter()
    for item_id, times in counts.items():
        item = missed[item_id]
        for tag in item.tags if item is not None else ():
            topics[tag] += times
    modules = {a.module_id for a in streak if a.module_id}
    for item_id in {i for a in streak for i in a.items}:
        item = repo.get(item_id)
        if item is not None and item.module_id:
            modules.add(item.module_id)
    titles = module_titles(ctx.services, sorted(modules))
    attempts = ", ".join(f"{a.at:%Y-%m-%d} ({mastery_text(a.p_mastery)})" for a in streak)
    fields = (
        (msg.COACH_ATTEMPTS, f"{len(streak)}: {attempts}"),
        (msg.COACH_TOPICS, ", ".join(t for t, _ in topics.most_common(6)) or msg.COACH_NONE),
        (msg.COACH_MISSED, "\n".join(missed_lines) or msg.COACH_NONE),
        (msg.COACH_MODULES, _cited(ctx, titles, missed) or msg.COACH_NONE),
    )
    section = Section(
        msg.COACH_TITLE.format(name=name, title=title),
        msg.COACH_TEXT.format(name=name, title=title, count=len(streak)),
        fields=fields,
    )
    module = _target_module(streak, missed)
    blocks: tuple[Block, ...] = (section, coach_buttons(ctx, coach, streak[-1].competency, module))
    return Reply(
        blocks, to=Direct(coach.identity), summary=msg.COACH_TITLE.format(name=name, title=title)
    )


def _cited(ctx: Context, titles: dict[str, str], missed: dict[str, Item | None]) -> str:
    """Each module seen, with the sections closest to the questions missed on it."""
    lines = []
    for module_id in sorted(titles):
        its = [i for i in missed.values() if i is not None and i.module_id == module_id]
        sections = _closest_sections(ctx, module_id, its) if its else []
        where = f" ({'; '.join(sections)})" if sections else ""
        lines.append(f"{titles[module_id]}{where}")
    return "\n".join(lines)


def _target_module(streak: Sequence[CheckAttempt], missed: dict[str, Item | None]) -> str:
    """The module a manager would assign again: the check's, else the one missed most."""
    if streak[-1].module_id:
        return streak[-1].module_id
    counts = Counter(i.module_id for i in missed.values() if i is not None and i.module_id)
    return counts.most_common(1)[0][0] if counts else ""


def coach_buttons(ctx: Context, coach: Coach, competency: str, module: str) -> Buttons:
    """Reply for everyone asked; assign again and waive when the coach may manage the learner."""
    value = f"{ctx.learner.id}|{competency}|{module}"
    buttons = [
        Button(msg.COACH_REPLY_BUTTON.format(name=ctx.learner.name), COACH_REPLY, value, "primary")
    ]
    person = coach.person
    if module and person is not None and may_manage(ctx.services, person, ctx.learner):
        buttons.append(Button(msg.COACH_ASSIGN_BUTTON, COACH_ASSIGN, value))
        buttons.append(Button(msg.COACH_WAIVE_BUTTON, COACH_WAIVE, value, "danger"))
    return Buttons(tuple(buttons))
