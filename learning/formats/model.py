"""Result and option types shared by every quiz-bank importer."""

from __future__ import annotations

from dataclasses import dataclass

from learning.items import Item

GENERAL_COMPETENCY = "general"


class UnknownBankFormatError(ValueError):
    """Raised when a file's format cannot be told from its name or content."""


@dataclass(frozen=True)
class Skipped:
    """A question the file holds but learnbot does not import (an unsupported type).

    Attributes:
        line: 1-based line where the question starts.
        reason: User-facing reason naming the question type.
    """

    line: int
    reason: str


@dataclass(frozen=True)
class ParseError:
    """Malformed input found while importing.

    Attributes:
        line: 1-based line where the faulty question starts, or the offending line.
        message: User-facing description of the problem.
    """

    line: int
    message: str


@dataclass(frozen=True)
class BankParseResult:
    """Everything an importer found in one file.

    A question with an error is never in `items`; whether to import the valid items when
    `errors` is not empty is the caller's decision.

    Attributes:
        items: The valid, supported questions in file order.
        skipped: Questions of types learnbot does not support.
        errors: Malformed questions and file-level problems, ordered by line.
    """

    items: tuple[Item, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[ParseError, ...] = ()

    def as_report(self) -> dict[str, object]:
        """The summary the import command prints: counts, skipped and errors by line."""
        return {
            "imported": len(self.items),
            "skipped": [{"line": s.line, "reason": s.reason} for s in self.skipped],
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


@dataclass(frozen=True)
class ParseOptions:
    """What an importer needs to know besides the file's text.

    Attributes:
        filename: The file's name; its stem prefixes derived item ids.
        default_competency: Competency for items whose file names none.
        known_competencies: When given, a competency outside this set is an error.
    """

    filename: str
    default_competency: str | None = None
    known_competencies: frozenset[str] | None = None

    @property
    def fallback_competency(self) -> str:
        """The competency for an item that names none itself."""
        return self.default_competency or GENERAL_COMPETENCY
