"""Classical item statistics (difficulty, discrimination, exposure) with quality flags."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from learning.irt import FloatArray

ItemFlag = Literal["too easy", "too hard", "negative discrimination"]

# Below this many answers a proportion has a standard error of 0.1 or more, so flags would
# mostly be noise; statistics are still reported.
MIN_ANSWERS_FOR_FLAGS = 20
TOO_EASY = 0.95
TOO_HARD = 0.2


@dataclass(frozen=True)
class ItemStat:
    """Classical statistics of one item.

    Attributes:
        item_id: The item.
        answers: How many learners answered it (its exposure).
        p_correct: Proportion of those answers that were right (None without answers).
        point_biserial: Corrected item-rest correlation (None when undefined: no answers or
            no variance in the item or the rest score).
        flags: Quality warnings; only given from `MIN_ANSWERS_FOR_FLAGS` answers on.
    """

    item_id: str
    answers: int
    p_correct: float | None
    point_biserial: float | None
    flags: tuple[ItemFlag, ...]


def item_stats(
    responses: FloatArray, item_ids: Sequence[str], *, min_answers: int = MIN_ANSWERS_FOR_FLAGS
) -> list[ItemStat]:
    """Proportion correct, corrected point-biserial and exposure for every item.

    The rest score of a learner is their proportion correct over the *other* items they
    answered, so the item does not correlate with itself; with complete data this is the
    usual corrected item-total correlation (a proportion is a linear function of the sum).

    Args:
        responses: Learners x items matrix of 1.0, 0.0 and NaN (not answered).
        item_ids: Ids of the columns.
        min_answers: Answers needed before an item is flagged.

    Raises:
        ValueError: The matrix does not have one column per id.
    """
    matrix = np.asarray(responses, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(item_ids):
        raise ValueError(
            f"responses must be a learners x items matrix with {len(item_ids)} columns, "
            f"got shape {matrix.shape}"
        )
    seen = ~np.isnan(matrix)
    right = np.where(seen, matrix, 0.0)
    return [
        _stat(item_id, j, right=right, seen=seen, min_answers=min_answers)
        for j, item_id in enumerate(item_ids)
    ]


def _stat(
    item_id: str, j: int, *, right: FloatArray, seen: np.ndarray, min_answers: int
) -> ItemStat:
    rows = seen[:, j]
    answers = int(rows.sum())
    if answers == 0:
        return ItemStat(item_id, 0, None, None, ())
    p = float(right[rows, j].mean())
    rest_n = seen[rows].sum(axis=1) - 1
    usable = rest_n > 0
    rest = (right[rows].sum(axis=1) - right[rows, j])[usable] / rest_n[usable]
    r = _correlation(right[rows, j][usable], rest)
    return ItemStat(
        item_id, answers, p, r, _flags(p=p, r=r, answers=answers, min_answers=min_answers)
    )


def _correlation(x: FloatArray, y: FloatArray) -> float | None:
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return None
    r = float(np.corrcoef(x, y)[0, 1])
    return r if math.isfinite(r) else None


def _flags(*, p: float, r: float | None, answers: int, min_answers: int) -> tuple[ItemFlag, ...]:
    if answers < min_answers:
        return ()
    flags: list[ItemFlag] = []
    if p > TOO_EASY:
        flags.append("too easy")
    if p < TOO_HARD:
        flags.append("too hard")
    if r is not None and r < 0:
        flags.append("negative discrimination")
    return tuple(flags)
