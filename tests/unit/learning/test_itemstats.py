"""Classical item statistics and flags on constructed and real response matrices."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from learning.itemstats import MIN_ANSWERS_FOR_FLAGS, item_stats


def _constructed() -> np.ndarray:
    """100 learners ranked by ability; columns with known difficulty and discrimination."""
    rng = np.random.default_rng(0)
    ability = np.sort(rng.normal(size=100))
    fair = (ability[:, None] + rng.normal(scale=0.7, size=(100, 4)) > 0).astype(float)
    easy = np.ones(100)
    easy[:2] = 0.0  # p = 0.98; the two misses are the weakest learners
    hard = np.zeros(100)
    hard[-10:] = 1.0  # p = 0.10, only the strongest
    backwards = (ability < 0).astype(float)  # the weaker half gets it right
    sparse = np.full(100, np.nan)
    sparse[:10] = 0.0  # 10 answers, all wrong: too few to flag
    return np.column_stack([fair, easy, hard, backwards, sparse])


IDS = ["f1", "f2", "f3", "f4", "easy", "hard", "backwards", "sparse"]


def test_flags_match_the_constructed_properties() -> None:
    stats = {s.item_id: s for s in item_stats(_constructed(), IDS)}
    assert stats["easy"].flags == ("too easy",)
    assert stats["hard"].flags == ("too hard",)
    assert stats["backwards"].flags == ("negative discrimination",)
    assert all(stats[f"f{k}"].flags == () for k in range(1, 5))
    assert all((stats[f"f{k}"].point_biserial or 0.0) > 0.3 for k in range(1, 5))
    assert stats["easy"].p_correct == pytest.approx(0.98)
    assert stats["hard"].p_correct == pytest.approx(0.10)


def test_too_few_answers_are_reported_but_not_flagged() -> None:
    sparse = item_stats(_constructed(), IDS)[-1]
    assert sparse.answers == 10 < MIN_ANSWERS_FOR_FLAGS
    assert sparse.p_correct == 0.0
    assert sparse.point_biserial is None  # no variance in the item
    assert sparse.flags == ()
    assert item_stats(_constructed(), IDS, min_answers=5)[-1].flags == ("too hard",)


def test_point_biserial_is_corrected_for_the_item_itself() -> None:
    matrix = _constructed()[:, :7]
    stats = item_stats(matrix, IDS[:7])
    for j, stat in enumerate(stats):
        rest = (matrix.sum(axis=1) - matrix[:, j]) / 6
        assert stat.point_biserial == pytest.approx(np.corrcoef(matrix[:, j], rest)[0, 1])
        uncorrected = np.corrcoef(matrix[:, j], matrix.sum(axis=1))[0, 1]
        assert stat.point_biserial < uncorrected


def test_missing_answers_use_the_answered_items_only() -> None:
    matrix = np.array(
        [[1, 1, np.nan], [1, np.nan, 1], [0, 0, np.nan], [0, np.nan, 0], [np.nan, 1, 1]]
    )
    stats = item_stats(matrix, ["a", "b", "c"])
    assert [s.answers for s in stats] == [4, 3, 3]
    assert stats[0].p_correct == pytest.approx(0.5)
    assert stats[0].point_biserial == pytest.approx(1.0)  # rest = the one other answer


def test_rejects_a_mismatched_id_list() -> None:
    with pytest.raises(ValueError, match="with 3 columns"):
        item_stats(np.zeros((4, 2)), ["a", "b", "c"])


def _sat12(shared_data: Path) -> np.ndarray:
    folder = shared_data / "irt" / "sat12"
    with (folder / "SAT12_raw_choices.csv").open(newline="") as fh:
        raw = np.array(list(csv.reader(fh))[1:], dtype=np.float64)
    key = np.array(json.loads((folder / "key.json").read_text())["key"])
    scored: np.ndarray = (raw == key).astype(np.float64)
    return scored


def test_sat12_statistics_are_consistent(shared_data: Path) -> None:
    scored = _sat12(shared_data)
    ids = [f"Item.{k}" for k in range(1, 33)]
    stats = item_stats(scored, ids)
    np.testing.assert_allclose([s.p_correct or 0.0 for s in stats], scored.mean(axis=0))
    assert [s.answers for s in stats] == [600] * 32
    r = np.array([s.point_biserial for s in stats], dtype=float)
    assert np.all((r > -1) & (r < 1))
    assert np.median(r) > 0.25  # a working achievement test discriminates
    assert sum("negative discrimination" in s.flags for s in stats) <= 2


def test_lsat6_statistics_match_the_published_table(shared_data: Path) -> None:
    path = shared_data / "irt" / "lsat6_lsat7" / "LSAT_expanded_ltm.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    matrix = np.array(rows[1:], dtype=np.float64)
    stats = item_stats(matrix, rows[0])
    np.testing.assert_allclose([s.p_correct or 0.0 for s in stats], matrix.mean(axis=0))
    # The LSAT6 proportions correct as published (Bock & Lieberman 1970; ltm's descript()).
    expected = [0.924, 0.709, 0.553, 0.763, 0.870]
    assert [round(s.p_correct or 0.0, 3) for s in stats] == expected
    assert all((s.point_biserial or 0.0) > 0 for s in stats)
    assert stats[0].flags == ()  # 0.924 is easy but not past the 0.95 flag
