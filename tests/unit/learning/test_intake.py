"""The intake policy: role priors shrunk toward neutral, the skip rule, and self-reports."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.cat import CatConfig, ItemBank, next_item, record, results
from learning.intake import (
    MIN_LEARNERS,
    MIN_PRIOR_SD,
    NEUTRAL,
    PRIOR_STRENGTH,
    Prior,
    chance_of_exemption,
    closed_competencies,
    drop_competency,
    plan_intake,
    role_prior,
    start_state,
    worth_asking,
)
from learning.simulate import simulated_bank

CONFIG = CatConfig(confidence=0.95, min_items=1, max_items=12, top_k=2)


def _bank() -> ItemBank:
    rng = np.random.default_rng(3)
    items = [i for c in ("a", "b") for i in simulated_bank(rng, n_items=30, competency=c)]
    return ItemBank(tuple(items))


def test_too_few_learners_give_the_neutral_prior() -> None:
    few = [(2.0, 0.3)] * (MIN_LEARNERS - 1)
    assert role_prior(few) == NEUTRAL
    assert role_prior([]) == NEUTRAL


def test_the_prior_is_shrunk_toward_neutral_by_n_over_n_plus_strength() -> None:
    pairs = [(1.0, 0.5), (2.0, 0.5)] * 10  # n = 20, mean 1.5
    n, w = 20, 20 / (20 + PRIOR_STRENGTH)
    spread = sum((t - 1.5) ** 2 for t, _ in pairs) / (n - 1)
    prior = role_prior(pairs)
    assert prior.learners == n
    assert prior.mean == pytest.approx(w * 1.5)
    assert prior.sd == pytest.approx(math.sqrt(w * (spread + 0.25) + (1 - w) * 1.0))


def test_many_learners_move_the_prior_most_of_the_way() -> None:
    pairs = [(1.2 + 0.01 * (k % 7), 0.1) for k in range(2000)]
    prior = role_prior(pairs)
    assert prior.mean == pytest.approx(1.2, abs=0.05)
    assert prior.sd == MIN_PRIOR_SD, "a tight population never makes the prior tighter"


def test_non_finite_estimates_are_ignored() -> None:
    pairs = [(float("nan"), 0.3)] * 50 + [(1.0, float("inf"))] * 50
    assert role_prior(pairs) == NEUTRAL


def test_the_skip_rule_compares_expected_saving_with_30_seconds_an_item() -> None:
    assert worth_asking(minutes=20, chance=0.25, items=10)  # 5 min saved vs 5 min asked
    assert not worth_asking(minutes=20, chance=0.24, items=10)
    assert not worth_asking(minutes=0, chance=1.0, items=1)


def test_short_modules_are_not_asked_and_long_ones_are() -> None:
    bank = _bank()
    cuts = {"a": 0.3, "b": 0.3}
    found = plan_intake(cuts, {}, {"a": 4, "b": 200}, bank, config=CONFIG, threshold=0.95)
    assert found.skipped == ("a",)
    assert dict(found.asked) == {"b": 0.3}


def test_a_strong_role_prior_makes_a_competency_worth_asking() -> None:
    bank = _bank()
    cuts = {"a": 0.3}
    minutes = {"a": 12}
    weak = plan_intake(
        cuts, {"a": Prior(-1.0, 0.8, 50)}, minutes, bank, config=CONFIG, threshold=0.95
    )
    strong = plan_intake(
        cuts, {"a": Prior(1.5, 0.8, 50)}, minutes, bank, config=CONFIG, threshold=0.95
    )
    assert weak.skipped == ("a",)
    assert dict(strong.asked) == {"a": 0.3}
    assert strong.priors["a"] == Prior(1.5, 0.8, 50)


def test_the_chance_of_exemption_grows_with_the_prior_mean() -> None:
    bank = _bank()
    infos = np.ones(8) * 0.3
    chances = [
        chance_of_exemption(
            start_state({"a": 0.3}, {"a": Prior(m, 1.0)}).track("a").posterior,
            0.3,
            infos,
            threshold=0.95,
        )
        for m in (-1.0, 0.0, 1.0, 2.0)
    ]
    assert chances == sorted(chances)
    assert chances[0] < 0.05 < 0.5 < chances[-1]
    assert bank.pool("a").ids


def test_a_competency_that_will_not_pay_is_closed_after_wrong_answers() -> None:
    bank = _bank()
    state = start_state({"a": 0.3, "b": 0.3}, {})
    rng = random.Random(1)
    for _ in range(3):
        item_id = next_item(state, bank, rng=rng, config=CONFIG)
        assert item_id is not None
        state = record(state, bank.by_id[item_id], False)
    closed = closed_competencies(
        state, {"a": 10, "b": 10}, bank, config=CONFIG, threshold=0.95, planner_threshold=0.8
    )
    assert closed == {"a", "b"}, "wrong answers on short competencies end their questions"
    long = closed_competencies(
        state, {"a": 600, "b": 600}, bank, config=CONFIG, threshold=0.95, planner_threshold=0.8
    )
    assert long == frozenset(), "ten hours of modules are still worth a question"


def test_the_role_prior_starts_the_diagnostic() -> None:
    state = start_state({"a": 0.0, "b": 0.0}, {"a": Prior(1.0, 0.5)})
    a, b = state.track("a").posterior.estimate(), state.track("b").posterior.estimate()
    assert a.theta == pytest.approx(1.0, abs=0.02)
    assert a.se == pytest.approx(0.5, abs=0.02)
    assert b.theta == pytest.approx(0.0, abs=0.02)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=12), st.sampled_from(["a", "b"]))
def test_a_self_report_never_leaves_a_result_to_exempt_on(answers: list[bool], new: str) -> None:
    """However well the learner answered before saying "I'm new", nothing of it remains."""
    bank = _bank()
    state = start_state({"a": -2.0, "b": -2.0}, {})
    rng = random.Random(0)
    for correct in answers:
        item_id = next_item(state, bank, rng=rng, config=CONFIG)
        if item_id is None:
            break
        state = record(state, bank.by_id[item_id], correct)
    left = drop_competency(state, new)
    assert left is not None
    assert new not in {r.competency for r in results(left, bank, config=CONFIG)}
    assert all(a.competency != new for a in left.answers)
    other = "a" if new == "b" else "b"
    assert drop_competency(left, other) is None, "the last competency dropped ends the quiz"
