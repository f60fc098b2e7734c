"""2PL calibration reproduces published LSAT estimates; response CSVs are parsed strictly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from learning.calibration import CalibrationError, apply_calibration, calibrate
from learning.items import Item
from learning.response_data import ResponseDataError, parse_response_csv


def _lsat(shared_data: Path) -> Path:
    return shared_data / "irt" / "lsat6_lsat7"


def _expand_patterns(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    table = np.array(rows[1:], dtype=np.float64)
    return rows[0][:-1], np.repeat(table[:, :-1], table[:, -1].astype(int), axis=0)


def test_lsat6_matches_published_ltm_estimates(shared_data: Path) -> None:
    ids, responses = _expand_patterns(_lsat(shared_data) / "LSAT6_patterns_mirt.csv")
    ref = json.loads((_lsat(shared_data) / "published_estimates.json").read_text())
    published = ref["LSAT6_2PL_ltm"]
    assert responses.shape == (1000, 5)
    result = calibrate(responses, ids)
    assert result.converged
    assert result.log_likelihood == pytest.approx(published["logLik"], abs=0.01)
    for item_id, pub in zip(ids, published["items"].values(), strict=True):
        a, b = result.items[item_id]
        assert a == pytest.approx(pub["Dscrmn"], abs=0.05), item_id
        assert b == pytest.approx(pub["Dffclt"], abs=0.05), item_id


def test_lsat6_from_the_expanded_csv_text_gives_the_same_fit(shared_data: Path) -> None:
    ids, responses = parse_response_csv((_lsat(shared_data) / "LSAT_expanded_ltm.csv").read_text())
    assert ids == ("Item 1", "Item 2", "Item 3", "Item 4", "Item 5")
    result = calibrate(responses, ids)
    assert result.log_likelihood == pytest.approx(-2466.653, abs=0.01)
    assert result.items["Item 1"][1] == pytest.approx(-3.3597, abs=0.05)


def test_lsat7_matches_the_mirt_reference(shared_data: Path) -> None:
    """mirt's own test checks a1 and d to 1e-2; so do we. b = -d/a1 inherits up to
    |dd|/a + |d| |da| / a^2 ~ 0.05 (item 5: a = 0.74, d = 1.85), hence 0.05 on b."""
    ids, responses = _expand_patterns(_lsat(shared_data) / "LSAT7_patterns_mirt.csv")
    ref = json.loads((_lsat(shared_data) / "published_estimates.json").read_text())
    mirt = ref["LSAT7_2PL_mirt_test_reference"]["items"]
    result = calibrate(responses, ids)
    assert result.converged
    assert result.log_likelihood == pytest.approx(-2658.805, abs=0.01)
    for item_id, pub in zip(ids, mirt.values(), strict=True):
        a, b = result.items[item_id]
        assert a == pytest.approx(pub["a1"], abs=0.01), item_id
        assert -a * b == pytest.approx(pub["d"], abs=0.01), item_id
        assert b == pytest.approx(-pub["d"] / pub["a1"], abs=0.05), item_id


def _simulated(seed: int, n: int = 3000, missing: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = np.column_stack([rng.uniform(0.7, 1.8, 8), rng.uniform(-1.5, 1.5, 8)])
    theta = rng.normal(size=(n, 1))
    p = 1 / (1 + np.exp(-params[:, 0] * (theta - params[:, 1])))
    resp = (rng.random(p.shape) < p).astype(np.float64)
    resp[rng.random(resp.shape) < missing] = np.nan
    return resp, params


def test_recovers_parameters_with_missing_answers() -> None:
    resp, truth = _simulated(seed=11)
    ids = [f"q{j}" for j in range(8)]
    result = calibrate(resp, ids)
    est = np.array([result.items[i] for i in ids])
    assert np.abs(est[:, 1] - truth[:, 1]).max() < 0.25
    assert np.abs(est[:, 0] - truth[:, 0]).max() < 0.35


def test_constant_items_are_left_out_and_reported() -> None:
    resp, _ = _simulated(seed=3, n=400, missing=0.0)
    resp[:, 2] = 1.0
    resp[:, 5] = 0.0
    resp[:10, 5] = np.nan
    ids = [f"q{j}" for j in range(8)]
    result = calibrate(resp, ids)
    assert set(result.excluded) == {"q2", "q5"}
    assert "everyone answered it correctly (400 answers)" in result.excluded["q2"]
    assert "nobody answered it correctly (390 answers)" in result.excluded["q5"]
    assert set(result.items) == {f"q{j}" for j in (0, 1, 3, 4, 6, 7)}


def test_apply_calibration_updates_only_calibrated_items() -> None:
    items = tuple(Item(id=i, stem=i, kind="single", options=(), competency="c") for i in "xyz")
    resp, _ = _simulated(seed=5, n=500, missing=0.0)
    result = calibrate(resp[:, :3], ["x", "y", "w"])
    updated = apply_calibration(items, result)
    assert (updated[0].a, updated[0].b) == result.items["x"]
    assert updated[2] == items[2]


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (np.full(50, np.nan), "item 'q1' has no answers"),
        (np.full(50, 2.0), "learner 1, item 'q1': value 2.0 is not 1, 0"),
    ],
)
def test_calibrate_rejects_unusable_columns(column: np.ndarray, message: str) -> None:
    resp, _ = _simulated(seed=1, n=50, missing=0.0)
    resp[:, 1] = column
    with pytest.raises(CalibrationError, match=message):
        calibrate(resp, [f"q{j}" for j in range(8)])


def test_calibrate_rejects_bad_shapes_and_too_few_items() -> None:
    resp, _ = _simulated(seed=1, n=50, missing=0.0)
    with pytest.raises(CalibrationError, match="with 3 columns"):
        calibrate(resp, ["a", "b", "c"])
    with pytest.raises(CalibrationError, match="unique"):
        calibrate(resp, ["a"] * 8)
    with pytest.raises(CalibrationError, match="at least 3 items"):
        calibrate(resp[:, :2], ["a", "b"])


def test_parse_response_csv_reads_blanks_as_missing() -> None:
    ids, matrix = parse_response_csv("\ufeffq1, q2 ,q3\n1,0,\n 0 ,,1\n\n1,1,0\n")
    assert ids == ("q1", "q2", "q3")
    expected = np.array([[1, 0, np.nan], [0, np.nan, 1], [1, 1, 0]])
    np.testing.assert_array_equal(matrix, expected)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "header row is empty"),
        (" , \n1,0\n", 1, "header row is empty"),
        ("q1,,q3\n1,0,1\n", 1, "column 2 of the header has no item id"),
        ("q1,q2,q1\n1,0,1\n", 1, "'q1' appears twice in the header (columns 1 and 3)"),
        ("q1,q2\n1,0\n0,1,1\n", 3, "expected 2 values (one per item) but found 3"),
        ("q1,q2\n1,0\n1\n", 3, "expected 2 values (one per item) but found 1"),
        ("q1,q2\n1,0\n2,1\n", 3, "item 'q1' has value '2'"),
        ("q1,q2\n1,yes\n", 2, "item 'q2' has value 'yes'"),
        ("q1,q2\n1,0.5\n", 2, "item 'q2' has value '0.5'"),
        ("q1,q2\n", 2, "no learner rows"),
    ],
)
def test_parse_response_csv_rejects_bad_files(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ResponseDataError) as info:
        parse_response_csv(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ")
    assert fragment in str(info.value)


def test_parse_response_csv_names_an_item_nobody_answered() -> None:
    with pytest.raises(ResponseDataError, match=r"item 'q2' \(column 2\) has no answers"):
        parse_response_csv("q1,q2,q3\n1,,0\n0,,1\n")


def test_parse_response_csv_accepts_an_item_everyone_got_right() -> None:
    ids, matrix = parse_response_csv("q1,q2,q3\n1,1,0\n1,0,1\n1,1,1\n1,0,0\n")
    assert np.all(matrix[:, 0] == 1.0)
    with pytest.raises(CalibrationError, match=r"at least 3 items .* found 2"):
        calibrate(matrix, ids)  # q1 is excluded, leaving two
