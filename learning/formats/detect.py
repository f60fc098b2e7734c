"""Chooses a quiz-bank importer from the file name, sniffing the content of .txt files."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Literal, Protocol

from learning.formats.aiken import parse_aiken
from learning.formats.csv_format import parse_csv
from learning.formats.gift import parse_gift
from learning.formats.model import BankParseResult, UnknownBankFormatError
from learning.formats.yaml_format import parse_yaml

BankFormat = Literal["gift", "aiken", "csv", "yaml"]

_BY_SUFFIX: dict[str, BankFormat] = {
    ".gift": "gift",
    ".aiken": "aiken",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
}
_AIKEN_ANSWER = re.compile(r"^[ \t]*ANSWER[ \t]*:[ \t]*\S", re.IGNORECASE | re.MULTILINE)
_GIFT_BLOCK = re.compile(r"(?<!\\)\{")


class _Parser(Protocol):
    def __call__(
        self,
        text: str,
        *,
        filename: str,
        default_competency: str | None = None,
        known_competencies: frozenset[str] | None = None,
    ) -> BankParseResult: ...


_PARSERS: dict[BankFormat, _Parser] = {
    "gift": parse_gift,
    "aiken": parse_aiken,
    "csv": parse_csv,
    "yaml": parse_yaml,
}


def detect_format(text: str, *, filename: str) -> BankFormat:
    """The format of a quiz-bank file.

    The extension decides (.gift, .aiken, .csv, .yaml, .yml); a .txt file is Aiken when it has
    at least as many `ANSWER:` lines as GIFT answer blocks (`{`), else GIFT.

    Raises:
        UnknownBankFormatError: For any other extension.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix == ".txt":
        return sniff_text_format(text)
    raise UnknownBankFormatError(
        f"can't tell the quiz format of '{filename}': use a .gift, .aiken, .txt (GIFT or Aiken),"
        " .csv, .yaml or .yml file"
    )


def sniff_text_format(text: str) -> Literal["gift", "aiken"]:
    """ "aiken" or "gift" for a plain-text bank, from its ANSWER lines and answer blocks."""
    answers = len(_AIKEN_ANSWER.findall(text))
    blocks = len(_GIFT_BLOCK.findall(text))
    return "aiken" if answers and answers >= blocks else "gift"


def parse_bank(
    text: str,
    *,
    filename: str,
    default_competency: str | None = None,
    known_competencies: frozenset[str] | None = None,
) -> BankParseResult:
    """Imports a quiz bank in any supported format, chosen by `detect_format`.

    Args:
        text: The file's content.
        filename: The file's name: its extension picks the format, its stem prefixes
            derived item ids.
        default_competency: Competency for items whose file names none ("general" if None).
        known_competencies: When given, an item whose competency is outside it is an error.

    Returns:
        The valid items, the skipped questions of unsupported types and the errors.

    Raises:
        UnknownBankFormatError: When the extension names no supported format.
    """
    parser = _PARSERS[detect_format(text, filename=filename)]
    return parser(
        text,
        filename=filename,
        default_competency=default_competency,
        known_competencies=known_competencies,
    )
