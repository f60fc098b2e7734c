"""How quiz questions, feedback and results look, as reply data for every platform."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core import messages as msg
from bot.core.replies import Block, Buttons, Note, Progress, Reply, Text
from bot.dialogs.engine import DialogRef
from learning.items import Item
from learning.mastery import MasteryVerdict

IDK = "idk"
PAUSE = "pause"
NEW = "new"


def progress_label(number: int, left: int) -> str:
    """ "Question 4, about 6 to go" (or "probably the last one")."""
    if left <= 0:
        return msg.QUIZ_PROGRESS_LAST.format(number=number)
    return msg.QUIZ_PROGRESS.format(number=number, left=left)


def question_reply(
    ref: DialogRef, item: Item, *, number: int, left: int, topic: str, new: bool = False
) -> Reply:
    """One question: progress, the stem, its options, and "I don't know" / "Pause".

    With `new` (the intake quiz) also "I'm new to this", for the question's competency.
    """
    options = tuple((o.id, o.text) for o in item.options)
    multi = item.kind == "multiple"
    blocks: list[Block] = [
        Progress(progress_label(number, left), value=number - 1, total=number + max(left, 0)),
        Text(f"**{topic}**\n{item.stem}"),
        ref.choices(options, multi=multi, submit=msg.QUIZ_SUBMIT),
    ]
    if multi:
        blocks.append(Note(msg.QUIZ_PICK_ALL))
    buttons = [ref.button(msg.QUIZ_IDK, IDK)]
    if new:
        buttons.append(ref.button(msg.QUIZ_NEW_TO_THIS.format(topic=topic), NEW))
    buttons.append(ref.button(msg.QUIZ_PAUSE, PAUSE))
    blocks.append(Buttons(tuple(buttons)))
    return Reply(tuple(blocks), summary=f"{progress_label(number, left)}: {item.stem[:100]}")


def answer_text(item: Item, ids: Iterable[str] | None = None) -> str:
    """The texts of some options of an item (the correct ones by default), in item order."""
    wanted = item.correct_ids if ids is None else frozenset(ids)
    return " + ".join(f"**{o.text}**" for o in item.options if o.id in wanted)


def feedback_reply(item: Item, chosen: frozenset[str], correct: bool | None) -> Reply:
    """What the learner sees right after answering: right or wrong, option feedback, why.

    It replaces the question's message where the platform allows, so the answered
    question no longer shows buttons.
    """
    if correct is None:
        verdict = msg.QUIZ_DONT_KNOW.format(answer=answer_text(item))
    elif correct:
        verdict = msg.QUIZ_CORRECT
    else:
        verdict = msg.QUIZ_WRONG.format(answer=answer_text(item))
    blocks: list[Block] = [Text(item.stem)]
    if chosen:
        blocks.append(Note(msg.QUIZ_YOUR_ANSWER.format(answer=answer_text(item, chosen))))
    blocks.append(Text(verdict))
    notes = [o.feedback for o in item.options if o.id in chosen and o.feedback]
    if item.explanation:
        notes.append(item.explanation)
    blocks.extend(Text(n) for n in notes)
    return Reply(tuple(blocks), replace=True, summary=verdict)


def verdict_text(verdict: MasteryVerdict) -> str:
    """ "likely mastered (92% sure)", "not mastered yet (95% sure)" or "not enough evidence"."""
    template = {
        "mastered": msg.VERDICT_MASTERED,
        "not mastered": msg.VERDICT_NOT_MASTERED,
        "undetermined": msg.VERDICT_UNDETERMINED,
    }[verdict.verdict]
    return template.format(pct=verdict.sure_percent)
