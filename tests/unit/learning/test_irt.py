"""2PL probability and information, and the grid posterior against direct numerical integration."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from learning.irt import AbilityGrid, Posterior, information, probability

ITEMS = [(1.2, -0.5, True), (0.8, 0.3, False), (1.7, 1.1, True), (0.6, -1.4, True)]


def test_probability_matches_the_logistic_formula() -> None:
    assert probability(0.5, a=1.5, b=0.5) == pytest.approx(0.5)
    theta = 0.5 + math.log(3) / 1.5  # logit 3 above the difficulty
    assert probability(theta, a=1.5, b=0.5) == pytest.approx(0.75)
    assert probability(-2.0, a=1.0, b=0.0) == pytest.approx(1 / (1 + math.exp(2.0)))


def test_information_is_a_squared_p_q() -> None:
    assert information(0.5, a=1.5, b=0.5) == pytest.approx(1.5**2 * 0.25)
    theta = 0.5 + math.log(3) / 1.5
    assert information(theta, a=1.5, b=0.5) == pytest.approx(1.5**2 * 0.75 * 0.25)
    grid = np.linspace(-4, 4, 801)
    info = information(grid, a=1.3, b=0.7)
    assert grid[np.argmax(info)] == pytest.approx(0.7, abs=0.01)  # peaks at the difficulty


def test_functions_broadcast_and_stay_finite_at_extremes() -> None:
    p = probability(
        np.array([[-50.0], [0.0], [50.0]]), a=np.array([1.0, 2.0]), b=np.array([0.0, 1.0])
    )
    assert p.shape == (3, 2)
    assert p[0, 0] == pytest.approx(0.0, abs=1e-20)
    assert p[2, 1] == pytest.approx(1.0)
    assert np.all(np.isfinite(information(np.array([-1e3, 1e3]), a=3.0, b=0.0)))


def _brute_force(cut: float) -> tuple[float, float, float]:
    """Posterior mean, sd and P(theta > cut) by adaptive quadrature over the real line."""

    def density(t: float) -> float:
        like = 1.0
        for a, b, right in ITEMS:
            p = float(probability(t, a=a, b=b))
            like *= p if right else 1 - p
        return float(like * norm.pdf(t))

    z = integrate.quad(density, -np.inf, np.inf)[0]
    mean = integrate.quad(lambda t: t * density(t), -np.inf, np.inf)[0] / z
    var = integrate.quad(lambda t: (t - mean) ** 2 * density(t), -np.inf, np.inf)[0] / z
    above = integrate.quad(density, cut, np.inf)[0] / z
    return mean, math.sqrt(var), above


def _posterior(grid: AbilityGrid | None = None) -> Posterior:
    post = Posterior.prior(grid)
    for a, b, right in ITEMS:
        post = post.update(a=a, b=b, correct=right)
    return post


def test_eap_matches_brute_force_integration() -> None:
    mean, sd, above = _brute_force(cut=0.5)
    post = _posterior()
    est = post.estimate()
    assert est.theta == pytest.approx(mean, abs=1e-3)
    assert est.se == pytest.approx(sd, abs=1e-3)
    assert post.probability_above(0.5) == pytest.approx(above, abs=2e-3)


def test_finer_grid_agrees_more_closely() -> None:
    mean, _, above = _brute_force(cut=0.37)
    fine = _posterior(AbilityGrid(points=121))
    assert fine.estimate().theta == pytest.approx(mean, abs=2e-4)
    assert fine.probability_above(0.37) == pytest.approx(above, abs=1e-3)


def test_prior_is_standard_normal() -> None:
    prior = Posterior.prior()
    assert prior.estimate().theta == pytest.approx(0.0, abs=1e-12)
    assert prior.estimate().se == pytest.approx(1.0, abs=1e-3)
    assert prior.probability_above(0.5) == pytest.approx(norm.sf(0.5), abs=1e-3)


def test_updates_are_order_free_and_resume_from_the_stored_list() -> None:
    forward = _posterior()
    backward = Posterior.prior()
    for a, b, right in reversed(ITEMS):
        backward = backward.update(a=a, b=b, correct=right)
    assert forward.estimate().theta == pytest.approx(backward.estimate().theta, abs=1e-12)
    stored = list(forward.log_density)
    resumed = Posterior(tuple(stored)).update(a=1.0, b=0.0, correct=True)
    direct = forward.update(a=1.0, b=0.0, correct=True)
    assert resumed == direct
    assert max(stored) == 0.0  # normalised so the stored numbers stay small


def test_evidence_moves_the_estimate_and_shrinks_the_error() -> None:
    post = Posterior.prior()
    for _ in range(6):
        post = post.update(a=1.5, b=1.0, correct=True)
    assert post.estimate().theta > 1.0
    assert post.estimate().se < 0.7
    assert post.probability_above(0.5) > 0.9


def test_mastery_probability_is_continuous_in_the_cut() -> None:
    post = _posterior()
    values = [post.probability_above(c) for c in np.linspace(0.0, 0.2, 41)]
    steps = np.abs(np.diff(values))
    assert np.all(np.diff(values) <= 0)
    assert steps.max() < 0.01


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"points": 5}, "at least 11"), ({"lower": 2.0, "upper": 1.0}, "lower < upper")],
)
def test_invalid_grid_is_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AbilityGrid(**kwargs)


def test_posterior_rejects_wrong_length_and_non_finite_values() -> None:
    with pytest.raises(ValueError, match="grid has 81 points"):
        Posterior((0.0,) * 80)
    with pytest.raises(ValueError, match="finite"):
        Posterior((0.0,) * 80 + (math.nan,))
