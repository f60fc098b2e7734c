"""Recall at scale: the fsrs forgetting curve over packed numpy arrays of many cards.

A Card object is about 200 bytes and its retrievability takes microseconds in Python; a
packed card is three float64s, and numpy computes a million retrievabilities in milliseconds.
The formulas are those of `fsrs.Scheduler.get_card_retrievability` (whole elapsed days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from fsrs import State

from nudges.srs import DAY_SECONDS, DECAY, FACTOR, TARGET_RETENTION, CardState

if TYPE_CHECKING:
    from numpy.typing import NDArray

# A review card as planning reads it: module id, stability, last review and due time (epoch
# seconds; None: never reviewed), fsrs state.
CardTimes = tuple[str | None, float | None, float | None, float, int]


def retrievability(
    stability: NDArray[np.float64], last_review: NDArray[np.float64], now: float
) -> NDArray[np.float64]:
    """Recall probability of many cards at `now` (epoch seconds), as fsrs computes it.

    Cards never reviewed (stability NaN) have 0, like fsrs. Elapsed time counts whole days,
    as in `fsrs.Scheduler.get_card_retrievability`.
    """
    elapsed = np.maximum(0.0, np.floor((now - last_review) / DAY_SECONDS))
    with np.errstate(invalid="ignore"):
        r = (1.0 + FACTOR * elapsed / stability) ** DECAY
    return np.where(np.isnan(stability), 0.0, r)


def fading_at(
    stability: NDArray[np.float64],
    last_review: NDArray[np.float64],
    due: NDArray[np.float64],
    in_steps: NDArray[np.bool_] | None = None,
    *,
    target: float = TARGET_RETENTION,
) -> NDArray[np.float64]:
    """When each card's recall drops below `target` (epoch seconds).

    A card in the Review state fades on the first whole day after `last_review` at which the
    fsrs curve is under the target. A card in its (re)learning steps, or never reviewed (NaN
    stability), is due at its fsrs `due` time, minutes away.
    """
    limit_days = stability / FACTOR * (target ** (1.0 / DECAY) - 1.0)
    crossing = last_review + (np.floor(limit_days) + 1.0) * DAY_SECONDS
    stepping = np.isnan(stability) if in_steps is None else in_steps | np.isnan(stability)
    return np.where(stepping, due, crossing)


@dataclass(frozen=True)
class PackedCards:
    """Cards of many learners in flat arrays, grouped by learner (`offsets` has n + 1 bounds).

    Timestamps are epoch seconds; missing stability / last review are NaN.
    """

    offsets: NDArray[np.int64]
    stability: NDArray[np.float64]
    last_review: NDArray[np.float64]
    due: NDArray[np.float64]
    in_steps: NDArray[np.bool_]

    def fading_by_learner(self, *, target: float = TARGET_RETENTION) -> list[list[float]]:
        """For each learner, the sorted times at which their cards fade below `target`."""
        fade = fading_at(self.stability, self.last_review, self.due, self.in_steps, target=target)
        flat = fade.tolist()
        bounds = self.offsets.tolist()
        # Sorting 50 floats per learner in Python beats one global lexsort of millions.
        return [sorted(flat[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]


def pack(states: list[list[CardState]]) -> PackedCards:
    """Pack per-learner card states into flat arrays."""
    return pack_times([[card_times(None, c) for c in s] for s in states])


def card_times(module_id: str | None, c: CardState) -> CardTimes:
    """A card state as planning reads it."""
    last = c.last_review_at.timestamp() if c.last_review_at else None
    return (module_id, c.stability, last, c.due_at.timestamp(), c.state)


def pack_times(cards: list[list[CardTimes]]) -> PackedCards:
    """Pack per-learner cards (as `CardTimes`) into flat arrays."""
    sizes = [len(s) for s in cards]
    flat = [c for s in cards for c in s]
    nan = math.nan
    review = int(State.Review)
    return PackedCards(
        offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        stability=np.array([c[1] if c[1] else nan for c in flat], dtype=float),
        last_review=np.array([nan if c[2] is None else c[2] for c in flat], dtype=float),
        due=np.array([c[3] for c in flat], dtype=float),
        in_steps=np.array([c[4] != review for c in flat], dtype=bool),
    )
