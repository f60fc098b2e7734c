"""The predicted-risk model: the logistic fit, its features and label, and the fallback."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from learning.logistic import brier, calibration_table, fit
from learning.risk_model import (
    HORIZON,
    MIN_EACH_OUTCOME,
    MIN_SAMPLE,
    DueModule,
    History,
    example,
    features,
    outcome,
    predict,
    train,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _synthetic(n: int, intercept: float, coef: list[float], seed: int = 3):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        x = [rng.gauss(0, 1), rng.gauss(2, 3)]
        z = intercept + sum(c * v for c, v in zip(coef, x, strict=True))
        rows.append(x)
        labels.append(int(rng.random() < 1 / (1 + math.exp(-z))))
    return rows, labels


def test_recovers_known_coefficients() -> None:
    rows, labels = _synthetic(20000, -0.5, [1.2, -0.4])
    model = fit(rows, labels, names=("a", "b"), l2=1e-6)
    intercept, raw = model.raw_coefficients()
    assert model.converged
    assert intercept == pytest.approx(-0.5, abs=0.08)
    assert raw[0] == pytest.approx(1.2, abs=0.08)
    assert raw[1] == pytest.approx(-0.4, abs=0.03)


def test_separable_data_stays_finite_with_l2_and_the_penalty_shrinks() -> None:
    rows = [[float(v)] for v in range(-10, 11) if v != 0]
    labels = [int(r[0] > 0) for r in rows]
    weak = fit(rows, labels, names=("x",), l2=0.1)
    strong = fit(rows, labels, names=("x",), l2=10.0)
    assert weak.converged
    assert strong.converged
    assert all(math.isfinite(c) for c in (*weak.coef, weak.intercept))
    assert 0 < strong.coef[0] < weak.coef[0]
    assert weak.predict([5.0]) > 0.9
    assert weak.predict([-5.0]) < 0.1


def test_a_constant_feature_gets_no_weight_and_no_error() -> None:
    rows, labels = _synthetic(2000, 0.3, [1.0, 0.0])
    with_constant = [[r[0], 7.0] for r in rows]
    model = fit(with_constant, labels, names=("a", "same"), l2=1.0)
    assert model.coef[1] == pytest.approx(0.0, abs=1e-9)
    assert model.contributions([0.0, 7.0])["same"] == 0.0
    assert model.coef[0] > 0.5


def test_every_label_the_same_fits_the_base_rate() -> None:
    model = fit([[1.0], [2.0], [3.0]], [1, 1, 1], names=("x",), l2=1.0)
    assert model.predict([2.0]) > 0.9


@pytest.mark.parametrize(
    ("rows", "labels", "names", "l2"),
    [
        ([], [], ("x",), 1.0),
        ([[1.0]], [2], ("x",), 1.0),
        ([[1.0, 2.0]], [1], ("x",), 1.0),
        ([[1.0]], [1], ("x",), 0.0),
    ],
)
def test_bad_fit_input_is_refused(rows, labels, names, l2) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        fit(rows, labels, names=names, l2=l2)


def test_brier_and_calibration_deciles() -> None:
    assert brier([0.0, 1.0], [0, 1]) == 0.0
    assert brier([0.5, 0.5], [0, 1]) == 0.25
    table = calibration_table([i / 100 for i in range(100)], [int(i >= 50) for i in range(100)])
    assert len(table) == 10
    assert all(b.count == 10 for b in table)
    assert table[0].observed == 0.0
    assert table[-1].observed == 1.0
    assert table[0].predicted < table[-1].predicted


def _history(*, late: bool, idle: bool, known_for: int = 120, role_for: int = 90) -> History:
    joined = NOW - timedelta(days=known_for)
    start = NOW - timedelta(days=role_for)
    due = (start + timedelta(days=14), start + timedelta(days=30))
    done = None if late else start + timedelta(days=20)
    required = (
        DueModule("a", 20, due[0], None if late else start + timedelta(days=5)),
        DueModule("b", 30, due[1], done),
    )
    quiet_from = joined + timedelta(days=3)
    activity = tuple(
        joined + timedelta(days=d)
        for d in range(0, known_for, 2)
        if not idle or joined + timedelta(days=d) < quiet_from
    )
    return History(first_seen=joined, required=required, activity=activity)


def test_outcome_is_known_only_after_the_target_date() -> None:
    assert outcome(_history(late=True, idle=True), now=NOW) == 1
    assert outcome(_history(late=False, idle=False), now=NOW) == 0
    ahead = _history(late=True, idle=True, known_for=20, role_for=10)
    assert outcome(ahead, now=NOW) is None
    assert example(ahead, now=NOW) is None


def test_features_look_from_horizon_before_the_target() -> None:
    h = _history(late=True, idle=True)
    target = h.target
    assert target is not None
    x, label = example(h, now=NOW) or ((), 0)
    assert label == 1
    assert x == features(h, at=target - HORIZON)
    idle_days, behind, load, *_ = x
    assert idle_days > 30, "no activity since three days after joining"
    assert behind > 0, "time passed, nothing done"
    assert load > 0


def _population(late: int, on_time: int) -> list[History]:
    return [_history(late=True, idle=True) for _ in range(late)] + [
        _history(late=False, idle=False) for _ in range(on_time)
    ]


def test_below_the_minimum_sample_the_rules_are_used() -> None:
    small = train(_population(MIN_SAMPLE // 2 - 1, MIN_SAMPLE // 2), now=NOW)
    assert not small.enough
    assert small.model is None
    assert small.examples == MIN_SAMPLE - 1
    one_sided = train(_population(MIN_EACH_OUTCOME - 1, MIN_SAMPLE), now=NOW)
    assert not one_sided.enough, "too few learners who missed a due date"


def test_at_the_minimum_the_model_flags_the_idle_learner_with_its_reasons() -> None:
    trained = train(_population(MIN_SAMPLE // 2, MIN_SAMPLE // 2), now=NOW)
    assert trained.enough
    assert trained.model is not None
    assert (trained.examples, trained.positives) == (MIN_SAMPLE, MIN_SAMPLE // 2)
    idle = predict(trained.model, _history(late=True, idle=True, role_for=10), now=NOW)
    keen = predict(trained.model, _history(late=False, idle=False, role_for=10), now=NOW)
    assert idle is not None
    assert keen is not None
    assert idle.flagged
    assert not keen.flagged
    assert idle.reasons
    assert idle.reasons[0][1] > 0
    assert "idle_days" in {name for name, _ in idle.reasons}
