"""Practice answers: one answer in a lesson moves the ability estimate, gently and purely.

A practice question comes right after the card that explains its answer, so a correct answer
says less about lasting mastery than the same answer in a quiz. It is weighed as a fraction of
an answer (``PRACTICE_WEIGHT``): the posterior grows by that power of the item's likelihood.
An answer is never counted in calibration (see the item bank's response matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.irt import AbilityGrid, Posterior

PRACTICE_WEIGHT = 0.5


@dataclass(frozen=True)
class PracticeUpdate:
    """The ability after one practice answer.

    Attributes:
        theta: The new estimate (posterior mean, logits).
        se: Its posterior standard deviation.
        p_mastery: The posterior probability that ability exceeds the cut score.
    """

    theta: float
    se: float
    p_mastery: float


def practice_update(
    *,
    theta: float | None,
    se: float | None,
    a: float,
    b: float,
    correct: bool,
    cut: float,
    weight: float = PRACTICE_WEIGHT,
) -> PracticeUpdate:
    """The ability after a practice answer to an item with parameters (a, b).

    Args:
        theta: The current estimate, or None when the learner has none (a N(0, 1) prior).
        se: Its standard error (None with `theta`).
        a: The item's discrimination.
        b: The item's difficulty.
        correct: Whether the answer was right.
        cut: The competency's cut score.
        weight: How much of an answer a practice answer counts as, in (0, 1].

    Raises:
        ValueError: `weight` outside (0, 1] or a non-positive `se`.
    """
    if not 0.0 < weight <= 1.0:
        raise ValueError(f"practice weight must be in (0, 1], got {weight}")
    grid = AbilityGrid()
    if theta is None or se is None:
        prior = Posterior.prior(grid)
    else:
        prior = Posterior.prior(grid, mean=theta, sd=max(se, 0.05))
    posterior = prior.update(a=a, b=b, correct=correct, weight=weight)
    estimate = posterior.estimate()
    return PracticeUpdate(estimate.theta, estimate.se, posterior.probability_above(cut))
