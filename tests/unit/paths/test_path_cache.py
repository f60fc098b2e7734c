"""Plans shared between learners (`learning.path_cache`) equal the planner's own, exactly."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from learning.framework import Framework, parse_framework
from learning.path import plan
from learning.path_cache import PathCache
from learning.path_model import LearnerState
from tests.unit.paths.test_planner_properties import NOW, instance

SEEDS = range(60)


def with_requirements(framework: Framework, rng: random.Random) -> Framework:
    """The random framework with several role requirements of different delays."""
    return parse_framework(
        {
            "competencies": [
                {"id": c.id, "title": c.title, "prerequisites": list(c.prerequisites)}
                for c in framework.competencies
            ],
            "roles": [
                {
                    "id": "r",
                    "targets": [
                        {"competency": t.competency, "level": t.level}
                        for t in framework.roles[0].targets
                    ],
                    "required_modules": [
                        {"module": f"m{i}", "due_days": rng.randint(0, 30)} for i in range(3)
                    ],
                }
            ],
        }
    )


def starts(rng: random.Random, state: LearnerState, delays: list[int]) -> list[datetime]:
    """Role starts near each other (sharing a plan) and far apart, and ones whose due dates
    meet `now` or a date of the state's own, or fall just before or after it."""
    base = NOW - timedelta(days=rng.randint(0, 40))
    out = [base + timedelta(minutes=m) for m in (0, 1, 7, 90, 600, 1440, 4000)]
    out += [base + timedelta(days=d, seconds=s) for d in (-20, 3, 25) for s in (0, 1)]
    dates = [NOW, *state.reviews_due.values(), *(a for a in state.assigned.values() if a)]
    for when in dates:
        for d in delays:
            out += [when - timedelta(days=d, minutes=m) for m in (-1, 0, 1)]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_a_shared_plan_is_the_plan_of_each_learner(seed: int) -> None:
    rng = random.Random(1000 + seed)
    framework, catalogue, state, prefs = instance(seed)
    framework = with_requirements(framework, rng)
    # A manager's due date on a module outside the role's requirements, when there is one.
    other = catalogue[-1].id if len(catalogue) > 3 else "m1"
    when = NOW + timedelta(days=rng.randint(-3, 10), hours=rng.randint(0, 23))
    state = replace(state, assigned={other: when} if rng.random() < 0.7 else {})
    cache = PathCache(framework, catalogue, threshold=0.8, now=NOW)
    delays = [r.due_days for r in framework.roles[0].required_modules if r.due_days is not None]
    calls = 0
    for start in starts(rng, state, delays):
        learner = replace(state, role_since=start)
        expected = plan(framework, catalogue, learner, prefs, threshold=0.8, now=NOW)
        assert cache.plan(learner, prefs) == expected
        calls += 1
    assert cache.planned <= calls


def test_learners_whose_starts_change_only_their_due_dates_share_one_plan() -> None:
    framework, catalogue, state, prefs = instance(3)
    cache = PathCache(framework, catalogue, threshold=0.8, now=NOW)
    early = replace(state, role_since=datetime(2026, 11, 10, 8, 0, tzinfo=UTC))
    later = replace(state, role_since=datetime(2026, 11, 10, 9, 30, tzinfo=UTC))

    first, second = cache.plan(early, prefs), cache.plan(later, prefs)

    assert cache.planned == 1
    assert second == plan(framework, catalogue, later, prefs, threshold=0.8, now=NOW)
    dues = [(a.due_at, b.due_at) for a, b in zip(first.steps, second.steps, strict=True)]
    assert (datetime(2026, 11, 10, 8, 0, tzinfo=UTC), None) not in dues
    assert any(a is not None and b - a == timedelta(minutes=90) for a, b in dues if b)


def test_a_start_that_makes_a_requirement_overdue_is_planned_again() -> None:
    framework, catalogue, state, prefs = instance(3)
    days = framework.roles[0].required_modules[0].due_days
    assert days is not None
    cache = PathCache(framework, catalogue, threshold=0.8, now=NOW)
    state = replace(state, completed={}, reviews_due={})
    in_time = replace(state, role_since=NOW - timedelta(days=days) + timedelta(minutes=5))
    late = replace(state, role_since=NOW - timedelta(days=days) - timedelta(minutes=5))

    a, b = cache.plan(in_time, prefs), cache.plan(late, prefs)

    assert cache.planned == 2
    assert b == plan(framework, catalogue, late, prefs, threshold=0.8, now=NOW)
    assert {s.status for s in b.steps if s.module_id == "m0"} == {"overdue"}
    assert {s.status for s in a.steps if s.module_id == "m0"} == {"due"}


def test_learners_with_different_progress_or_preferences_do_not_share() -> None:
    framework, catalogue, state, prefs = instance(5)
    cache = PathCache(framework, catalogue, threshold=0.8, now=NOW)
    done = replace(state, completed={**state.completed, "m0": NOW - timedelta(days=1)})
    short = replace(prefs, session_minutes=prefs.session_minutes + 7)

    for learner, p in ((state, prefs), (done, prefs), (state, short)):
        expected = plan(framework, catalogue, learner, p, threshold=0.8, now=NOW)
        assert cache.plan(learner, p) == expected
    assert cache.planned == 3


def test_a_role_start_in_another_time_zone_is_planned_again() -> None:
    from zoneinfo import ZoneInfo

    framework, catalogue, state, prefs = instance(7)
    cache = PathCache(framework, catalogue, threshold=0.8, now=NOW)
    utc = replace(state, role_since=datetime(2026, 11, 10, 8, 0, tzinfo=UTC))
    tokyo = datetime(2026, 11, 10, 8, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    local = replace(utc, role_since=tokyo)

    for learner in (utc, local):
        assert cache.plan(learner, prefs) == plan(
            framework, catalogue, learner, prefs, threshold=0.8, now=NOW
        )
    assert cache.planned == 2


def test_bad_inputs_are_refused_as_the_planner_refuses_them() -> None:
    framework, catalogue, state, prefs = instance(1)
    with pytest.raises(ValueError, match="timezone-aware"):
        PathCache(framework, catalogue, threshold=0.8, now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="between 0 and 1"):
        PathCache(framework, catalogue, threshold=1.0, now=NOW)
    with pytest.raises(ValueError, match="at least one minute"):
        PathCache(framework, catalogue, threshold=0.8, now=NOW).plan(
            state, replace(prefs, session_minutes=0)
        )
