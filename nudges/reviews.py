"""Spaced-review use cases: record a quiz answer, reviews due, fading items for planning."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.context import Services
from nudges.candidates import FadingItem
from nudges.srs import Answer, CardState, review

if TYPE_CHECKING:
    from nudges.recall import CardTimes


def _card_id(learner_id: str, item_id: str) -> int:
    digest = hashlib.blake2b(f"{learner_id}\x00{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits a signed 64-bit column


def record_review(
    services: Services,
    learner_id: str,
    item_id: str,
    correct: bool,
    *,
    now: datetime,
    module_id: str | None = None,
    slow: bool = False,
    unsure: bool = False,
    dont_know: bool = False,
) -> CardState:
    """Update the learner's spaced-review card for a quiz item after an answer.

    Ratings: correct -> Good; correct but slow or unsure -> Hard; wrong or "I don't know"
    -> Again.

    Args:
        services: The core's services.
        learner_id: Who answered.
        item_id: The quiz item's stable id.
        correct: Whether the answer was right.
        now: When it was answered (timezone-aware).
        module_id: The module the item belongs to, if known (named in review nudges).
        slow: The answer took much longer than usual.
        unsure: The learner said they were unsure or guessed.
        dont_know: The learner chose "I don't know" (counted as wrong).

    Returns:
        The card's new state.
    """
    store = services.review_cards
    state = store.get(learner_id, item_id) or CardState.new(_card_id(learner_id, item_id), now=now)
    answer = Answer(correct=correct, slow=slow, unsure=unsure, dont_know=dont_know)
    updated = review(state, answer, now=now)
    store.save(learner_id, item_id, updated, module_id=module_id, now=now)
    return updated


class SpacedReviews:
    """The spaced reviews as other features use them (`bot.core.ports.ReviewsPort`).

    Args:
        services: The core's services.
    """

    # `due_by_module` is the earliest `review_cards.due_at` per module: a team report may read
    # it for many learners at once from that table.
    reads_review_cards = True

    def __init__(self, services: Services) -> None:
        self._services = services

    def record(
        self,
        learner_id: str,
        item_id: str,
        correct: bool,
        *,
        now: datetime,
        module_id: str | None = None,
        dont_know: bool = False,
    ) -> None:
        """Schedule an item's next review after a quiz answer."""
        record_review(
            self._services,
            learner_id,
            item_id,
            correct,
            now=now,
            module_id=module_id,
            dont_know=dont_know,
        )

    def due_by_module(self, learner_id: str) -> dict[str, datetime]:
        """Module id -> the earliest due review of its items."""
        due: dict[str, datetime] = {}
        for _, module_id, card in self._services.review_cards.cards(learner_id):
            if module_id and (module_id not in due or card.due_at < due[module_id]):
                due[module_id] = card.due_at
        return due


@dataclass(frozen=True)
class Fading:
    """A learner's answers as the planner sees them.

    Attributes:
        times: Sorted epoch seconds at which each item fades below the target.
        top_module: The module most of the items fading by the horizon belong to.
        items: Every item with its fade time, module and answer time.
    """

    times: list[float]
    top_module: str | None
    items: list[FadingItem]


def fading_for(services: Services, learner_id: str, *, until: datetime) -> Fading:
    """When each of the learner's items fades below the target, by module.

    Args:
        services: The core's services.
        learner_id: Whose answers.
        until: The planning horizon (for the main module of what fades).
    """
    from nudges.recall import fading_at, pack

    cards = services.review_cards.cards(learner_id)
    if not cards:
        return Fading([], None, [])
    packed = pack([[state for _, _, state in cards]])
    fading = packed.fading_by_learner()[0]
    limit = until.timestamp()
    times = fading_at(packed.stability, packed.last_review, packed.due, packed.in_steps).tolist()
    modules = Counter(m for (_, m, _), t in zip(cards, times, strict=True) if m and t <= limit)
    top = modules.most_common(1)[0][0] if modules else None
    items = [
        FadingItem(t, m, (s.last_review_at or s.due_at).timestamp())
        for (_, m, s), t in zip(cards, times, strict=True)
    ]
    return Fading(fading, top, items)


def fading_many(
    cards: Mapping[str, list[tuple[str, str | None, CardState]]], *, until: datetime
) -> dict[str, Fading]:
    """`fading_for` of many learners from their cards, in one vectorised pass."""
    from nudges.recall import card_times

    return fading_of_times(
        {i: [card_times(m, s) for _, m, s in mine] for i, mine in cards.items()}, until=until
    )


def fading_of_times(cards: Mapping[str, list[CardTimes]], *, until: datetime) -> dict[str, Fading]:
    """`fading_many` from cards read as epoch seconds (`ReviewStore.fading_rows_many`)."""
    from nudges.recall import fading_at, pack_times

    ids = list(cards)
    packed = pack_times([cards[i] for i in ids])
    fading = packed.fading_by_learner()
    times = fading_at(packed.stability, packed.last_review, packed.due, packed.in_steps).tolist()
    bounds = packed.offsets.tolist()
    limit = until.timestamp()
    out: dict[str, Fading] = {}
    for n, learner_id in enumerate(ids):
        mine = cards[learner_id]
        if not mine:
            out[learner_id] = Fading([], None, [])
            continue
        mine_times = times[bounds[n] : bounds[n + 1]]
        modules = Counter(
            c[0] for c, t in zip(mine, mine_times, strict=True) if c[0] and t <= limit
        )
        items = [
            FadingItem(t, c[0], c[3] if c[2] is None else c[2])
            for c, t in zip(mine, mine_times, strict=True)
        ]
        top = modules.most_common(1)[0][0] if modules else None
        out[learner_id] = Fading(fading[n], top, items)
    return out
