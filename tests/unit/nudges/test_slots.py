"""Working windows in UTC: quiet hours over midnight, daylight-saving change days, Tokyo."""

from __future__ import annotations

from datetime import date, time

import pytest

from learning.profile import Profile
from nudges.slots import (
    allowed_minutes,
    in_quiet_hours,
    in_working_hours,
    subtract,
    to_spans,
    utc,
    working_days,
)
from tests.unit.nudges.conftest import utc as at

EVERY_DAY = "1234567"


def windows(profile: Profile, start, end):  # type: ignore[no-untyped-def]
    return {
        d.day: [(utc(s), utc(e)) for s, e in d.windows]
        for d in working_days(profile, start=start.timestamp(), end=end.timestamp())
    }


def test_quiet_hours_over_midnight_cut_both_ends_of_the_day() -> None:
    profile = Profile(
        work_start=time(6), work_end=time(23), quiet_start=time(21), quiet_end=time(8)
    )
    assert allowed_minutes(profile) == [(8 * 60, 21 * 60)]


def test_quiet_hours_inside_the_day_split_the_window() -> None:
    profile = Profile(
        work_start=time(8), work_end=time(20), quiet_start=time(12), quiet_end=time(14)
    )
    assert allowed_minutes(profile) == [(8 * 60, 12 * 60), (14 * 60, 20 * 60)]


def test_equal_quiet_bounds_mean_no_quiet_hours() -> None:
    profile = Profile(quiet_start=time(0), quiet_end=time(0))
    assert allowed_minutes(profile) == [(9 * 60, 17 * 60)]


@pytest.mark.parametrize(
    ("before", "change", "before_utc", "change_utc"),
    [
        # Spring forward on Sunday 2026-03-08: 09:00 is 14:00 UTC on Saturday, 13:00 on Sunday.
        (date(2026, 3, 7), date(2026, 3, 8), (14, 22), (13, 21)),
        # Fall back on Sunday 2026-11-01: 09:00 is 13:00 UTC on Saturday, 14:00 on Sunday.
        (date(2026, 10, 31), date(2026, 11, 1), (13, 21), (14, 22)),
    ],
)
def test_new_york_working_day_moves_in_utc_on_both_change_days(
    before: date, change: date, before_utc: tuple[int, int], change_utc: tuple[int, int]
) -> None:
    profile = Profile(timezone="America/New_York", work_days=EVERY_DAY)
    days = windows(
        profile,
        at(before.year, before.month, before.day),
        at(change.year, change.month, change.day, 23),
    )
    (b,) = days[before]
    (c,) = days[change]
    assert (b[0].hour, b[1].hour) == before_utc
    assert (c[0].hour, c[1].hour) == change_utc
    assert (c[1] - c[0]).total_seconds() == 8 * 3600, "an 8-hour day stays 8 hours"


def test_quiet_hours_through_the_changed_night_in_new_york() -> None:
    profile = Profile(timezone="America/New_York", quiet_start=time(1), quiet_end=time(4))
    # 01:30 happens twice on 2026-11-01 (EDT, then EST): both are quiet.
    assert in_quiet_hours(profile, at(2026, 11, 1, 5, 30))
    assert in_quiet_hours(profile, at(2026, 11, 1, 6, 30))
    assert not in_quiet_hours(profile, at(2026, 11, 1, 9, 30)), "04:30 EST"
    # 02:00-03:00 does not exist on 2026-03-08; 03:30 EDT is 07:30 UTC and quiet.
    assert in_quiet_hours(profile, at(2026, 3, 8, 7, 30))
    assert not in_quiet_hours(profile, at(2026, 3, 8, 8, 30)), "04:30 EDT"


def test_tokyo_does_not_move_when_the_us_changes_its_clocks() -> None:
    profile = Profile(timezone="Asia/Tokyo")
    days = windows(profile, at(2026, 3, 4), at(2026, 3, 13))
    assert len(days) == 7
    assert {(w[0][0].hour, w[0][1].hour) for w in days.values()} == {(0, 8)}


def test_working_days_and_skipped_dates() -> None:
    profile = Profile(timezone="Europe/Berlin", work_days="135")
    found = working_days(
        profile,
        start=at(2026, 11, 23).timestamp(),
        end=at(2026, 11, 30).timestamp(),
        skip=frozenset({date(2026, 11, 25)}),
    )
    assert [d.day for d in found] == [date(2026, 11, 23), date(2026, 11, 27)]


def test_working_hours_check_at_send_time() -> None:
    profile = Profile(timezone="Europe/Berlin")
    assert in_working_hours(profile, at(2026, 11, 23, 9))  # Monday 10:00 CET
    assert not in_working_hours(profile, at(2026, 11, 23, 17))  # 18:00 quiet
    assert not in_working_hours(profile, at(2026, 11, 22, 9))  # Sunday


def test_subtracting_busy_spans_with_a_buffer() -> None:
    window = [(0.0, 10_000.0)]
    busy = to_spans([(utc(1000), utc(2000)), (utc(1500), utc(3000)), (utc(9000), utc(20_000))])
    assert busy == [(1000.0, 3000.0), (9000.0, 20_000.0)], "overlaps are merged"
    assert subtract(window, busy, buffer=100) == [(0.0, 900.0), (3100.0, 8900.0)]
