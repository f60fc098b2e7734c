"""The pure planner: slots, caps in local days and weeks, pauses, weights and why-now."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.candidates import FadingItem
from nudges.matching import Catalogue, ModuleInfo
from nudges.planner import (
    JIT,
    NEXT_STEP,
    REQUIRED,
    REVIEW,
    NudgePrefs,
    PlanInput,
    PlannedNudge,
    SentNudge,
    plan,
)
from tests.unit.nudges.conftest import utc

MODULES = [
    ModuleInfo("security", "Phishing and password security", 10, ("security",)),
    ModuleInfo("expenses", "Filing expense reports", 5, ("expenses",)),
    ModuleInfo("feedback", "Giving useful feedback", 15, ("feedback", "performance review")),
]
CATALOGUE = Catalogue.build(MODULES)
MONDAY = utc(2026, 11, 23, 7)  # 08:00 in Berlin


def busy_inputs(profile: Profile, now: datetime, **kw) -> PlanInput:  # type: ignore[no-untyped-def]
    """A learner with something of every kind to be nudged about."""
    fading = sorted(
        (now - timedelta(days=2) + timedelta(hours=5 * i)).timestamp() for i in range(40)
    )
    base = {
        "profile": profile,
        "now": now,
        "fading": fading,
        "next_step": ("paths-1", "Writing clear tickets", 10),
        "required": [("expenses", now + timedelta(days=3))],
        "modules": {m.id: m for m in MODULES},
        "matcher": CATALOGUE.match,
    }
    return PlanInput(**(base | kw))


def local(n: PlannedNudge) -> datetime:
    return n.local


def test_every_nudge_is_in_working_hours_outside_quiet_hours_and_never_in_the_past() -> None:
    profile = Profile(
        timezone="Europe/Berlin",
        work_start=time(8),
        work_end=time(18),
        quiet_start=time(12),
        quiet_end=time(14),
        nudges_per_day=3,
        nudges_per_week=12,
    )
    now = utc(2026, 11, 23, 10, 17)
    planned = plan(busy_inputs(profile, now))
    assert planned
    for n in planned:
        assert n.at >= now
        assert n.local.isoweekday() <= 5
        assert time(8) <= n.local.time() < time(12) or time(14) <= n.local.time() < time(18)
        assert (n.local + timedelta(minutes=n.minutes)).time() <= time(18)
        assert n.reason


def test_caps_count_the_learners_local_days_and_weeks() -> None:
    # Auckland is UTC+13 in November: local Monday 09:00 is Sunday 20:00 UTC.
    profile = Profile(timezone="Pacific/Auckland", nudges_per_day=1, nudges_per_week=3)
    now = utc(2026, 11, 22, 19)  # Monday 08:00 in Auckland
    planned = plan(busy_inputs(profile, now, days=14))
    per_day = Counter(n.local.date() for n in planned)
    per_week = Counter(n.local.isocalendar()[:2] for n in planned)
    assert max(per_day.values()) == 1
    assert set(per_week.values()) == {3}
    assert min(n.local for n in planned).date().isoweekday() == 1


def test_history_counts_against_the_caps_and_spacing() -> None:
    profile = Profile(timezone="Europe/Berlin", nudges_per_day=2, nudges_per_week=6)
    sent = [SentNudge(MONDAY - timedelta(minutes=30), NEXT_STEP, "paths-1")]
    planned = plan(busy_inputs(profile, MONDAY, history=sent))
    monday = [n for n in planned if n.local.date() == MONDAY.date()]
    assert len(monday) == 1, "one of the two Monday nudges was already sent"
    assert all(n.at >= sent[0].at + timedelta(hours=2) for n in monday)
    assert all(n.kind != NEXT_STEP or n.at - sent[0].at >= timedelta(hours=68) for n in planned)


def test_nudges_never_land_in_a_meeting() -> None:
    profile = Profile(timezone="Europe/Berlin", nudges_per_day=4, nudges_per_week=20)
    busy = [
        (utc(2026, 11, 23, 8), utc(2026, 11, 23, 11)),
        (utc(2026, 11, 24, 7), utc(2026, 11, 24, 16)),  # all of Tuesday's working hours
    ]
    planned = plan(busy_inputs(profile, MONDAY, busy=busy))
    for n in planned:
        end = n.at + timedelta(minutes=n.minutes)
        assert all(end <= s or n.at >= e for s, e in busy), n
    assert not [n for n in planned if n.local.date().isoweekday() == 2]


def test_pause_snooze_and_stop() -> None:
    profile = Profile(timezone="Europe/Berlin", paused_until=MONDAY + timedelta(days=2))
    assert min(n.at for n in plan(busy_inputs(profile, MONDAY))) >= MONDAY + timedelta(days=2)
    snoozed = NudgePrefs(snoozed_until=MONDAY + timedelta(hours=5))
    profile = Profile(timezone="Europe/Berlin")
    first = min(n.at for n in plan(busy_inputs(profile, MONDAY, prefs=snoozed)))
    assert first >= MONDAY + timedelta(hours=5)
    assert plan(busy_inputs(profile, MONDAY, prefs=NudgePrefs(stopped=True))) == []
    assert plan(busy_inputs(profile.with_changes(nudges_per_day=0), MONDAY)) == []


def test_not_today_leaves_the_local_day_alone() -> None:
    profile = Profile(timezone="Europe/Berlin")
    prefs = NudgePrefs(skip_dates=frozenset({MONDAY.date()}))
    planned = plan(busy_inputs(profile, MONDAY, prefs=prefs))
    assert planned
    assert all(n.local.date() != MONDAY.date() for n in planned)


def test_fewer_like_this_lowers_a_kinds_share() -> None:
    profile = Profile(timezone="Europe/Berlin", nudges_per_day=2, nudges_per_week=6)
    normal = Counter(n.kind for n in plan(busy_inputs(profile, MONDAY)))
    halved = Counter(
        n.kind for n in plan(busy_inputs(profile, MONDAY, prefs=NudgePrefs(weights={REVIEW: 0.5})))
    )
    eighth = Counter(
        n.kind
        for n in plan(busy_inputs(profile, MONDAY, prefs=NudgePrefs(weights={REVIEW: 0.125})))
    )
    assert normal[REVIEW] >= 3
    assert halved[REVIEW] <= 3
    assert eighth[REVIEW] == 1


def test_just_in_time_content_arrives_the_working_day_before() -> None:
    profile = Profile(timezone="Europe/Berlin")
    event = CalendarEvent(
        utc(2026, 11, 25, 13), utc(2026, 11, 25, 14), "Q4 performance review", "Bring notes"
    )
    planned = plan(
        PlanInput(
            profile=profile,
            now=MONDAY,
            events=[event],
            busy=[(event.start, event.end)],
            matcher=CATALOGUE.match,
        )
    )
    (jit,) = [n for n in planned if n.kind == JIT]
    assert jit.module_id == "feedback"
    assert jit.local.date().isoformat() == "2026-11-24"
    assert "“Q4 performance review” is tomorrow at 14:00" in jit.reason


def test_just_in_time_on_the_same_day_when_there_is_no_day_before() -> None:
    profile = Profile(timezone="Europe/Berlin")
    event = CalendarEvent(utc(2026, 11, 23, 14), utc(2026, 11, 23, 15), "Security briefing")
    planned = plan(PlanInput(profile=profile, now=MONDAY, events=[event], matcher=CATALOGUE.match))
    (jit,) = planned
    assert jit.local.date() == MONDAY.date()
    assert jit.at + timedelta(minutes=jit.minutes) <= event.start
    assert "today at 15:00" in jit.reason


def test_an_event_no_module_prepares_for_gets_no_nudge() -> None:
    profile = Profile(timezone="Europe/Berlin")
    event = CalendarEvent(utc(2026, 11, 25, 13), utc(2026, 11, 25, 14), "Weekly team sync")
    assert (
        plan(PlanInput(profile=profile, now=MONDAY, events=[event], matcher=CATALOGUE.match)) == []
    )


def test_required_training_says_when_it_is_due() -> None:
    profile = Profile(timezone="Europe/Berlin")
    soon = plan(
        PlanInput(
            profile=profile,
            now=MONDAY,
            required=[("expenses", MONDAY + timedelta(days=3))],
            modules={m.id: m for m in MODULES},
        )
    )
    assert soon[0].kind == REQUIRED
    assert "Filing expense reports is due on Thu 26 Nov (in 3 days)" in soon[0].reason
    late = plan(
        PlanInput(
            profile=profile,
            now=MONDAY,
            required=[("expenses", MONDAY - timedelta(days=1))],
            modules={m.id: m for m in MODULES},
        )
    )
    assert "overdue" in late[0].reason
    far = plan(
        PlanInput(profile=profile, now=MONDAY, required=[("expenses", MONDAY + timedelta(days=40))])
    )
    assert far == []


def test_reviews_wait_until_enough_items_have_faded() -> None:
    profile = Profile(timezone="Europe/Berlin")
    one = [(MONDAY + timedelta(hours=1)).timestamp()]
    planned = plan(PlanInput(profile=profile, now=MONDAY, fading=one))
    assert planned[0].local.date() > MONDAY.date(), "a single item waits a day"
    assert "One of your quiz answers is fading" in planned[0].reason
    three = [(MONDAY - timedelta(hours=h)).timestamp() for h in (3, 2, 1)]
    first = plan(PlanInput(profile=profile, now=MONDAY, fading=sorted(three)))[0]
    assert first.local.date() == MONDAY.date()
    assert first.reason.startswith("3 of your quiz answers are fading")


def test_the_review_says_how_many_answers_fade_on_which_module_and_since_when() -> None:
    profile = Profile(timezone="Europe/Berlin")
    day = 86400.0
    start = MONDAY.timestamp()
    items = [
        *(FadingItem(start - 3600 * h, "security", start - 9 * day) for h in (1, 2, 3)),
        *(FadingItem(start - 60 * m, "expenses", start - day) for m in (5, 6)),
        FadingItem(start - 30, None, start - 2 * day),
        FadingItem(start + 30 * day, "feedback", start),
    ]
    inputs = PlanInput(
        profile=profile,
        now=MONDAY,
        fading=sorted(i.fades_at for i in items),
        fading_items=items,
        modules={m.id: m for m in MODULES},
    )
    first = next(n for n in plan(inputs) if n.kind == REVIEW)
    assert first.reason.startswith(
        "3 answers on Phishing and password security from last week, "
        "2 answers on Filing expense reports from yesterday and "
        "1 quiz answer from 2 days ago are fading"
    ), first.reason
    assert "Giving useful feedback" not in first.reason, "not fading yet"


def test_the_plan_is_deterministic_and_keys_are_unique() -> None:
    profile = Profile(timezone="America/New_York", nudges_per_day=3, nudges_per_week=15)
    inputs = busy_inputs(profile, MONDAY, days=14)
    first, second = plan(inputs), plan(inputs)
    assert first == second
    assert len({n.key for n in first}) == len(first)


def test_json_shape_of_a_planned_nudge() -> None:
    (n,) = plan(
        PlanInput(
            profile=Profile(timezone="Asia/Tokyo"), now=MONDAY, next_step=("m", "M", 5), days=1
        )
    )
    assert n.to_json() == {
        "at": n.at.isoformat(),
        "local": n.local.isoformat(),
        "kind": NEXT_STEP,
        "module_id": "m",
        "reason": n.reason,
    }
    assert n.to_json()["local"].endswith("+09:00")
