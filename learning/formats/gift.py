"""GIFT (Moodle) quiz-bank import.

Supported: multiple choice with one correct answer (`=right ~wrong`), with several
(`=a =b ~c`, or Moodle's weighted form `~%50%a ~%50%b ~%-100%c`, where answers with a positive
weight are correct), and true/false (`{T}`, `{F}`, `{TRUE}`, `{FALSE}`). Essay, short answer,
numerical, matching, description and cloze (embedded answers) questions are reported as
skipped. An answer block inside the text (`Grant is {~buried =entombed} in Grant's tomb.`)
gives a multiple-choice stem with "_____" in its place.

Mapping to items:

- id: `// [id:...]` before the question, else the `::title::` as a slug ("Grant's Tomb" ->
  "grant-s-tomb"), else derived from the file name and a hash of the stem.
- tags: `// [tag:...]` comments before the question.
- competency: the last segment of the latest `$CATEGORY:` path, else the caller's default,
  else "general".
- option feedback: `#feedback` after an answer; general feedback (`####...`) becomes the
  explanation. For true/false, the first `#` feedback goes to the wrong choice and the second
  to the right one (Moodle's reading of `{TRUE#wrong#right}`).
- partial credit: learnbot scores all-or-nothing, so in a question that has `=` answers a
  `~%50%` answer counts as incorrect (its feedback is kept); `=` answers weighted 0% or less
  are incorrect too.
- text formats: `[moodle]` and `[plain]` text folds line breaks into spaces, `[markdown]` is
  kept as written, `[html]` is converted to plain text (see `learning.formats.text`).
"""

from __future__ import annotations

from learning.formats.builder import (
    BankBuilder,
    kind_for,
    new_item,
    option_letter,
    slugify,
    true_false_options,
)
from learning.formats.gift_lexer import Block, GiftSyntaxError, split_blocks, tokenize
from learning.formats.gift_parser import GiftAnswer, GiftQuestion, parse_question
from learning.formats.model import BankParseResult, ParseOptions
from learning.items import Item, Option


def parse_gift(
    text: str,
    *,
    filename: str,
    default_competency: str | None = None,
    known_competencies: frozenset[str] | None = None,
) -> BankParseResult:
    """Imports a GIFT file.

    Args:
        text: The file's content.
        filename: The file's name (derived ids start with its stem).
        default_competency: Competency for questions outside any `$CATEGORY:`.
        known_competencies: When given, a competency outside it is an error.

    Returns:
        The items, the skipped questions of unsupported types and the errors, by line.
    """
    builder = BankBuilder(ParseOptions(filename, default_competency, known_competencies))
    category: str | None = None
    for block in split_blocks(text):
        if block.category is not None:
            category = competency_from_category(block.category)
        else:
            _import_block(block, builder, category)
    return builder.result()


def competency_from_category(path: str) -> str | None:
    """The competency a `$CATEGORY:` path names: its last segment below Moodle's contexts.

    "$course$/top/Default for Unit 1" gives "Default for Unit 1"; a path with nothing below
    the context ("$course$/top") gives None.
    """
    segments = [s.strip() for s in path.split("/")]
    named = [
        s for s in segments if s and s != "top" and not (s.startswith("$") and s.endswith("$"))
    ]
    return named[-1] if named else None


def _import_block(block: Block, builder: BankBuilder, category: str | None) -> None:
    try:
        question = parse_question(tokenize(block))
    except GiftSyntaxError as exc:
        builder.error(exc.line, exc.message)
        return
    if not isinstance(question, GiftQuestion):
        builder.skip(block.line, question.reason)
        return
    builder.add(_to_item(question, block, builder.competency(category)))


def _to_item(question: GiftQuestion, block: Block, competency: str) -> Item:
    is_true_false = question.kind == "true_false"
    options = _true_false(question) if is_true_false else _choices(question.answers)
    return new_item(
        item_id=block.item_id or slugify(question.title or ""),
        stem=question.stem,
        kind="true_false" if is_true_false else kind_for(options),
        options=options,
        competency=competency,
        line=block.line,
        explanation=question.general_feedback,
        tags=block.tags,
    )


def _true_false(question: GiftQuestion) -> tuple[Option, ...]:
    right, wrong = question.right_feedback, question.wrong_feedback
    return true_false_options(
        answer=question.is_true,
        true_feedback=right if question.is_true else wrong,
        false_feedback=wrong if question.is_true else right,
    )


def _choices(answers: tuple[GiftAnswer, ...]) -> tuple[Option, ...]:
    weighted_only = not any(a.marked_correct for a in answers)
    return tuple(
        Option(
            id=option_letter(i),
            text=a.text,
            correct=is_correct(a, weighted_only=weighted_only),
            feedback=a.feedback,
        )
        for i, a in enumerate(answers)
    )


def is_correct(answer: GiftAnswer, *, weighted_only: bool) -> bool:
    """Whether an answer is (part of) the right answer in learnbot's all-or-nothing scoring.

    Args:
        answer: The parsed answer.
        weighted_only: The question has no `=` answer (Moodle's multiple-response form), so
            answers with a positive weight are the correct ones.
    """
    positive = answer.weight is not None and answer.weight > 0
    if weighted_only:
        return positive
    return answer.marked_correct and (answer.weight is None or positive)
