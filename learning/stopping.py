"""Pre-posterior analysis: how much would more items improve a mastery decision?"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from learning.irt import FloatArray

# Look-ahead lengths tried; geometric so that both "one more item" and "a block of items"
# are considered without evaluating every length.
_LOOKAHEADS = (1, 2, 4, 8, 16, 32, 64)
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(21)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


def _error_probability(mean: FloatArray | float, *, sd: float, cut: float) -> FloatArray:
    """P(wrong decision) when deciding by the side of the cut the normal posterior favours."""
    return np.asarray(ndtr(-np.abs(np.asarray(mean) - cut) / sd), dtype=np.float64)


def expected_gain_per_item(*, estimate: float, se: float, cut: float, infos: FloatArray) -> float:
    """Best expected drop in the probability of a wrong mastery decision, per extra item.

    The posterior is approximated by N(estimate, se^2). After L more items with total
    information I, the posterior sd shrinks to s' = (1/se^2 + I)^-1/2 and, before the answers
    are known, the future posterior mean is distributed N(estimate, se^2 - s'^2). The
    expected error after L items is integrated over that by Gauss-Hermite quadrature, and the
    best gain per item over several look-ahead lengths is returned.

    Args:
        estimate: Current ability estimate.
        se: Current posterior standard deviation (> 0).
        cut: The mastery cut score.
        infos: Information at the cut of the items that could still be asked, best first.

    Returns:
        The largest (error now - expected error after L items) / L over the look-aheads,
        0.0 when no item is left.
    """
    if infos.size == 0 or se <= 0:
        return 0.0
    now = float(_error_probability(estimate, sd=se, cut=cut))
    cumulative = np.cumsum(infos)
    best = 0.0
    for length in _LOOKAHEADS:
        if length > infos.size:
            break
        sd_after = 1.0 / math.sqrt(1.0 / se**2 + float(cumulative[length - 1]))
        spread = math.sqrt(max(se**2 - sd_after**2, 0.0))
        future_means = estimate + spread * _GH_NODES
        after = float(_GH_WEIGHTS @ _error_probability(future_means, sd=sd_after, cut=cut))
        best = max(best, (now - after) / length)
    return best


_SEQ_NODES, _SEQ_WEIGHTS = np.polynomial.hermite_e.hermegauss(15)
_SEQ_WEIGHTS = _SEQ_WEIGHTS / _SEQ_WEIGHTS.sum()
_SEQ_GRID = 241


def sequential_benefit(
    *, estimate: float, se: float, cut: float, infos: FloatArray, cost: float
) -> float:
    """Expected net benefit of asking another item under the Bayes sequential rule.

    The loss of stopping is the probability of a wrong mastery decision; every item costs
    ``cost`` in the same units. With the posterior approximated by N(estimate, se^2) and the
    items still available contributing ``infos`` (best first), the posterior variance after k
    more items is known in advance, and the posterior mean moves as a martingale whose step
    variance is the drop in variance. Backward induction over that horizon gives the
    expected loss of continuing and then stopping optimally; the benefit is the error now
    minus that expected loss without the cost of the next item itself, so testing should
    stop when the benefit is below ``cost``.

    Args:
        estimate: Current ability estimate.
        se: Current posterior standard deviation (> 0).
        cut: The mastery cut score.
        infos: Information at the cut of the items that may still be asked, best first.
        cost: Price of one item in probability of a wrong decision (> 0).

    Returns:
        The expected benefit (0.0 when no item is left or nothing can be gained).
    """
    if infos.size == 0 or se <= 0:
        return 0.0
    var = 1.0 / (1.0 / se**2 + np.concatenate(([0.0], np.cumsum(infos))))
    low, high = min(estimate, cut) - 7.0 * se, max(estimate, cut) + 7.0 * se
    means = np.linspace(low, high, _SEQ_GRID)
    value = _error_probability(means, sd=math.sqrt(var[-1]), cut=cut)
    for k in range(infos.size - 1, 0, -1):
        step = math.sqrt(max(var[k] - var[k + 1], 0.0))
        moved = means[:, None] + step * _SEQ_NODES[None, :]
        cont = cost + np.interp(moved, means, value) @ _SEQ_WEIGHTS
        value = np.minimum(_error_probability(means, sd=math.sqrt(var[k]), cut=cut), cont)
    step = math.sqrt(max(var[0] - var[1], 0.0))
    after = float(np.interp(estimate + step * _SEQ_NODES, means, value) @ _SEQ_WEIGHTS)
    now = float(_error_probability(estimate, sd=se, cut=cut))
    return max(now - after, 0.0)
