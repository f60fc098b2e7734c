"""CSV quiz-bank import: learnbot's own layout and Moodle's qformat_csv layout.

learnbot CSV (header row required, column order free, names case-insensitive); columns:
id, competency, module, difficulty, type, question, option_a ... option_z, correct,
explanation, feedback_a ... feedback_z, tags. For example::

    id,competency,difficulty,type,question,option_a,option_b,option_c,correct,feedback_a
    sql-1,sql,foundation,single,Which clause filters groups?,WHERE,HAVING,LIMIT,b,Rows only.
    sql-2,sql,,multiple,Which are aggregates?,COUNT,LOWER,SUM,a;c,
    sql-3,sql,,true_false,NULL = NULL is true.,,,,false,It is unknown.

- question and correct are required; option_a ... option_z hold the options (empty ones are
  left out; the option id is the column's letter).
- correct: the option letter(s), several separated by ";" (e.g. "a;c"); for true_false,
  "true" or "false" and no option columns (feedback_a is shown for True, feedback_b for False).
- type: single, multiple or true_false; when empty it is inferred (true_false for a
  true/false answer without options, multiple for several letters, else single).
- difficulty: foundation, intermediate (default) or advanced. id: derived when empty.
- competency: the caller's default when empty. tags: separated by ";".
- feedback_x is shown after option x is picked; explanation after any answer.

Moodle CSV (header starts with questionname,questiontext): options in single-letter columns
(A, B, C, D...), correct letters in "Answer 1", "Answer 2"...; correctfeedback is attached to
the correct options and incorrectfeedback to the others (learnbot has no partial credit, so
partiallycorrectfeedback is not used); generalfeedback, when present, is the explanation.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

from learning.formats.builder import (
    BankBuilder,
    difficulty_error,
    kind_error,
    kind_for,
    new_item,
    parse_difficulty,
    parse_kind,
    slugify,
    true_false_options,
)
from learning.formats.model import BankParseResult, ParseOptions
from learning.items import Difficulty, ItemKind, Option

Row = dict[str, str]
_NATIVE_COLUMNS = frozenset(
    {"id", "competency", "module", "difficulty", "type", "question", "correct", "explanation"}
    | {"tags"}
)
_NATIVE_PATTERN = re.compile(r"^(option|feedback)_[a-z]$")
_MOODLE_ANSWER = re.compile(r"^answer\s*\d+$")
_LETTERS = re.compile(r"[\s,;]+")


def parse_csv(
    text: str,
    *,
    filename: str,
    default_competency: str | None = None,
    known_competencies: frozenset[str] | None = None,
) -> BankParseResult:
    """Imports a learnbot or Moodle CSV file (told apart by the header row).

    Args:
        text: The file's content.
        filename: The file's name (derived ids start with its stem).
        default_competency: Competency for rows that name none.
        known_competencies: When given, a competency outside it is an error.

    Returns:
        The items and the errors, by the line where each row starts.
    """
    builder = BankBuilder(ParseOptions(filename, default_competency, known_competencies))
    records = _records(text.lstrip("\ufeff"))
    header = next(records, None)
    if header is None:
        return builder.result()
    header_line, columns = header
    importer = _importer([c.strip().lower() for c in columns], header_line, builder)
    for line, cells in records:
        row = _row([c.strip().lower() for c in columns], cells, line, builder)
        if importer is not None and row is not None:
            importer(row, line, builder)
    return builder.result()


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(start line, cells) per CSV record, skipping blank records."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def _row(columns: list[str], cells: list[str], line: int, builder: BankBuilder) -> Row | None:
    if len(cells) > len(columns):
        builder.error(
            line,
            f"the row has {len(cells)} fields but the header has {len(columns)}"
            " (put fields that contain the delimiter in double quotes)",
        )
        return None
    padded = [c.strip() for c in cells] + [""] * (len(columns) - len(cells))
    return dict(zip(columns, padded, strict=True))


def _importer(
    columns: list[str], line: int, builder: BankBuilder
) -> Callable[[Row, int, BankBuilder], None] | None:
    if "questiontext" in columns:
        return _moodle_row
    if "question" in columns and "correct" in columns:
        unknown = [c for c in columns if c not in _NATIVE_COLUMNS and not _NATIVE_PATTERN.match(c)]
        for column in unknown:
            builder.error(line, f"unknown column '{column}' in the header")
        return _native_row
    builder.error(
        line,
        "unrecognised CSV header: expected learnbot's (question, option_a, option_b, ..., correct)"
        " or Moodle's (questionname, questiontext, A, B, ..., Answer 1)",
    )
    return None


def _native_row(row: Row, line: int, builder: BankBuilder) -> None:
    difficulty = _difficulty(row, line, builder)
    kind = _native_kind(row, line, builder)
    if difficulty is None or kind is None:
        return
    options = (
        _native_true_false(row, line, builder)
        if kind == "true_false"
        else _native_choices(row, line, builder)
    )
    if options is None:
        return
    builder.add(
        new_item(
            item_id=row.get("id", ""),
            stem=row["question"],
            kind=kind,
            options=options,
            competency=builder.competency(row.get("competency")),
            line=line,
            difficulty=difficulty,
            module_id=row.get("module") or None,
            explanation=row.get("explanation", ""),
            tags=tuple(t.strip() for t in row.get("tags", "").split(";") if t.strip()),
        )
    )


def _difficulty(row: Row, line: int, builder: BankBuilder) -> Difficulty | None:
    value = row.get("difficulty", "")
    difficulty = parse_difficulty(value) if value else "intermediate"
    if difficulty is None:
        builder.error(line, difficulty_error(value))
    return difficulty


def _native_kind(row: Row, line: int, builder: BankBuilder) -> ItemKind | None:
    value = row.get("type", "")
    if value:
        kind = parse_kind(value)
        if kind is None:
            builder.error(line, kind_error(value))
        return kind
    if row["correct"].lower() in ("true", "false") and not _native_option_texts(row):
        return "true_false"
    return "multiple" if len(_letters(row["correct"])) > 1 else "single"


def _native_option_texts(row: Row) -> dict[str, str]:
    return {k[-1]: v for k, v in row.items() if k.startswith("option_") and v}


def _native_true_false(row: Row, line: int, builder: BankBuilder) -> tuple[Option, ...] | None:
    answer = row["correct"].lower()
    if answer not in ("true", "false"):
        builder.error(
            line,
            f"correct must be 'true' or 'false' for a true_false question, not '{row['correct']}'",
        )
        return None
    if _native_option_texts(row):
        builder.error(line, "a true_false question takes no option_ columns")
        return None
    return true_false_options(
        answer=answer == "true",
        true_feedback=row.get("feedback_a", ""),
        false_feedback=row.get("feedback_b", ""),
    )


def _native_choices(row: Row, line: int, builder: BankBuilder) -> tuple[Option, ...] | None:
    texts = _native_option_texts(row)
    correct = _letters(row["correct"])
    if not _check_letters(correct, texts, line, builder):
        return None
    return tuple(
        Option(
            id=letter,
            text=text,
            correct=letter in correct,
            feedback=row.get(f"feedback_{letter}", ""),
        )
        for letter, text in sorted(texts.items())
    )


def _moodle_row(row: Row, line: int, builder: BankBuilder) -> None:
    texts = {k: v for k, v in row.items() if len(k) == 1 and k.isalpha() and v}
    answers = [a for k, v in row.items() if _MOODLE_ANSWER.match(k) for a in _letters(v)]
    if not _check_letters(answers, texts, line, builder):
        return
    right, wrong = row.get("correctfeedback", ""), row.get("incorrectfeedback", "")
    options = tuple(
        Option(id=k, text=v, correct=k in answers, feedback=right if k in answers else wrong)
        for k, v in sorted(texts.items())
    )
    builder.add(
        new_item(
            item_id=slugify(row.get("questionname", "")),
            stem=row["questiontext"],
            kind=kind_for(options),
            options=options,
            competency=builder.competency(None),
            line=line,
            explanation=row.get("generalfeedback", ""),
        )
    )


def _letters(value: str) -> list[str]:
    return [part.lower() for part in _LETTERS.split(value) if part]


def _check_letters(
    letters: list[str], texts: dict[str, str], line: int, builder: BankBuilder
) -> bool:
    missing = [letter for letter in letters if letter not in texts]
    listed = ", ".join(sorted(texts)) or "none"
    for letter in missing:
        builder.error(
            line,
            f"the correct answer names option '{letter}', which is empty or missing"
            f" (options: {listed})",
        )
    return not missing
