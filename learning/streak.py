"""Learning streaks: consecutive local days with learning activity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo


def active_days(activity: Iterable[datetime], *, zone: tzinfo) -> set[date]:
    """The local calendar days on which something happened."""
    return {at.astimezone(zone).date() for at in activity}


def streak(activity: Iterable[datetime], *, now: datetime, zone: tzinfo) -> int:
    """Consecutive local days with activity, ending today.

    A streak that ended yesterday still counts (the learner may study later today); one that
    ended the day before yesterday is broken. Activity after `now` is ignored.

    Args:
        activity: When the learner did something (timezone-aware).
        now: The current time (timezone-aware).
        zone: The learner's time zone: days start at local midnight.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    days = active_days((at for at in activity if at <= now), zone=zone)
    today = now.astimezone(zone).date()
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
