"""Mastery verdicts and the "about N to go" estimate."""

from __future__ import annotations

import random

import numpy as np
import pytest

from learning.cat import CatConfig, CatState, ItemBank, next_item, record
from learning.cat_progress import expected_remaining
from learning.irt import probability
from learning.mastery import judge
from learning.simulate import simulated_bank


@pytest.mark.parametrize(
    ("p", "verdict", "pct"),
    [
        (0.9299, "mastered", 92),
        (0.8, "mastered", 80),
        (0.7999, "undetermined", 79),
        (0.5, "undetermined", 50),
        (0.2, "not mastered", 80),
        (0.04, "not mastered", 96),
        (0.99999, "mastered", 99),
        (0.0, "not mastered", 99),
    ],
)
def test_verdicts_follow_the_threshold_and_never_round_up(p: float, verdict: str, pct: int) -> None:
    judged = judge(p, threshold=0.8)
    assert judged.verdict == verdict
    assert judged.sure_percent == pct


def test_impossible_probabilities_and_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="probability"):
        judge(1.2, threshold=0.8)
    with pytest.raises(ValueError, match="threshold"):
        judge(0.5, threshold=0.4)


def _bank(per_competency: int, seed: int) -> ItemBank:
    rng = np.random.default_rng(seed)
    items = simulated_bank(rng, n_items=per_competency, competency="x")
    items += simulated_bank(rng, n_items=per_competency, competency="y")
    return ItemBank(items)


@pytest.mark.parametrize(("per_competency", "tolerance"), [(5, 1.0), (60, 2.5)])
def test_the_estimate_of_items_left_tracks_what_the_diagnostic_then_asks(
    per_competency: int, tolerance: float
) -> None:
    bank = _bank(per_competency, seed=per_competency)
    config = CatConfig(min_items=3, max_items=10, max_total_items=20)
    rng = np.random.default_rng(5)
    errors: list[int] = []
    for _ in range(60):
        truth = {"x": rng.normal(), "y": rng.normal()}
        state = CatState.start({"x": 0.5, "y": 0.0})
        predicted: list[int] = []
        while True:
            predicted.append(expected_remaining(state, bank, config=config))
            item_id = next_item(state, bank, rng=random.Random(len(state.answers)), config=config)
            if item_id is None:
                break
            item = bank.by_id[item_id]
            p = float(probability(truth[item.competency], a=item.a, b=item.b))
            state = record(state, item, bool(rng.random() < p))
        asked = len(state.answers)
        errors += [guess - (asked - k) for k, guess in enumerate(predicted)]
        assert predicted[-1] == 0, "a finished diagnostic has nothing left"
        assert all(g <= config.max_total_items - k for k, g in enumerate(predicted))
    assert np.mean(np.abs(errors)) < tolerance
