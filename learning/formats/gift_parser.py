"""GIFT question parser: turns one block's tokens into a question or an unsupported type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from learning.formats.gift_lexer import GiftSyntaxError, Token, TokenKind
from learning.formats.text import ESCAPED_NEWLINE, TextFormat, render, render_rich

_TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)$", re.IGNORECASE)
_CLOZE = re.compile(r"^\s*\d*:[A-Z_]+:", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%([^%\n]*)%")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")
_MARKERS: tuple[TokenKind, ...] = ("correct", "wrong")
BLANK = "_____"


@dataclass(frozen=True)
class GiftAnswer:
    """One `=` or `~` answer of a choice question.

    Attributes:
        marked_correct: Written with `=` rather than `~`.
        weight: The `%n%` percentage, if any.
        text: Display text.
        feedback: Display text of its `#` feedback.
        line: Line of its `=` or `~`.
    """

    marked_correct: bool
    weight: float | None
    text: str
    feedback: str
    line: int


@dataclass(frozen=True)
class GiftQuestion:
    """A supported GIFT question: multiple choice ("choice") or true/false.

    Attributes:
        kind: "choice" or "true_false".
        title: The `::title::`, if any.
        stem: Display text; an embedded answer block shows as "_____".
        answers: The answers of a choice question.
        is_true: The answer of a true/false question.
        wrong_feedback: True/false feedback for the wrong choice (first `#`).
        right_feedback: True/false feedback for the right choice (second `#`).
        general_feedback: The `####` feedback.
    """

    kind: Literal["choice", "true_false"]
    title: str | None
    stem: str
    answers: tuple[GiftAnswer, ...] = ()
    is_true: bool = False
    wrong_feedback: str = ""
    right_feedback: str = ""
    general_feedback: str = ""


@dataclass(frozen=True)
class UnsupportedQuestion:
    """A well-formed question of a type learnbot does not import."""

    question_type: str
    title: str | None

    @property
    def reason(self) -> str:
        """User-facing reason naming the type (and the title when there is one)."""
        named = f" '{self.title}'" if self.title else ""
        return (
            f"{self.question_type} question{named} is not supported: learnbot imports "
            "multiple-choice and true/false questions only"
        )


@dataclass
class _Parts:
    title: str | None = None
    stem: list[Token] = field(default_factory=list)
    body: list[Token] | None = None
    tail: list[Token] = field(default_factory=list)
    extra_blocks: bool = False


def parse_question(tokens: list[Token]) -> GiftQuestion | UnsupportedQuestion:
    """Parses one question block's tokens.

    Raises:
        GiftSyntaxError: For malformed answers (empty answer, bad weight, misplaced text...).
    """
    parts = _split(tokens)
    if parts.body is None:
        return UnsupportedQuestion("description", parts.title)
    if parts.extra_blocks:
        return UnsupportedQuestion("cloze (several embedded answer blocks)", parts.title)
    fmt, stem = _stem(parts)
    main, general = _split_general(parts.body)
    unsupported = _unsupported_type(main)
    if unsupported:
        return UnsupportedQuestion(unsupported, parts.title)
    general_text = render_rich(_raw(general), fmt)[1]
    if not any(t.kind in _MARKERS for t in main):
        return _true_false(main, parts.title, stem=stem, fmt=fmt, general=general_text)
    answers = _answers(main, fmt)
    if all(a.marked_correct for a in answers):
        is_matching = all("->" in a.text for a in answers)
        return UnsupportedQuestion("matching" if is_matching else "short answer", parts.title)
    return GiftQuestion("choice", parts.title, stem, answers, general_feedback=general_text)


def _split(tokens: list[Token]) -> _Parts:
    parts = _Parts()
    rest = _drop_blank(tokens)
    if rest and rest[0].kind == "title":
        end = _find(rest, "title", 1)
        parts.title = render(_raw(rest[1:end]), "plain") or None
        rest = rest[end + 1 :]
    opening = _find(rest, "open")
    if opening == len(rest):
        parts.stem = rest
        return parts
    closing = _find(rest, "close", opening)
    parts.stem, parts.body, parts.tail = (
        rest[:opening],
        rest[opening + 1 : closing],
        rest[closing + 1 :],
    )
    parts.extra_blocks = any(t.kind == "open" for t in parts.tail)
    return parts


def _stem(parts: _Parts) -> tuple[TextFormat, str]:
    before_fmt, before = render_rich(_raw(parts.stem), "moodle")
    if not _raw(parts.tail).strip():
        return before_fmt, before
    after_fmt, after = render_rich(_raw(parts.tail), before_fmt)
    fmt = before_fmt if _raw(parts.stem).strip() else after_fmt
    return fmt, " ".join(p for p in (before, BLANK, after) if p)


def _split_general(body: list[Token]) -> tuple[list[Token], list[Token]]:
    at = _find(body, "general")
    # Everything after "####" is feedback text, control characters included, as in Moodle.
    literal = [Token("text", t.text, t.line) if t.kind != "newline" else t for t in body[at + 1 :]]
    return body[:at], literal


def _unsupported_type(main: list[Token]) -> str | None:
    content = _drop_blank(main)
    if not content:
        return "essay"
    if content[0].kind == "feedback":
        return "numerical"
    if content[0].kind == "text" and _CLOZE.match(content[0].text):
        return "cloze (embedded answers)"
    return None


def _true_false(
    main: list[Token], title: str | None, *, stem: str, fmt: TextFormat, general: str
) -> GiftQuestion | UnsupportedQuestion:
    segments = _split_on(main, "feedback")
    if not _TRUE_FALSE.match(_raw(segments[0]).strip()):
        return UnsupportedQuestion("short answer", title)
    if len(segments) > 3:
        raise GiftSyntaxError(
            main[0].line, "a true/false answer takes at most two '#' feedbacks (#wrong#right)"
        )
    feedback = [render_rich(_raw(s), fmt)[1] for s in segments[1:]] + ["", ""]
    return GiftQuestion(
        "true_false",
        title,
        stem,
        is_true=_raw(segments[0]).strip().upper().startswith("T"),
        wrong_feedback=feedback[0],
        right_feedback=feedback[1],
        general_feedback=general,
    )


def _answers(main: list[Token], fmt: TextFormat) -> tuple[GiftAnswer, ...]:
    first = next(i for i, t in enumerate(main) if t.kind in _MARKERS)
    leading = _raw(main[:first]).strip()
    if leading:
        raise GiftSyntaxError(
            main[0].line,
            f"text '{leading[:40]}' before the first '=' or '~' answer"
            " (write '\\=', '\\~' or '\\#' for literal characters)",
        )
    groups: list[list[Token]] = []
    for token in main[first:]:
        if token.kind in _MARKERS:
            groups.append([])
        groups[-1].append(token)
    return tuple(_answer(group, number, fmt) for number, group in enumerate(groups, start=1))


def _answer(group: list[Token], number: int, fmt: TextFormat) -> GiftAnswer:
    marker, line = group[0], group[0].line
    segments = _split_on(group[1:], "feedback")
    if len(segments) > 2:
        raise GiftSyntaxError(
            line, f"answer {number} has more than one '#' feedback (write '\\#' for a literal '#')"
        )
    weight, raw_text = _weight(_raw(segments[0]), line)
    text = render_rich(raw_text, fmt)[1]
    if not text:
        raise GiftSyntaxError(line, f"answer {number} ('{marker.text}') has no text")
    feedback = render_rich(_raw(segments[1]), fmt)[1] if len(segments) > 1 else ""
    return GiftAnswer(marker.kind == "correct", weight, text, feedback, line)


def _weight(raw: str, line: int) -> tuple[float | None, str]:
    match = _WEIGHT.match(raw)
    if match is None:
        return None, raw
    value = match.group(1).strip()
    if not _NUMBER.match(value) or not -100 <= float(value) <= 100:
        raise GiftSyntaxError(
            line, f"invalid answer weight '%{value}%' (use a percentage from -100 to 100)"
        )
    return float(value), raw[match.end() :]


def _split_on(tokens: list[Token], kind: TokenKind) -> list[list[Token]]:
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == kind:
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _find(tokens: list[Token], kind: TokenKind, start: int = 0) -> int:
    """Index of the first `kind` token at or after `start`, or len(tokens)."""
    return next((i for i in range(start, len(tokens)) if tokens[i].kind == kind), len(tokens))


def _drop_blank(tokens: list[Token]) -> list[Token]:
    first = next(
        (i for i, t in enumerate(tokens) if t.kind not in ("text", "newline") or t.text.strip()),
        None,
    )
    return [] if first is None else tokens[first:]


def _raw(tokens: list[Token]) -> str:
    return "".join(ESCAPED_NEWLINE if t.kind == "newline" else t.text for t in tokens)
