"""Planning across daylight-saving changes and around the shared real calendars."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from learning.profile import Profile
from nudges.calendar import CalendarError, parse_calendar
from nudges.planner import PlanInput, plan
from tests.unit.nudges.conftest import WIDE, ics, utc

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def _fading(now: datetime, n: int = 30) -> list[float]:
    return sorted((now - timedelta(days=1) + timedelta(hours=7 * i)).timestamp() for i in range(n))


@pytest.mark.parametrize(
    ("change", "nine_am_utc"), [(utc(2026, 3, 8, 11), 13), (utc(2026, 11, 1, 11), 14)]
)
def test_new_york_learner_on_both_change_days(change: datetime, nine_am_utc: int) -> None:
    profile = Profile(
        timezone="America/New_York", work_days="1234567", nudges_per_day=3, nudges_per_week=21
    )
    now = change  # early morning of the change day in New York
    planned = plan(
        PlanInput(
            profile=profile, now=now, days=2, fading=_fading(now), next_step=("m", "Module", 10)
        )
    )
    by_day: dict[str, list[datetime]] = {}
    for n in planned:
        local = n.at.astimezone(NEW_YORK)
        assert time(9) <= local.time() < time(17), local
        assert n.local == local
        by_day.setdefault(local.date().isoformat(), []).append(local)
    change_day = change.astimezone(NEW_YORK).date().isoformat()
    first = min(by_day[change_day])
    assert first.time() == time(9)
    assert first.astimezone(ZoneInfo("UTC")).hour == nine_am_utc, "09:00 after the change"


def test_tokyo_learner_with_a_new_york_meeting_across_the_us_change() -> None:
    sync = ics(
        "UID:ny\nDTSTART;TZID=America/New_York:20260301T190000\nDURATION:PT1H\n"
        "RRULE:FREQ=WEEKLY;BYDAY=SU,MO,TU,WE,TH\nSUMMARY:Sync with New York"
    )
    profile = Profile(timezone="Asia/Tokyo", nudges_per_day=1, nudges_per_week=5)
    now = utc(2026, 3, 2, 0)  # Monday 09:00 in Tokyo
    events = parse_calendar(
        sync, zone=TOKYO, start=now - timedelta(days=1), end=now + timedelta(days=15)
    ).events
    before = [e for e in events if e.start < utc(2026, 3, 8, 7)]
    after = [e for e in events if e.start > utc(2026, 3, 8, 7)]
    assert {e.start.astimezone(TOKYO).time() for e in before} == {time(9)}
    assert {e.start.astimezone(TOKYO).time() for e in after} == {time(8)}
    planned = plan(
        PlanInput(
            profile=profile,
            now=now,
            days=14,
            busy=[(e.start, e.end) for e in events],
            fading=_fading(now, 60),
            next_step=("m", "Module", 10),
        )
    )
    first_week = [n.local.time() for n in planned if n.local.date().isoformat() < "2026-03-09"]
    second_week = [n.local.time() for n in planned if n.local.date().isoformat() >= "2026-03-09"]
    assert first_week
    assert second_week
    assert min(first_week) >= time(10, 5), "after the 09:00 sync and its buffer"
    assert min(second_week) == time(9, 5), "the sync now ends at 09:00 Tokyo time"
    for n in planned:
        end = n.at + timedelta(minutes=n.minutes)
        assert all(end <= e.start - timedelta(minutes=5) or n.at >= e.end for e in events)


def _first_busy_start(path: Path) -> datetime | None:
    try:
        wide = parse_calendar(
            path.read_bytes(),
            zone=ZoneInfo("Europe/Berlin"),
            start=utc(1990, 1, 1),
            end=utc(2031, 1, 1),
        )
    except CalendarError:
        return None
    starts = [e.start for e in wide.events if e.busy and not e.all_day]
    starts += [e.start for e in wide.events if e.busy]
    return min(starts) if starts else None


def test_nudges_never_land_inside_a_busy_event_of_any_shared_calendar(calendars_dir: Path) -> None:
    zone = ZoneInfo("Europe/Berlin")
    profile = Profile(
        timezone="Europe/Berlin", work_days="1234567", nudges_per_day=6, nudges_per_week=40, **WIDE
    )
    checked = 0
    for path in sorted(calendars_dir.rglob("*.ics")):
        first = _first_busy_start(path)
        if first is None:
            continue
        now = first - timedelta(days=2, hours=3)
        events = parse_calendar(
            path.read_bytes(), zone=zone, start=now - timedelta(days=1), end=now + timedelta(days=9)
        ).events
        busy = [(e.start, e.end) for e in events if e.busy]
        planned = plan(
            PlanInput(
                profile=profile,
                now=now,
                busy=busy,
                events=events,
                fading=_fading(now),
                next_step=("m", "Module", 15),
            )
        )
        for n in planned:
            end = n.at + timedelta(minutes=n.minutes)
            clash = [(s, e) for s, e in busy if n.at < e and end > s]
            assert not clash, f"{path.name}: {n.at} inside {clash[0]}"
        checked += 1
    assert checked >= 30
