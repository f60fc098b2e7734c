"""Reading scored response matrices (learners x items, 1/0/missing) from CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np

from learning.irt import FloatArray

_VALUES = {"1": 1.0, "0": 0.0, "": np.nan}


class ResponseDataError(ValueError):
    """Response data that cannot be used; the message names the line, column or item.

    Attributes:
        line: 1-based line of the CSV text the problem is on, or 0 when it concerns a whole
            column.
    """

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def parse_response_csv(text: str) -> tuple[tuple[str, ...], FloatArray]:
    """Parse a response CSV: a header of item ids, then one row per learner.

    Cells are ``1`` (right), ``0`` (wrong) or empty (not answered); surrounding spaces are
    ignored and blank lines skipped. An item that everyone got right, or everyone wrong, is
    accepted here (its proportion correct is still useful) but `calibrate` leaves it out
    and reports it, because its 2PL parameters have no finite estimate.

    Args:
        text: The whole CSV file as text.

    Returns:
        The item ids in column order and a float matrix (learners x items) of 1.0, 0.0 and
        NaN.

    Raises:
        ResponseDataError: The header is empty or has blank/duplicate ids, a row has the wrong
            number of cells or a value other than 1, 0 or empty, there are no learner rows,
            or an item has no answers at all.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = _read_header(reader)
    rows: list[list[float]] = []
    for cells in reader:
        if not any(c.strip() for c in cells) and len(cells) <= 1:
            continue
        rows.append(_parse_row(cells, header, reader.line_num))
    if not rows:
        raise ResponseDataError("the file has a header but no learner rows", line=2)
    matrix = np.array(rows, dtype=np.float64)
    _reject_unanswered(matrix, header)
    return header, matrix


def _read_header(reader: Iterator[list[str]]) -> tuple[str, ...]:
    first = next(reader, None)
    if first is None or not any(c.strip() for c in first):
        raise ResponseDataError("the header row is empty; it must list the item ids", line=1)
    ids = [c.strip() for c in first]
    seen: dict[str, int] = {}
    for col, item_id in enumerate(ids, start=1):
        if not item_id:
            raise ResponseDataError(f"column {col} of the header has no item id", line=1)
        if item_id in seen:
            raise ResponseDataError(
                f"item id {item_id!r} appears twice in the header (columns {seen[item_id]} "
                f"and {col})",
                line=1,
            )
        seen[item_id] = col
    return tuple(ids)


def _parse_row(cells: list[str], header: tuple[str, ...], line: int) -> list[float]:
    if len(cells) != len(header):
        raise ResponseDataError(
            f"expected {len(header)} values (one per item) but found {len(cells)}", line=line
        )
    values: list[float] = []
    for item_id, cell in zip(header, cells, strict=True):
        value = _VALUES.get(cell.strip())
        if value is None:
            raise ResponseDataError(
                f"item {item_id!r} has value {cell.strip()!r}; use 1 (right), 0 (wrong) or "
                "leave it empty (not answered)",
                line=line,
            )
        values.append(value)
    return values


def _reject_unanswered(matrix: FloatArray, header: tuple[str, ...]) -> None:
    answered = (~np.isnan(matrix)).sum(axis=0)
    for col in np.flatnonzero(answered == 0):
        raise ResponseDataError(
            f"item {header[col]!r} (column {col + 1}) has no answers: nobody answered it, so "
            "nothing can be learned about it; remove the column or add responses"
        )
