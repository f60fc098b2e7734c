"""Quiz-bank importers: GIFT, Aiken, CSV and YAML files to quiz items, skips and errors."""

from __future__ import annotations

from learning.formats.aiken import parse_aiken
from learning.formats.csv_format import parse_csv
from learning.formats.detect import BankFormat, detect_format, parse_bank, sniff_text_format
from learning.formats.gift import parse_gift
from learning.formats.model import (
    BankParseResult,
    ParseError,
    Skipped,
    UnknownBankFormatError,
)
from learning.formats.text import html_to_text
from learning.formats.yaml_format import parse_yaml

__all__ = [
    "BankFormat",
    "BankParseResult",
    "ParseError",
    "Skipped",
    "UnknownBankFormatError",
    "detect_format",
    "html_to_text",
    "parse_aiken",
    "parse_bank",
    "parse_csv",
    "parse_gift",
    "parse_yaml",
    "sniff_text_format",
]
