"""How many more questions an adaptive diagnostic will probably ask (for "about 6 to go")."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import ndtri

from learning.cat import CatConfig, CatState, CompetencyResult, ItemBank, results
from learning.cat_bank import as_bank
from learning.irt import FloatArray, information
from learning.items import Item
from learning.stopping import expected_gain_per_item, sequential_benefit

# The estimate will move, usually away from the cut; assuming it sits at least this many
# standard errors away predicts the stopping point best in simulation (see `expected_remaining`).
_TYPICAL_DISTANCE_SE = 0.7


def expected_remaining(
    state: CatState, bank: ItemBank | Sequence[Item], *, config: CatConfig
) -> int:
    """A rough count of the items still to come, over every competency still open.

    For each open competency, the posterior is projected forward with the best remaining
    items (by information at the cut): its standard deviation shrinks and its mean is taken
    to stay at least 0.7 standard errors from the cut. The count is the first length at
    which a stopping rule (a confident decision, or another item not worth its cost)
    would fire, within the diagnostic's limits. In simulation with learners drawn from the
    population, it was off by 0.7 items on average with 5 items per competency and by 2
    items with 100; it is a guide for the learner, not a promise.

    Args:
        state: The diagnostic so far.
        bank: Its items.
        config: The diagnostic's settings.
    """
    the_bank = as_bank(bank)
    total = 0
    found = results(state, the_bank, config=config)
    for track, result in zip(state.competencies, found, strict=True):
        if result.finished:
            continue
        pool = the_bank.pool(track.competency)
        free = np.array([i not in state.administered for i in pool.ids], dtype=bool)
        infos = np.sort(information(track.cut, a=pool.a[free], b=pool.b[free]))[::-1]
        cap = min(config.max_items - result.items_used, int(infos.size))
        floor = max(config.min_items - result.items_used, 1)
        total += min(cap, max(floor, _projected_stop(result, infos, cap, config)))
    if config.max_total_items is not None:
        total = min(total, config.max_total_items - len(state.answers))
    return max(total, 0)


def _projected_stop(
    result: CompetencyResult, infos: FloatArray, cap: int, config: CatConfig
) -> int:
    z = float(ndtri(config.confidence))
    distance = max(abs(result.estimate - result.cut), _TYPICAL_DISTANCE_SE * result.se)
    precision = 1.0 / max(result.se, 1e-9) ** 2
    for length in range(1, cap + 1):
        sd = 1.0 / math.sqrt(precision + float(infos[:length].sum()))
        if distance / sd >= z:
            return length
        if config.min_gain_per_item > 0:
            gain = expected_gain_per_item(
                estimate=result.cut + distance,
                se=sd,
                cut=result.cut,
                infos=infos[length : length + config.max_items],
            )
            if gain < config.min_gain_per_item:
                return length
        if config.item_cost > 0:
            # Projected from the current estimate: the floored distance used for the
            # confident stop makes the cost rule fire too soon (it predicted too few items).
            benefit = sequential_benefit(
                estimate=result.estimate,
                se=sd,
                cut=result.cut,
                infos=infos[length:cap],
                cost=config.item_cost,
            )
            if benefit < config.item_cost:
                return length
    return cap
