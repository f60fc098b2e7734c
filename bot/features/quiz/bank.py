"""Item-bank operations behind the command line: import files, calibrate, item statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.names import Named
from bot.features.names import resolve
from learning.calibration import CalibrationError, CalibrationResult, calibrate
from learning.formats import UnknownBankFormatError, parse_bank
from learning.formats.model import BankParseResult, ParseError
from learning.framework import Competency
from learning.irt import FloatArray
from learning.itemstats import item_stats
from learning.response_data import ResponseDataError, parse_response_csv

MAX_BANK_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ImportReport:
    """The outcome of `learnbot quiz import`.

    Attributes:
        imported: Items stored (0 when errors stopped the import).
        skipped: Questions of unsupported types: [{"line", "reason"}].
        errors: Malformed questions and file problems: [{"line", "message"}].
    """

    imported: int
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The JSON contract: {"imported": n, "skipped": [...], "errors": [...]}."""
        return {"imported": self.imported, "skipped": self.skipped, "errors": self.errors}


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.stat().st_size > MAX_BANK_BYTES:
        raise UserError(f"{path}: larger than {MAX_BANK_BYTES // (1024 * 1024)} MB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text") from err


def _clashes(services: Services, result: BankParseResult, source: str) -> dict[str, ParseError]:
    """Items whose id is already used by an item imported from another file, by id."""
    stored = services.items.sources([i.id for i in result.items])
    return {
        i.id: ParseError(
            i.source_line, f"id '{i.id}' is already used by an item from {stored[i.id]}"
        )
        for i in result.items
        if stored.get(i.id, source) != source
    }


def import_bank_file(
    services: Services,
    path: Path,
    *,
    skip_invalid: bool = False,
    competency: str | None = None,
) -> ImportReport:
    """Import a quiz-bank file (YAML, CSV, GIFT or Aiken), all or nothing.

    A file with any error imports nothing unless `skip_invalid`, which imports its valid
    items. Questions of unsupported types are reported as skipped, never imported.
    Competencies must be those of the framework, once one is imported. An id already used
    by an item from another file is an error; re-importing the same file updates its items.

    Args:
        services: The core's services.
        path: The bank file.
        skip_invalid: Import the valid items of a file with errors.
        competency: The competency of items whose file cannot name one (Aiken, GIFT outside
            any category, CSV rows without one, YAML items without one): an id, title or
            unambiguous title prefix of a framework competency.
    """
    try:
        text = _read_text(path)
        framework = services.framework.get().competencies
        known = frozenset(c.id for c in framework) or None
        default = _competency(framework, competency) if competency else None
        result = parse_bank(
            text, filename=path.name, default_competency=default, known_competencies=known
        )
    except (UserError, UnknownBankFormatError) as err:
        return ImportReport(0, [], [{"line": 0, "message": str(err)}])
    clashes = _clashes(services, result, path.name)
    errors = sorted([*result.errors, *clashes.values()], key=lambda e: e.line)
    skipped = [{"line": s.line, "reason": s.reason} for s in result.skipped]
    error_list: list[dict[str, Any]] = [{"line": e.line, "message": e.message} for e in errors]
    if errors and not skip_invalid:
        return ImportReport(0, skipped, error_list)
    good = [i for i in result.items if i.id not in clashes]
    services.items.import_items(good, source=path.name, now=services.clock.now())
    return ImportReport(len(good), skipped, error_list)


def calibration_json(result: CalibrationResult) -> dict[str, Any]:
    """The JSON contract: {"items": {id: {"a", "b"}}, "log_likelihood"} (logistic scale)."""
    return {
        "items": {
            item_id: {"a": round(a, 6), "b": round(b, 6)}
            for item_id, (a, b) in result.items.items()
        },
        "log_likelihood": round(result.log_likelihood, 6),
    }


def _calibrate(ids: tuple[str, ...], matrix: FloatArray) -> CalibrationResult:
    try:
        return calibrate(matrix, ids)
    except CalibrationError as err:
        raise UserError(f"cannot calibrate: {err}") from err


def calibrate_file(path: Path) -> CalibrationResult:
    """Calibrate a response CSV (header of item ids; rows of 1, 0 or empty) without storing."""
    try:
        ids, matrix = parse_response_csv(_read_text(path))
    except ResponseDataError as err:
        raise UserError(f"{path}: {err}") from err
    return _calibrate(ids, matrix)


def calibrate_stored(services: Services) -> tuple[CalibrationResult, int, int]:
    """Calibrate from the response log and store the parameters.

    Returns:
        The result, the number of items updated, and the number of learners in the data.

    Raises:
        UserError: No answers are stored, or there is too little variation to calibrate.
    """
    repo = services.items
    ids, matrix = repo.response_matrix()
    if not ids:
        raise UserError("cannot calibrate: no answers are stored yet")
    result = _calibrate(ids, matrix)
    updated = repo.set_params(result.items, now=services.clock.now())
    return result, updated, int(matrix.shape[0])


def stored_item_stats(services: Services) -> list[dict[str, Any]]:
    """Per item of the bank: answers, proportion correct, point-biserial, flags, parameters.

    `answers` and the statistics count first answers in quizzes and checks; answers given in
    lessons are counted apart (`practice_answers`, `practice_correct`), since they come after
    the learner read the material.
    """
    repo = services.items
    ids, matrix = repo.response_matrix()
    stats = {s.item_id: s for s in item_stats(matrix, list(ids))} if ids else {}
    calibrated = repo.calibrated_ids()
    practice = repo.practice_counts()
    rows = []
    for item in repo.bank(include_retired=True):
        stat = stats.get(item.id)
        rows.append(
            {
                "id": item.id,
                "competency": item.competency,
                "stem": item.stem,
                "answers": stat.answers if stat else 0,
                "practice_answers": practice.get(item.id, (0, 0))[0],
                "practice_correct": practice.get(item.id, (0, 0))[1],
                "p_correct": _rounded(stat.p_correct if stat else None),
                "point_biserial": _rounded(stat.point_biserial if stat else None),
                "flags": list(stat.flags) if stat else [],
                "a": round(item.a, 4),
                "b": round(item.b, 4),
                "calibrated": item.id in calibrated,
            }
        )
    return rows


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _competency(framework: Sequence[Competency], name: str) -> str:
    """The framework competency `name` means (any id when there is no framework yet)."""
    if not framework:
        return name.strip()
    named = [Named(c.id, c.title) for c in framework]
    listed = ", ".join(c.id for c in framework[:12])
    unknown = msg.IMPORT_UNKNOWN_COMPETENCY.format(name=name[:60], known=listed)
    return resolve(name, named, kind="competency", unknown=unknown).id
