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
