"""The adaptive diagnostic: persistence, item choice, content balancing, stopping, decisions."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from learning.cat import (
    CatConfig,
    CatState,
    CatStateError,
    ItemBank,
    Selection,
    next_item,
    record,
    results,
)
from learning.irt import information
from learning.items import Item
from learning.simulate import Answerer, run_diagnostic, simulated_bank, simulated_learner
from learning.stopping import expected_gain_per_item

COMPETENCIES = ("sql", "python", "git")
CUTS = dict.fromkeys(COMPETENCIES, 0.5)


@pytest.fixture(scope="module")
def bank() -> ItemBank:
    rng = np.random.default_rng(42)
    items: list[Item] = []
    for comp in COMPETENCIES:
        items.extend(simulated_bank(rng, n_items=60, competency=comp))
    return ItemBank(tuple(items))


def _always(correct: bool | None) -> Answerer:
    return lambda _item: correct


def test_state_round_trips_through_json_and_resumes_identically(bank: ItemBank) -> None:
    config = CatConfig()
    state = CatState.start(CUTS)
    answers = [True, False, None, True, True, False, True]
    for k, answer in enumerate(answers):
        item_id = next_item(state, bank, rng=random.Random(k), config=config)
        assert item_id is not None
        state = record(state, bank.by_id[item_id], answer)
    restored = CatState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert [a.response for a in restored.answers] == answers
    assert results(restored, bank, config=config) == results(state, bank, config=config)
    assert next_item(restored, bank, rng=random.Random(9), config=config) == next_item(
        state, bank, rng=random.Random(9), config=config
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=99), "unsupported diagnostic state version 99"),
        (lambda d: d.pop("grid"), "saved diagnostic state is invalid"),
        (lambda d: d["competencies"][0].update(log_posterior=[0.0] * 5), "grid has 81 points"),
        (lambda d: d["answers"].append(list(d["answers"][0])), "lists an item twice"),
        (lambda d: d["answers"].append(["zz", "art", True]), "unknown competencies"),
        (lambda d: d["answers"].append(["zz", "sql", "yes"]), "must be true, false or null"),
        (lambda d: d["competencies"].append(d["competencies"][0]), "competency twice"),
    ],
)
def test_from_dict_rejects_damaged_state(
    bank: ItemBank, mutate: Callable[[dict[str, Any]], object], message: str
) -> None:
    state = CatState.start(CUTS)
    state = record(state, bank.items[0], True)
    data = json.loads(json.dumps(state.to_dict()))
    mutate(data)
    with pytest.raises(CatStateError, match=message):
        CatState.from_dict(data)


def test_a_whole_diagnostic_never_repeats_an_item(bank: ItemBank) -> None:
    config = CatConfig(confidence=0.99999, min_gain_per_item=0.0, item_cost=0.0, max_items=60)
    learner = simulated_learner(dict.fromkeys(COMPETENCIES, 0.5), np.random.default_rng(1))
    state = run_diagnostic(bank, CUTS, learner, config=config, rng=random.Random(1))
    asked = [a.item_id for a in state.answers]
    assert len(asked) == len(set(asked))
    assert len(asked) == len(bank.items)  # ran the bank dry: every choice had to avoid repeats
    assert next_item(state, bank, rng=random.Random(2), config=config) is None


def test_record_rejects_repeats_and_foreign_competencies(bank: ItemBank) -> None:
    state = record(CatState.start({"sql": 0.5}), bank.items[0], True)
    with pytest.raises(CatStateError, match="already asked"):
        record(state, bank.items[0], False)
    python_item = next(i for i in bank.items if i.competency == "python")
    with pytest.raises(CatStateError, match="'python' is not part of this diagnostic"):
        record(state, python_item, True)


def test_content_balancing_interleaves_competencies(bank: ItemBank) -> None:
    rng = np.random.default_rng(5)
    learner = simulated_learner({"sql": 0.4, "python": 0.6, "git": 0.5}, rng)
    state = CatState.start(CUTS)
    config = CatConfig()
    for k in range(12):  # learners near the cut: no competency finishes this early
        item_id = next_item(state, bank, rng=random.Random(k), config=config)
        assert item_id is not None
        state = record(state, bank.by_id[item_id], learner(bank.by_id[item_id]))
        counts = [state.items_used(c) for c in COMPETENCIES]
        assert max(counts) - min(counts) <= 1
    assert [state.items_used(c) for c in COMPETENCIES] == [4, 4, 4]


def test_stops_early_when_the_decision_is_confident(bank: ItemBank) -> None:
    config = CatConfig()
    state = run_diagnostic(bank, {"sql": 0.5}, _always(True), config=config, rng=random.Random(0))
    (result,) = results(state, bank, config=config)
    assert result.stop_reason == "confident"
    assert result.decision == "mastered"
    assert result.p_mastery >= config.confidence
    assert config.min_items <= result.items_used <= 10


def test_dont_know_counts_as_wrong(bank: ItemBank) -> None:
    item = bank.items[3]
    unsure = record(CatState.start(CUTS), item, None)
    wrong = record(CatState.start(CUTS), item, False)
    assert unsure.competencies == wrong.competencies
    assert unsure.answers[0].response is None


@pytest.mark.parametrize(("theta", "mastered"), [(2.5, True), (-1.5, False)])
def test_clear_learners_are_classified_correctly(
    bank: ItemBank, theta: float, mastered: bool
) -> None:
    config = CatConfig()
    for seed in range(10):
        learner = simulated_learner({"git": theta}, np.random.default_rng(seed))
        state = run_diagnostic(bank, {"git": 0.5}, learner, config=config, rng=random.Random(seed))
        (result,) = results(state, bank, config=config)
        assert result.decision == ("mastered" if mastered else "not mastered"), seed
        assert result.items_used <= 15


def test_small_simulation_is_accurate_and_short(bank: ItemBank) -> None:
    config = CatConfig()
    rng = np.random.default_rng(2024)
    thetas = rng.normal(size=120)
    used, correct = [], []
    for k, theta in enumerate(thetas):
        learner = simulated_learner({"sql": float(theta)}, rng)
        state = run_diagnostic(bank, {"sql": 0.5}, learner, config=config, rng=random.Random(k))
        (result,) = results(state, bank, config=config)
        used.append(result.items_used)
        correct.append(result.likely_mastered == (theta > 0.5))
    assert np.mean(correct) >= 0.88
    assert np.mean(used) <= 16


def test_limits_are_respected(bank: ItemBank) -> None:
    config = CatConfig(
        confidence=0.999, min_gain_per_item=0.0, item_cost=0.0, max_items=5, max_total_items=12
    )
    learner = simulated_learner(dict.fromkeys(COMPETENCIES, 0.5), np.random.default_rng(0))
    state = run_diagnostic(bank, CUTS, learner, config=config, rng=random.Random(0))
    assert len(state.answers) == 12
    assert all(state.items_used(c) <= 5 for c in COMPETENCIES)
    assert all(r.finished for r in results(state, bank, config=config))


def test_target_se_stops_a_competency(bank: ItemBank) -> None:
    config = CatConfig(
        confidence=0.9999, min_gain_per_item=0.0, item_cost=0.0, target_se=0.5, top_k=1
    )
    learner = simulated_learner({"sql": 0.5}, np.random.default_rng(3))
    state = run_diagnostic(bank, {"sql": 0.5}, learner, config=config, rng=random.Random(0))
    (result,) = results(state, bank, config=config)
    assert result.stop_reason == "precise"
    assert result.se < 0.5


def test_exposure_control_chooses_among_the_top_k_at_the_cut(bank: ItemBank) -> None:
    state = CatState.start({"python": 0.5})
    pool = [i for i in bank.items if i.competency == "python"]
    info = information(0.5, a=np.array([i.a for i in pool]), b=np.array([i.b for i in pool]))
    ranked = [pool[j].id for j in np.argsort(-info)]
    one = CatConfig(top_k=1)
    firsts = {next_item(state, bank, rng=random.Random(s), config=one) for s in range(20)}
    assert firsts == {ranked[0]}
    three = CatConfig(top_k=3)
    firsts = {next_item(state, bank, rng=random.Random(s), config=three) for s in range(40)}
    assert firsts == set(ranked[:3])


def test_items_without_positive_discrimination_are_never_chosen() -> None:
    good = simulated_bank(np.random.default_rng(1), n_items=3, competency="c")
    bad = replace(good[0], id="bad", a=-0.8, b=0.5)
    bank = ItemBank((*good, bad))
    config = CatConfig(confidence=0.9999, min_gain_per_item=0.0, item_cost=0.0, min_items=0)
    state = run_diagnostic(bank, {"c": 0.5}, _always(False), config=config, rng=random.Random(0))
    assert "bad" not in state.administered
    assert results(state, bank, config=config)[0].stop_reason == "no items left"


def test_mixed_evidence_when_items_run_out_is_decided_by_the_posterior() -> None:
    items = simulated_bank(np.random.default_rng(8), n_items=6, competency="c")
    config = CatConfig(min_gain_per_item=0.0, item_cost=0.0)
    answers = iter([True, False] * 3)
    state = run_diagnostic(
        ItemBank(items), {"c": 0.5}, lambda _: next(answers), config=config, rng=random.Random(0)
    )
    (result,) = results(state, items, config=config)
    assert result.stop_reason == "no items left"
    assert result.by_posterior, "decided without the decision threshold's confidence"
    expected = "mastered" if result.p_mastery >= 0.5 else "not mastered"
    assert result.decision == expected
    assert result.likely_mastered == (expected == "mastered")
    assert result.confidence == max(result.p_mastery, 1 - result.p_mastery) < 0.8


def test_undetermined_only_while_more_items_will_be_asked() -> None:
    items = simulated_bank(np.random.default_rng(8), n_items=6, competency="c")
    config = CatConfig(min_gain_per_item=0.0, item_cost=0.0, min_items=4)
    state = CatState.start({"c": 0.5})
    state = record(state, items[0], True)
    (result,) = results(state, items, config=config)
    assert result.stop_reason is None
    assert result.decision == "undetermined"
    assert not result.by_posterior


def test_expected_gain_is_largest_near_the_cut_and_zero_without_items() -> None:
    infos = np.full(20, 0.4)
    near = expected_gain_per_item(estimate=0.5, se=0.5, cut=0.5, infos=infos)
    far = expected_gain_per_item(estimate=2.5, se=0.5, cut=0.5, infos=infos)
    assert near > far > 0
    assert expected_gain_per_item(estimate=0.5, se=0.5, cut=0.5, infos=infos[:0]) == 0.0


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="confidence"):
        CatConfig(confidence=0.4)
    with pytest.raises(ValueError, match="decision_confidence"):
        CatConfig(confidence=0.9, decision_confidence=0.95)
    with pytest.raises(ValueError, match="top_k"):
        CatConfig(top_k=0)
    with pytest.raises(ValueError, match="duplicate"):
        ItemBank((*simulated_bank(np.random.default_rng(0), n_items=2),) * 2)


@pytest.mark.parametrize("selection", ["estimate", "posterior"])
def test_selection_at_the_estimate_or_over_the_posterior(
    bank: ItemBank, selection: Selection
) -> None:
    config = CatConfig(
        selection=selection, top_k=1, confidence=0.999999, min_gain_per_item=0, item_cost=0
    )
    state = CatState.start({"sql": -1.0})
    for item in [i for i in bank.items if i.competency == "sql"][:10]:
        state = record(state, item, True)  # moves the estimate well above the cut
    post = state.track("sql").posterior
    pool = [i for i in bank.items if i.competency == "sql" and i.id not in state.administered]
    a, b = np.array([i.a for i in pool]), np.array([i.b for i in pool])
    if selection == "estimate":
        score = information(post.estimate().theta, a=a, b=b)
    else:
        score = information(post.grid.nodes[None, :], a=a[:, None], b=b[:, None]) @ post.weights
    # Precondition: here the criterion disagrees with information at the cut.
    assert np.argmax(score) != np.argmax(information(-1.0, a=a, b=b))
    chosen = next_item(state, bank, rng=random.Random(0), config=config)
    assert chosen == pool[int(np.argmax(score))].id
