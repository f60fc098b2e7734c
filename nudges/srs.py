"""Spaced review: quiz answers as fsrs ratings and card state as stored values.

The fsrs scheduler decides each card's next state when an answer arrives (one card at a time,
about 21 us). It runs without learning steps: an answer in chat is a review, never a
ten-minute drill. Planning reads many cards at once: see `nudges.recall` for the vectorised
forgetting curve over packed arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

TARGET_RETENTION = 0.9
DAY_SECONDS = 86_400.0
# The fsrs forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY, t in whole days.
DECAY = -float(DEFAULT_PARAMETERS[20])
FACTOR = 0.9 ** (1 / DECAY) - 1


@dataclass(frozen=True)
class Answer:
    """What the quiz knows about one answer.

    Attributes:
        correct: Whether the answer was right.
        slow: The learner took much longer than usual (only if the quiz measures it).
        unsure: The learner said they guessed or were unsure.
        dont_know: The learner chose "I don't know".
    """

    correct: bool
    slow: bool = False
    unsure: bool = False
    dont_know: bool = False


def rating_for(answer: Answer) -> Rating:
    """Map an answer to an fsrs rating: wrong or "I don't know" -> Again, hesitant -> Hard."""
    if answer.dont_know or not answer.correct:
        return Rating.Again
    if answer.slow or answer.unsure:
        return Rating.Hard
    return Rating.Good


@dataclass(frozen=True)
class CardState:
    """One learner's memory of one quiz item, as stored (fsrs fields plus counters)."""

    card_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due_at: datetime
    last_review_at: datetime | None
    reviews: int = 0
    lapses: int = 0

    @classmethod
    def new(cls, card_id: int, *, now: datetime) -> CardState:
        """A card never reviewed, due now (card_id given: fsrs sleeps 1 ms to invent one)."""
        return cls(card_id, int(State.Learning), 0, None, None, now, None)

    def to_card(self) -> Card:
        """The fsrs Card for this state."""
        return Card(
            card_id=self.card_id,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due_at,
            last_review=self.last_review_at,
        )


# No minute-scale (re)learning steps: a chat learner answers once and comes back days later,
# so every answer goes straight to the review state (a first correct answer is due in days,
# a wrong one the next day). Cards stored mid-step by older versions graduate on their next
# answer (fsrs treats a step beyond the configured ones that way).
_SCHEDULER = Scheduler(
    desired_retention=TARGET_RETENTION,
    learning_steps=(),
    relearning_steps=(),
    enable_fuzzing=False,
)


def review(state: CardState, answer: Answer, *, now: datetime) -> CardState:
    """The card's state after one answer at `now` (timezone-aware)."""
    rating = rating_for(answer)
    card, _log = _SCHEDULER.review_card(state.to_card(), rating, now.astimezone(UTC))
    return replace(
        state,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due_at=card.due.astimezone(UTC),
        last_review_at=now.astimezone(UTC),
        reviews=state.reviews + 1,
        lapses=state.lapses + (1 if rating == Rating.Again and state.state == State.Review else 0),
    )
