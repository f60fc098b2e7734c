"""Aiken quiz-bank import: plain-text multiple choice with an ANSWER line.

Each question is its stem (one or more lines), then options lettered in order `A)` or `A.`
(with or without a space before the text, as Moodle accepts: `A)Paris`, `B.Rome`), then
`ANSWER: X`::

    What does HTTP status 404 mean?
    A) Server error
    B) Not found
    C. Moved permanently
    ANSWER: B

Blank lines between questions are optional. `ANSWER: A, C` (several letters) is accepted as a
learnbot extension and gives a "multiple" item. Aiken has no ids, feedback or categories:
ids are derived from the file name and the stem, and the competency is the caller's default.
Errors: a missing ANSWER line, an answer naming a missing option, options out of sequence or
with a duplicate letter, fewer than 2 options and an ANSWER line followed by more options.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from learning.formats.builder import BankBuilder, kind_for, new_item
from learning.formats.model import BankParseResult, ParseError, ParseOptions
from learning.items import Option

_OPTION = re.compile(r"^([A-Za-z])[.)](\s*)(\S.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class _Draft:
    """A question being read, with the problems found so far."""

    line: int
    stem: list[str]
    options: list[tuple[str, str, int]] = field(default_factory=list)
    answer: tuple[str, int] | None = None
    problems: list[ParseError] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ParseError(line=line, message=message))


def parse_aiken(
    text: str,
    *,
    filename: str,
    default_competency: str | None = None,
    known_competencies: frozenset[str] | None = None,
) -> BankParseResult:
    """Imports an Aiken file.

    Args:
        text: The file's content.
        filename: The file's name (derived ids start with its stem).
        default_competency: Competency for every question.
        known_competencies: When given, a competency outside it is an error.

    Returns:
        The items and the errors, by line (Aiken holds no unsupported types).
    """
    builder = BankBuilder(ParseOptions(filename, default_competency, known_competencies))
    draft: _Draft | None = None
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            draft = _blank(draft, builder)
        elif draft is None:
            draft = _start(number, line, builder)
        else:
            draft = _feed(draft, number, line, builder)
    if draft is not None:
        _finish(draft, builder)
    return builder.result()


def _start(number: int, line: str, builder: BankBuilder) -> _Draft | None:
    if _ANSWER.match(line):
        builder.error(number, "an ANSWER line with no question before it")
        return None
    return _Draft(line=number, stem=[line])


def _blank(draft: _Draft | None, builder: BankBuilder) -> _Draft | None:
    # A blank line ends a stem that never got options; elsewhere it is only spacing.
    if draft is not None and not draft.options and draft.answer is None:
        _finish(draft, builder)
        return None
    return draft


def _option(draft: _Draft, line: str) -> re.Match[str] | None:
    """An option line: `A) text`, `A. text`, or, as Moodle accepts, `A)text` / `A.text`.

    Without the space, the letter must be the next one expected, so a stem line such as
    "e.g. ..." or "B.Sc. holders ..." is not taken for an option.
    """
    found = _OPTION.match(line)
    if found is None or found.group(2):
        return found
    expected = string.ascii_uppercase[len(draft.options) % 26]
    return found if found.group(1).upper() == expected else None


def _feed(draft: _Draft, number: int, line: str, builder: BankBuilder) -> _Draft | None:
    option, answer = _option(draft, line), _ANSWER.match(line)
    if draft.answer is not None:
        if option is None and answer is None:
            _finish(draft, builder)
            return _Draft(line=number, stem=[line])
        draft.problem(
            number,
            f"the ANSWER line (line {draft.answer[1]}) must be the last line of the question",
        )
    elif answer is not None:
        draft.answer = (answer.group(1).strip(), number)
    elif option is not None:
        _add_option(draft, number, option.group(1).upper(), option.group(3).strip())
    elif draft.options:
        _finish(draft, builder)
        return _Draft(line=number, stem=[line])
    else:
        draft.stem.append(line)
    return draft


def _add_option(draft: _Draft, number: int, letter: str, text: str) -> None:
    seen = {o[0]: o[2] for o in draft.options}
    expected = string.ascii_uppercase[len(draft.options)]
    if letter in seen:
        draft.problem(
            number, f"duplicate option letter '{letter}' (already used on line {seen[letter]})"
        )
        return
    if letter != expected:
        draft.problem(number, f"option '{letter}' is out of sequence: expected '{expected}'")
    draft.options.append((letter, text, number))


def _finish(draft: _Draft, builder: BankBuilder) -> None:
    problems = _problems(draft)
    for problem in problems:
        builder.error(problem.line, problem.message)
    if problems:
        return
    correct = _answer_letters(draft)
    options = tuple(
        Option(id=letter.lower(), text=text, correct=letter in correct)
        for letter, text, _ in draft.options
    )
    stem = "\n".join(draft.stem)
    competency = builder.competency(None)
    item = new_item(
        item_id="",
        stem=stem,
        kind=kind_for(options),
        options=options,
        competency=competency,
        line=draft.line,
    )
    builder.add(item)


def _problems(draft: _Draft) -> list[ParseError]:
    problems = list(draft.problems)
    if len(draft.options) < 2:
        found = len(draft.options)
        problems.append(
            ParseError(draft.line, f"a question needs at least 2 options, found {found}")
        )
    if draft.answer is None:
        message = "the question has no 'ANSWER: X' line after its options"
        problems.append(ParseError(draft.line, message))
    return problems + _answer_problems(draft)


def _answer_letters(draft: _Draft) -> list[str]:
    value = draft.answer[0] if draft.answer else ""
    return [part.upper() for part in re.split(r"[\s,;]+", value) if part]


def _answer_problems(draft: _Draft) -> list[ParseError]:
    if draft.answer is None:
        return []
    letters, line = _answer_letters(draft), draft.answer[1]
    if not letters:
        return [ParseError(line, "the ANSWER line names no option")]
    known = [o[0] for o in draft.options]
    listed = ", ".join(known) or "none"
    return [
        ParseError(
            line,
            f"ANSWER names option '{letter}', which the question does not have (options: {listed})",
        )
        for letter in letters
        if letter not in known
    ]
