"""The diagnostic's Bayes sequential stopping rule, pinned by golden answer sequences."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest

from learning.cat import CatConfig, CatState, ItemBank, next_item, record, results
from learning.simulate import simulated_bank
from learning.stopping import sequential_benefit

CUT = 0.5


@pytest.fixture(scope="module")
def bank() -> ItemBank:
    return ItemBank(simulated_bank(np.random.default_rng(2024), n_items=200, competency="c"))


def _run(bank: ItemBank, pattern: Iterator[bool], config: CatConfig) -> tuple[CatState, list[str]]:
    """Answer with ``pattern`` until the diagnostic stops; the state and the asked ids."""
    state, asked = CatState.start({"c": CUT}), []
    while (item_id := next_item(state, bank, rng=random.Random(0), config=config)) is not None:
        asked.append(item_id)
        state = record(state, bank.by_id[item_id], next(pattern))
    return state, asked


def _repeat(*answers: bool) -> Iterator[bool]:
    while True:
        yield from answers


def test_a_clearly_strong_pattern_stops_early_as_mastered(bank: ItemBank) -> None:
    config = CatConfig(top_k=1)
    state, asked = _run(bank, _repeat(True), config)
    (result,) = results(state, bank, config=config)
    assert asked == GOLDEN_STRONG
    assert (result.decision, result.stop_reason, result.by_posterior) == (
        "mastered",
        STRONG_REASON,
        False,
    )


def test_a_clearly_weak_pattern_stops_early_as_not_mastered(bank: ItemBank) -> None:
    config = CatConfig(top_k=1)
    state, asked = _run(bank, _repeat(False), config)
    (result,) = results(state, bank, config=config)
    assert asked == GOLDEN_WEAK
    assert (result.decision, result.stop_reason, result.by_posterior) == (
        "not mastered",
        WEAK_REASON,
        False,
    )


def test_a_pattern_near_the_cut_keeps_asking(bank: ItemBank) -> None:
    config = CatConfig(top_k=1)
    state = CatState.start({"c": CUT})
    answers = _repeat(True, False)
    for _ in range(12):
        item_id = next_item(state, bank, rng=random.Random(0), config=config)
        assert item_id is not None, "stopped while the learner sits at the cut"
        state = record(state, bank.by_id[item_id], next(answers))
    (result,) = results(state, bank, config=config)
    assert result.stop_reason is None
    assert result.decision == "undetermined"
    assert 0.2 < result.p_mastery < 0.8


def test_at_the_item_cap_the_posterior_decides(bank: ItemBank) -> None:
    config = CatConfig(top_k=1, max_items=8)
    state, asked = _run(bank, _repeat(True, False), config)
    (result,) = results(state, bank, config=config)
    assert len(asked) == 8
    assert result.stop_reason == "max items"
    assert result.by_posterior
    assert result.decision == ("mastered" if result.p_mastery >= 0.5 else "not mastered")
    assert round(result.p_mastery, 3) == GOLDEN_CAP_P


def test_benefit_is_largest_near_the_cut_and_zero_without_items() -> None:
    infos = np.full(40, 0.5)
    near = sequential_benefit(estimate=0.5, se=0.4, cut=0.5, infos=infos, cost=0.002)
    far = sequential_benefit(estimate=2.5, se=0.4, cut=0.5, infos=infos, cost=0.002)
    assert near > 0.002 > far >= 0.0
    assert sequential_benefit(estimate=0.5, se=0.4, cut=0.5, infos=infos[:0], cost=0.002) == 0.0


def test_a_cheaper_item_is_never_less_worth_asking() -> None:
    infos = np.full(40, 0.5)
    dear = sequential_benefit(estimate=1.2, se=0.35, cut=0.5, infos=infos, cost=0.01)
    cheap = sequential_benefit(estimate=1.2, se=0.35, cut=0.5, infos=infos, cost=0.0005)
    assert cheap >= dear


def test_a_negative_item_cost_is_refused() -> None:
    with pytest.raises(ValueError, match="item_cost"):
        CatConfig(item_cost=-0.001)


# Golden sequences under the default settings with top_k=1 (no exposure randomness).
GOLDEN_STRONG = ["c-0097", "c-0106", "c-0156", "c-0046", "c-0033", "c-0160"]
STRONG_REASON = "confident"
GOLDEN_WEAK = ["c-0097", "c-0106", "c-0156"]
WEAK_REASON = "confident"
GOLDEN_CAP_P = 0.23
