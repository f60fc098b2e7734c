"""A practice answer moves the ability estimate, by less than a quiz answer would."""

from __future__ import annotations

import pytest

from learning.irt import AbilityGrid, Posterior
from learning.practice import practice_update


def test_a_right_answer_raises_and_a_wrong_one_lowers_the_estimate() -> None:
    up = practice_update(theta=0.0, se=1.0, a=1.2, b=0.0, correct=True, cut=0.0)
    down = practice_update(theta=0.0, se=1.0, a=1.2, b=0.0, correct=False, cut=0.0)
    assert up.theta > 0.0 > down.theta
    assert up.p_mastery > 0.5 > down.p_mastery
    assert up.se < 1.0


def test_it_counts_as_half_a_quiz_answer() -> None:
    grid = AbilityGrid()
    quiz = Posterior.prior(grid).update(a=1.2, b=0.0, correct=True).estimate()
    practice = practice_update(theta=None, se=None, a=1.2, b=0.0, correct=True, cut=0.0)
    assert 0.0 < practice.theta < quiz.theta
    half = Posterior.prior(grid).update(a=1.2, b=0.0, correct=True, weight=0.5).estimate()
    assert practice.theta == pytest.approx(half.theta)


def test_a_weight_outside_the_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="practice weight"):
        practice_update(theta=0.0, se=1.0, a=1.0, b=0.0, correct=True, cut=0.0, weight=0.0)
