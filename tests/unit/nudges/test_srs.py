"""Spaced review: answers as fsrs ratings, and the vectorised curve agreeing with fsrs."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from fsrs import Card, Rating, Scheduler, State

from nudges.recall import fading_at, pack, retrievability
from nudges.srs import TARGET_RETENTION, Answer, CardState, rating_for, review
from tests.unit.nudges.conftest import utc

NOW = utc(2026, 11, 23, 9)


@pytest.mark.parametrize(
    ("answer", "rating"),
    [
        (Answer(correct=True), Rating.Good),
        (Answer(correct=True, slow=True), Rating.Hard),
        (Answer(correct=True, unsure=True), Rating.Hard),
        (Answer(correct=False), Rating.Again),
        (Answer(correct=True, dont_know=True), Rating.Again),
        (Answer(correct=False, dont_know=True), Rating.Again),
    ],
)
def test_answers_map_to_ratings(answer: Answer, rating: Rating) -> None:
    assert rating_for(answer) == rating


def test_review_matches_the_fsrs_scheduler_step_by_step() -> None:
    scheduler = Scheduler(
        desired_retention=TARGET_RETENTION,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )
    card = Card(card_id=7, due=NOW)
    state = CardState.new(7, now=NOW)
    at = NOW
    for correct in (True, True, False, True, True, True):
        rating = Rating.Good if correct else Rating.Again
        card, _ = scheduler.review_card(card, rating, at)
        state = review(state, Answer(correct=correct), now=at)
        assert (state.stability, state.difficulty, state.due_at) == (
            card.stability,
            card.difficulty,
            card.due,
        )
        at = card.due + timedelta(hours=1)
    assert state.reviews == 6
    assert state.lapses == 1, "the wrong answer came after the card had graduated"


def test_a_chat_answer_goes_straight_to_review_days_away() -> None:
    right = review(CardState.new(1, now=NOW), Answer(correct=True), now=NOW)
    wrong = review(CardState.new(2, now=NOW), Answer(correct=False), now=NOW)
    assert right.state == wrong.state == int(State.Review)
    assert right.step is None
    assert right.due_at - NOW >= timedelta(days=2), "a first correct answer is days away"
    assert wrong.due_at - NOW == timedelta(days=1), "a wrong one comes back tomorrow, not in 1 min"
    lapse = review(right, Answer(correct=False), now=right.due_at)
    assert lapse.state == int(State.Review)
    assert lapse.due_at - right.due_at == timedelta(days=1)


def test_a_card_stored_mid_step_graduates_on_its_next_answer() -> None:
    stepping = CardState(3, int(State.Learning), 1, 2.3, 5.0, NOW, NOW - timedelta(minutes=10))
    after = review(stepping, Answer(correct=True), now=NOW)
    assert after.state == int(State.Review)
    assert after.due_at - NOW >= timedelta(days=1)


def _random_reviewed_cards(n: int) -> list[Card]:
    rng = random.Random(3)
    return [
        Card(
            card_id=i + 1,
            state=State.Review,
            stability=rng.uniform(0.2, 400),
            difficulty=rng.uniform(1, 10),
            due=NOW,
            last_review=NOW - timedelta(seconds=rng.uniform(0, 400 * 86400)),
        )
        for i in range(n)
    ]


def test_vectorised_retrievability_equals_fsrs_for_every_card() -> None:
    scheduler = Scheduler()
    cards = _random_reviewed_cards(2000)
    stability = np.array([c.stability for c in cards])
    last = np.array([c.last_review.timestamp() for c in cards])
    vector = retrievability(stability, last, NOW.timestamp())
    expected = np.array([scheduler.get_card_retrievability(c, NOW) for c in cards])
    np.testing.assert_allclose(vector, expected, rtol=1e-12)


def test_fading_time_is_the_first_whole_day_below_the_target() -> None:
    cards = _random_reviewed_cards(500)
    stability = np.array([c.stability for c in cards])
    last = np.array([c.last_review.timestamp() for c in cards])
    fade = fading_at(stability, last, np.zeros(len(cards)))

    def recall(i: int, at: float) -> float:
        return float(retrievability(stability[i : i + 1], last[i : i + 1], at)[0])

    at_fade = np.array([recall(i, fade[i]) for i in range(len(cards))])
    day_before = np.array([recall(i, fade[i] - 86400) for i in range(len(cards))])
    assert (at_fade < TARGET_RETENTION).all()
    assert (day_before >= TARGET_RETENTION).all()


def test_cards_in_learning_steps_are_due_at_their_due_time() -> None:
    due = NOW + timedelta(minutes=10)
    stepping = CardState(1, int(State.Learning), 1, 0.2, 7.0, due, NOW)
    packed = pack([[stepping]])
    (fading,) = packed.fading_by_learner()
    assert fading == [due.timestamp()]
    assert retrievability(packed.stability, packed.last_review, NOW.timestamp())[0] > 0


def test_packed_cards_keep_learners_apart_and_sorted() -> None:
    def card(days_ago: float, stability: float) -> CardState:
        last = NOW - timedelta(days=days_ago)
        return CardState(1, int(State.Review), None, stability, 5.0, last, last)

    packed = pack([[card(1, 30), card(10, 2)], [], [card(3, 1)]])
    a, b, c = packed.fading_by_learner()
    assert len(a) == 2
    assert a == sorted(a)
    assert b == []
    assert len(c) == 1
