"""Plan the next week for 100,000 learners with calendars and 50 spaced-review cards each.

Target: at most 60 s on 2 cores. Calendars are stored as busy intervals (expanded at import),
so planning reads intervals, never ICS. Review state is packed into numpy arrays and the
fading times of all 5,000,000 cards are computed in one vectorised pass; the pure planner
then runs per learner, split over two processes.

    python bench/bench_nudge_plan.py [--learners 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import numpy as np

from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.matching import Catalogue, ModuleInfo
from nudges.planner import PlanInput, plan
from nudges.recall import PackedCards, retrievability

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]
TOPICS = [
    "security",
    "expenses",
    "travel",
    "onboarding",
    "feedback",
    "privacy",
    "procurement",
    "hiring",
    "incident",
    "budget",
    "accessibility",
    "contracts",
]
MEETINGS = ["Standup", "1:1", "Team sync", "Lunch", "Planning", "Customer call", "Focus time"]
CARDS_PER_LEARNER = 50


@dataclass
class Learners:
    """Synthetic learners: profiles, busy intervals, titled events and packed cards."""

    profiles: list[Profile]
    busy: list[list[tuple[datetime, datetime]]]
    events: list[list[CalendarEvent]]
    cards: PackedCards


def _catalogue() -> Catalogue:
    modules = []
    for i in range(200):
        topic = TOPICS[i % len(TOPICS)]
        modules.append(
            ModuleInfo(
                f"m{i}",
                f"{topic.title()} essentials part {i // len(TOPICS) + 1}",
                5 + i % 4 * 5,
                (topic,),
            )
        )
    return Catalogue.build(modules)


def make_learners(n: int, seed: int = 7) -> Learners:
    """Generate learners (not timed): ~15 meetings a week, 3 titled events, 50 cards each."""
    rng = random.Random(seed)
    profiles, busy, events = [], [], []
    for _ in range(n):
        start_h = rng.choice((7, 8, 9, 10))
        profile = Profile(
            timezone=rng.choice(ZONES),
            work_start=clock(start_h),
            work_end=clock(start_h + 8),
            nudges_per_day=rng.choice((1, 2, 3)),
            nudges_per_week=rng.choice((4, 6, 10)),
        )
        profiles.append(profile)
        zone = profile.zone
        local_monday = NOW.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        spans = []
        titled = []
        for _ in range(15):
            day = rng.randrange(7)
            at = local_monday + timedelta(days=day, hours=start_h + rng.uniform(0, 7.5))
            begin = at.astimezone(UTC)
            end = begin + timedelta(minutes=rng.choice((15, 30, 30, 60, 90)))
            spans.append((begin, end))
            titled.append(CalendarEvent(begin, end, rng.choice(MEETINGS)))
        for _ in range(3):
            begin = (
                local_monday + timedelta(days=rng.randrange(1, 7), hours=start_h + 3)
            ).astimezone(UTC)
            end = begin + timedelta(hours=1)
            spans.append((begin, end))
            titled.append(CalendarEvent(begin, end, f"{rng.choice(TOPICS).title()} review"))
        busy.append(sorted(spans))
        events.append(sorted(titled, key=lambda e: e.start))
    return Learners(profiles, busy, events, _cards(n, seed))


def _cards(n: int, seed: int) -> PackedCards:
    gen = np.random.default_rng(seed)
    total = n * CARDS_PER_LEARNER
    now = NOW.timestamp()
    return PackedCards(
        offsets=np.arange(0, total + 1, CARDS_PER_LEARNER, dtype=np.int64),
        stability=gen.lognormal(mean=3.0, sigma=1.0, size=total),
        last_review=now - gen.uniform(0, 60, size=total) * 86400.0,
        due=now + gen.uniform(0, 600, size=total),
        in_steps=gen.random(total) < 0.05,
    )


_DATA: Learners | None = None
_FADING: list[list[float]] = []


def _plan_range(bounds: tuple[int, int]) -> tuple[int, float]:
    assert _DATA is not None
    catalogue = _catalogue()
    modules = {m.id: m for m in catalogue.modules}
    started = time.perf_counter()
    count = 0
    for i in range(*bounds):
        planned = plan(
            PlanInput(
                profile=_DATA.profiles[i],
                now=NOW,
                busy=_DATA.busy[i],
                events=_DATA.events[i],
                fading=_FADING[i],
                next_step=(f"m{i % 200}", "Next module", 10),
                required=[("m3", NOW + timedelta(days=4))] if i % 5 == 0 else (),
                modules=modules,
                matcher=catalogue.match,
            )
        )
        count += len(planned)
    return count, time.perf_counter() - started


def _fsrs_loop(cards: PackedCards, learners: int) -> float:
    """Seconds for the same retrievability with one fsrs Card object per card (for contrast)."""
    from fsrs import Card, Scheduler, State

    scheduler = Scheduler()
    objects = [
        Card(
            card_id=i + 1,
            state=State.Review,
            stability=float(cards.stability[i]),
            difficulty=5.0,
            due=NOW,
            last_review=datetime.fromtimestamp(float(cards.last_review[i]), UTC),
        )
        for i in range(learners * CARDS_PER_LEARNER)
    ]
    started = time.perf_counter()
    for card in objects:
        scheduler.get_card_retrievability(card, NOW)
    return time.perf_counter() - started


def main() -> None:
    """Generate, then time the vectorised review pass and the planning pass."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    global _DATA, _FADING

    started = time.perf_counter()
    _DATA = make_learners(args.learners)
    print(
        f"generated {args.learners:,} learners in {time.perf_counter() - started:.1f} s (not timed)"
    )

    started = time.perf_counter()
    recall = retrievability(_DATA.cards.stability, _DATA.cards.last_review, NOW.timestamp())
    recall_s = time.perf_counter() - started
    fading = _DATA.cards.fading_by_learner()
    review_s = time.perf_counter() - started
    total_cards = len(_DATA.cards.stability)
    print(
        f"review state: {total_cards:,} cards; retrievability now {recall_s:.2f} s (numpy), "
        f"{int((recall < 0.9).sum()):,} below 90%; with fading times as sorted per-learner "
        f"lists {review_s:.2f} s"
    )
    sample = min(2_000, args.learners)
    loop_s = _fsrs_loop(_DATA.cards, sample) * args.learners / sample
    print(
        f"  retrievability with fsrs Card objects, one call per card: ~{loop_s:.1f} s "
        f"(extrapolated from {sample:,} learners; building the objects not counted)"
    )
    _FADING = fading

    started = time.perf_counter()
    step = math.ceil(args.learners / args.workers)
    ranges = [(i, min(args.learners, i + step)) for i in range(0, args.learners, step)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(_plan_range, ranges)
    plan_s = time.perf_counter() - started
    nudges = sum(r[0] for r in results)
    print(
        f"planning: {args.learners:,} learners, next 7 days, {nudges:,} nudges in {plan_s:.1f} s "
        f"wall on {args.workers} processes ({plan_s / args.learners * 1e6 * args.workers:.0f} us "
        f"per learner per process)"
    )
    print(f"total (review pass + planning): {review_s + plan_s:.1f} s (target <= 60 s)")


if __name__ == "__main__":
    main()
