"""When a learner may be nudged: working hours minus quiet hours minus meetings, in UTC.

Times are epoch seconds (floats) inside this module: planning 100,000 learners a week ahead
compares millions of instants, and floats compare an order of magnitude faster than
datetimes. Local wall-clock times are turned into instants with zoneinfo, one local day at a
time, so daylight-saving changes move the working day exactly as the learner lives it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from learning.profile import Profile

Span = tuple[float, float]


@functools.cache
def zone_of(name: str) -> ZoneInfo:
    """A time zone by name, kept for the process (ZoneInfo's own cache holds only a few)."""
    return ZoneInfo(name)


BUFFER_S = 5 * 60.0
_DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class LocalDay:
    """One local calendar day of a learner and the instants it may be nudged in."""

    day: date
    windows: tuple[Span, ...]


def minutes_of(value: time) -> int:
    """Minutes since midnight."""
    return value.hour * 60 + value.minute


def quiet_spans(quiet_start: time, quiet_end: time) -> list[tuple[int, int]]:
    """Quiet hours as minute ranges within one day (a range over midnight becomes two)."""
    qs, qe = minutes_of(quiet_start), minutes_of(quiet_end)
    if qs == qe:
        return []
    if qs < qe:
        return [(qs, qe)]
    return [(0, qe), (qs, _DAY_MINUTES)]


def allowed_minutes(profile: Profile) -> list[tuple[int, int]]:
    """Working hours minus quiet hours, as minute ranges of a working day."""
    spans = [(minutes_of(profile.work_start), minutes_of(profile.work_end))]
    for q_start, q_end in quiet_spans(profile.quiet_start, profile.quiet_end):
        spans = [part for s, e in spans for part in _cut(s, e, q_start, q_end)]
    return [s for s in spans if s[1] > s[0]]


def _cut(s: int, e: int, cut_s: int, cut_e: int) -> list[tuple[int, int]]:
    if cut_e <= s or cut_s >= e:
        return [(s, e)]
    return [p for p in ((s, cut_s), (cut_e, e)) if p[1] > p[0]]


def instant(day: date, minute: int, zone: ZoneInfo) -> float:
    """The UTC instant of a local wall-clock minute (24:00 is the next midnight).

    A time skipped by a spring-forward change maps as zoneinfo maps it (fold=0): 02:30 on
    a night that jumps from 02:00 to 03:00 becomes 03:30.
    """
    if minute >= _DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - _DAY_MINUTES
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return local.timestamp()


def local_dates(start: float, end: float, zone: ZoneInfo) -> Iterator[date]:
    """Every local date touched by [start, end)."""
    day = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def working_days(
    profile: Profile,
    *,
    start: float,
    end: float,
    skip: frozenset[date] = frozenset(),
) -> list[LocalDay]:
    """The learner's working days between two instants, with the windows nudges may use.

    Args:
        profile: Working days and hours, quiet hours and time zone.
        start: No window begins before this instant.
        end: No window reaches past this instant.
        skip: Local dates the learner asked to be left alone ("Not today").
    """
    zone = zone_of(profile.timezone)
    minutes = allowed_minutes(profile)
    days: list[LocalDay] = []
    for day in local_dates(start, end, zone):
        if str(day.isoweekday()) not in profile.work_days or day in skip:
            continue
        windows = []
        for m_start, m_end in minutes:
            s, e = max(start, instant(day, m_start, zone)), min(end, instant(day, m_end, zone))
            if e > s:
                windows.append((s, e))
        if windows:
            days.append(LocalDay(day, tuple(windows)))
    return days


def in_quiet_hours(profile: Profile, at: datetime) -> bool:
    """Whether an instant falls in the learner's quiet hours (checked again at send time)."""
    local = at.astimezone(zone_of(profile.timezone))
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in quiet_spans(profile.quiet_start, profile.quiet_end))


def in_working_hours(profile: Profile, at: datetime) -> bool:
    """Whether an instant falls on a working day inside working hours and outside quiet hours."""
    local = at.astimezone(zone_of(profile.timezone))
    if str(local.isoweekday()) not in profile.work_days:
        return False
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in allowed_minutes(profile))


def subtract(
    windows: Sequence[Span], busy: Sequence[Span], *, buffer: float = BUFFER_S
) -> list[Span]:
    """Windows minus busy spans (each widened by `buffer`).

    Both inputs are sorted by start and do not overlap (`to_spans` merges busy intervals).
    """
    free: list[Span] = []
    j = 0
    n = len(busy)
    for w_start, w_end in windows:
        cursor = w_start
        while j < n and busy[j][1] + buffer <= w_start:
            j += 1
        k = j
        while k < n and busy[k][0] - buffer < w_end:
            b_start, b_end = busy[k][0] - buffer, busy[k][1] + buffer
            if b_start > cursor:
                free.append((cursor, min(b_start, w_end)))
            cursor = max(cursor, b_end)
            k += 1
        if cursor < w_end:
            free.append((cursor, w_end))
    return free


def to_spans(intervals: Sequence[tuple[datetime, datetime]]) -> list[Span]:
    """Datetime intervals as sorted, merged epoch-second spans."""
    spans = sorted((s.timestamp(), e.timestamp()) for s, e in intervals if e > s)
    merged: list[Span] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def utc(ts: float) -> datetime:
    """An epoch-seconds instant as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)
