"""Answer feedback as a decaying penalty on a passage for questions similar to the one rated.

A "Not helpful" on an answer records the question's vector and the passage it cited (module
and section). Later, a question at least `SIMILAR` to that recorded one sees the passage's
fused score multiplied by `1 / (1 + weight)`, where `weight` sums, over such adjustments,
`0.5 ** (age / HALF_LIFE)`. The factor lies in (0, 1], so a score can only go down, never
below zero and never above its unadjusted value; after a few half-lives it is back to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from retrieval.clusters import unit

if TYPE_CHECKING:
    from retrieval.hybrid import Hit

# A rating counts for questions this similar (cosine, all-MiniLM-L6-v2): rewordings of the
# same question ("When do we get paid?" / "what day do we get paid": 0.85) are above it.
SIMILAR = 0.7
HALF_LIFE = timedelta(days=14)
# Past this many half-lives an adjustment weighs under 0.4% and is no longer read.
HORIZON = HALF_LIFE * 8


@dataclass(frozen=True)
class Adjustment:
    """One stored "Not helpful": the question's vector, the passage it cited, and when."""

    module_id: str
    section: str
    vector: tuple[float, ...]
    at: datetime


def decay(age: timedelta, *, half_life: timedelta = HALF_LIFE) -> float:
    """The weight of an adjustment `age` old: 1 when new, halving every `half_life`.

    A negative age (a clock that moved back) counts as new, never more.
    """
    return float(0.5 ** (max(age, timedelta(0)) / half_life))


class AdjustmentSet:
    """Adjustments with their vectors normalised into one matrix, built once and reused for
    every question until the stored adjustments change."""

    def __init__(self, adjustments: Sequence[Adjustment]) -> None:
        self.adjustments = tuple(adjustments)
        self.matrix = (
            np.asarray([unit(a.vector) for a in self.adjustments], dtype=np.float32)
            if self.adjustments
            else np.zeros((0, 0), dtype=np.float32)
        )


def factors(
    query: Sequence[float] | np.ndarray,
    adjustments: Sequence[Adjustment] | AdjustmentSet,
    *,
    now: datetime,
    similar: float = SIMILAR,
    half_life: timedelta = HALF_LIFE,
) -> dict[tuple[str, str], float]:
    """The score factor of each (module, section) the adjustments say something about here.

    Adjustments older than `HORIZON` are ignored.

    Returns:
        Factors in (0, 1] for passages with an adjustment at least `similar` to the query.
    """
    found = adjustments if isinstance(adjustments, AdjustmentSet) else AdjustmentSet(adjustments)
    if not found.adjustments:
        return {}
    sims = found.matrix @ unit(query)
    weights: dict[tuple[str, str], float] = {}
    for index in np.flatnonzero(sims >= similar):
        a = found.adjustments[int(index)]
        if now - a.at > HORIZON:
            continue
        key = (a.module_id, a.section)
        weights[key] = weights.get(key, 0.0) + decay(now - a.at, half_life=half_life)
    return {key: 1.0 / (1.0 + w) for key, w in weights.items()}


def adjusted(hits: Sequence[Hit], factor: dict[tuple[str, str], float]) -> list[Hit]:
    """Hits with their passages' factors applied to the fused score, best first again.

    A score is never raised and never goes below zero.
    """
    if not factor:
        return list(hits)
    out = []
    for h in hits:
        f = min(1.0, max(0.0, factor.get((h.module_id, h.section), 1.0)))
        out.append(replace(h, score=max(0.0, h.score) * f) if f < 1.0 else h)
    return sorted(out, key=lambda h: -h.score)
