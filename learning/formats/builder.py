"""Collects importer output and applies the checks every format shares (answers, ids, labels)."""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from dataclasses import replace
from pathlib import PurePath

from learning.formats.model import BankParseResult, ParseError, ParseOptions, Skipped
from learning.items import DIFFICULTIES, Difficulty, Item, ItemKind, Option, prior_params

KINDS: tuple[ItemKind, ...] = ("single", "multiple", "true_false")
_DIGEST_CHARS = 10
_MAX_SLUG = 64
_MAX_LISTED = 10


def slugify(text: str) -> str:
    """A lowercase ASCII id made of letters, digits and dashes ("" when nothing is left).

    Args:
        text: Any title, e.g. "Grant's Tomb" (gives "grant-s-tomb").
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:_MAX_SLUG].strip("-")


def option_letter(index: int) -> str:
    """The option id for a 0-based position: "a", "b", ..."""
    return string.ascii_lowercase[index]


def parse_difficulty(value: str) -> Difficulty | None:
    """The difficulty label named by `value` (any case), or None when it names none."""
    wanted = value.strip().lower()
    return next((d for d in DIFFICULTIES if d == wanted), None)


def difficulty_error(value: str) -> str:
    """The message for an unknown difficulty label."""
    return f"unknown difficulty '{value}' (use {', '.join(DIFFICULTIES)})"


def parse_kind(value: str) -> ItemKind | None:
    """The item kind named by `value` (any case, "-" or "_"), or None when it names none."""
    wanted = value.strip().lower().replace("-", "_")
    return next((k for k in KINDS if k == wanted), None)


def kind_error(value: str) -> str:
    """The message for an unknown question type."""
    return f"unknown type '{value}' (use {', '.join(KINDS)})"


def true_false_options(
    *, answer: bool, true_feedback: str, false_feedback: str
) -> tuple[Option, ...]:
    """The two options of a true/false item."""
    return (
        Option(id="true", text="True", correct=answer, feedback=true_feedback),
        Option(id="false", text="False", correct=not answer, feedback=false_feedback),
    )


def kind_for(options: tuple[Option, ...]) -> ItemKind:
    """ "multiple" when several options are correct, else "single"."""
    return "multiple" if sum(o.correct for o in options) > 1 else "single"


def new_item(
    *,
    item_id: str,
    stem: str,
    kind: ItemKind,
    options: tuple[Option, ...],
    competency: str,
    line: int,
    difficulty: Difficulty = "intermediate",
    module_id: str | None = None,
    explanation: str = "",
    tags: tuple[str, ...] = (),
) -> Item:
    """An item with prior 2PL parameters for its difficulty; an empty id is derived later."""
    a, b = prior_params(difficulty)
    return Item(
        id=item_id,
        stem=stem,
        kind=kind,
        options=options,
        competency=competency,
        module_id=module_id,
        difficulty=difficulty,
        explanation=explanation,
        a=a,
        b=b,
        tags=tags,
        source_line=line,
    )


def validate_item(item: Item, known_competencies: frozenset[str] | None) -> list[str]:
    """The problems that keep an item out of the bank, as user-facing messages."""
    problems: list[str] = []
    if not item.stem.strip():
        problems.append("the question text is empty")
    if len(item.options) < 2:
        problems.append(f"a question needs at least 2 options, found {len(item.options)}")
    problems += [f"option '{o.id}' has no text" for o in item.options if not o.text.strip()]
    problems += _answer_problems(item)
    if known_competencies is not None and item.competency not in known_competencies:
        listed = ", ".join(sorted(known_competencies)[:_MAX_LISTED]) or "none"
        problems.append(f"unknown competency '{item.competency}' (known: {listed})")
    return problems


def _answer_problems(item: Item) -> list[str]:
    correct = sorted(item.correct_ids)
    if not correct:
        return ["no correct answer: mark at least one option as correct"]
    if item.kind != "multiple" and len(correct) > 1:
        return [
            f"type '{item.kind}' takes one correct answer but {len(correct)} are marked "
            f"({', '.join(correct)}); use type 'multiple'"
        ]
    if len(correct) == len(item.options):
        return [
            f"every option is marked correct ({', '.join(correct)}): a question needs at "
            "least one wrong option, or it measures nothing"
        ]
    return []


class BankBuilder:
    """Accumulates one file's items, skips and errors, checking ids and answers on the way."""

    def __init__(self, options: ParseOptions) -> None:
        """Starts an empty result for the file described by `options`."""
        self.options = options
        self._items: list[Item] = []
        self._skipped: list[Skipped] = []
        self._errors: list[ParseError] = []
        self._id_lines: dict[str, int] = {}
        self._content_lines: dict[str, int] = {}
        self._file_slug = slugify(PurePath(options.filename).stem) or "bank"

    def skip(self, line: int, reason: str) -> None:
        """Records an unsupported question."""
        self._skipped.append(Skipped(line=line, reason=reason))

    def error(self, line: int, message: str) -> None:
        """Records malformed input."""
        self._errors.append(ParseError(line=line, message=message))

    def competency(self, named: str | None) -> str:
        """`named` when given, else the caller's default, else "general"."""
        return named.strip() if named and named.strip() else self.options.fallback_competency

    def add(self, item: Item) -> None:
        """Adds `item` when it is valid; otherwise records why, by its line."""
        identified = self._identify(item)
        problems = validate_item(item, self.options.known_competencies)
        for problem in problems:
            self.error(item.source_line, problem)
        if identified is not None and not problems:
            self._items.append(identified)

    def result(self) -> BankParseResult:
        """Everything recorded so far; errors ordered by line."""
        return BankParseResult(
            items=tuple(self._items),
            skipped=tuple(self._skipped),
            errors=tuple(sorted(self._errors, key=lambda e: e.line)),
        )

    def _identify(self, item: Item) -> Item | None:
        """The item with a unique id, deriving one when the file gives none."""
        if item.id:
            first = self._id_lines.get(item.id)
            if first is not None:
                self.error(
                    item.source_line, f"duplicate id '{item.id}' (first used on line {first})"
                )
                return None
            self._id_lines[item.id] = item.source_line
            return item
        return self._derive_id(item)

    def _derive_id(self, item: Item) -> Item | None:
        # The stem alone keeps the id stable when options are reworded; the full content
        # breaks ties between different questions that share a stem, and finds true repeats.
        content = [f"{o.text}|{o.correct}|{o.feedback}" for o in item.options]
        content_id = f"{self._file_slug}-{_digest([item.stem, *content, item.explanation])}"
        first = self._content_lines.get(content_id)
        if first is not None:
            self.error(
                item.source_line, f"duplicate question: same text and answers as line {first}"
            )
            return None
        self._content_lines[content_id] = item.source_line
        stem_id = f"{self._file_slug}-{_digest([item.stem])}"
        chosen = content_id if stem_id in self._id_lines else stem_id
        return self._identify(replace(item, id=chosen))


def _digest(parts: list[str]) -> str:
    joined = json.dumps([" ".join(p.split()) for p in parts], ensure_ascii=False)
    return hashlib.sha1(joined.encode("utf-8"), usedforsecurity=False).hexdigest()[:_DIGEST_CHARS]
