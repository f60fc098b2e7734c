"""Reading iCalendar files: events expanded into UTC intervals over a horizon, once, at import.

Recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID) and time zones (TZID, VTIMEZONE, Google's
X-WR-TIMEZONE) are handled by icalendar and recurring-ical-events. Floating times and all-day
events are placed in the learner's own time zone. Only the times, whether the time is busy,
the title and the description are kept; attendees, locations and everything else are dropped.
"""

from __future__ import annotations

import time as _time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 5_000
TIME_LIMIT_S = 10.0
TITLE_CHARS = 300
DESCRIPTION_CHARS = 2_000
_BUSY_FREEBUSY = {"BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"}
# What a hostile or broken file can make icalendar and recurring-ical-events raise.
_PARSE_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
    UnicodeError,
    NotImplementedError,
)


class CalendarError(ValueError):
    """A calendar that cannot be used; the message says why, in words a learner understands."""


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of an event, in UTC.

    Attributes:
        start: When it starts (UTC).
        end: When it ends (UTC, not before start).
        title: The SUMMARY, cleaned and shortened.
        description: The DESCRIPTION, cleaned and shortened.
        busy: False for events marked free (TRANSP:TRANSPARENT).
        all_day: A date-only event, placed on the learner's local day(s).
        floating: Written without a time zone, placed in the learner's zone.
    """

    start: datetime
    end: datetime
    title: str = ""
    description: str = ""
    busy: bool = True
    all_day: bool = False
    floating: bool = False


@dataclass(frozen=True)
class ParsedCalendar:
    """The events of a calendar between `start` and `end`, and how many were left out."""

    events: tuple[CalendarEvent, ...]
    start: datetime
    end: datetime
    skipped: int = 0


def parse_calendar(
    data: bytes,
    *,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    max_bytes: int = MAX_BYTES,
    max_events: int = MAX_EVENTS,
    time_limit: float = TIME_LIMIT_S,
) -> ParsedCalendar:
    """Parse an iCalendar file and expand its events between `start` and `end`.

    Args:
        data: The raw .ics bytes.
        zone: The learner's time zone, for floating times and all-day events.
        start: Start of the horizon (timezone-aware).
        end: End of the horizon (timezone-aware).
        max_bytes: Larger files are refused before parsing.
        max_events: More occurrences than this inside the horizon are refused.
        time_limit: Seconds the expansion may take.

    Raises:
        CalendarError: for an empty, oversized, malformed or too busy calendar.
    """
    if not data.strip():
        raise CalendarError("The calendar file is empty.")
    if len(data) > max_bytes:
        raise CalendarError(
            f"The calendar is {len(data) / 1_048_576:.1f} MB; I read at most "
            f"{max_bytes / 1_048_576:.0f} MB. Export a shorter date range."
        )
    deadline = _time.monotonic() + time_limit
    try:
        calendar, skipped = _load(data)
        events = _expand(
            calendar, zone=zone, start=start, end=end, deadline=deadline, max_events=max_events
        )
        events += _free_busy(calendar, start=start, end=end)
        if len(events) > max_events:
            raise _TooMany
    except _TooMany as err:
        raise CalendarError(
            f"The calendar has more than {max_events:,} events in the next "
            f"{(end - start).days} days, which is more than I can plan around."
        ) from err
    except CalendarError:
        raise
    except _PARSE_ERRORS as err:
        raise CalendarError(f"The calendar could not be read: {_short(err)}.") from err
    events.sort(key=lambda e: (e.start, e.end))
    return ParsedCalendar(tuple(events), start=start, end=end, skipped=skipped)


def _load(data: bytes) -> tuple[Any, int]:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except _PARSE_ERRORS as err:
        raise CalendarError(f"This is not a valid iCalendar file: {_short(err)}.") from err
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise CalendarError("This is not an iCalendar file: it has no VCALENDAR.")
    kept = []
    skipped = 0
    for component in calendar.subcomponents:
        if component.name == "VEVENT" and "DTSTART" not in component:
            skipped += 1
            continue
        kept.append(component)
    calendar.subcomponents = kept
    return calendar, skipped


class _TooMany(Exception):
    """More occurrences than the cap (raised early so a runaway rule stops at once)."""


def _expand(
    calendar: Any,
    *,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    deadline: float,
    max_events: int,
) -> list[CalendarEvent]:
    import recurring_ical_events

    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    # Occurrences come in start order; floating times may be off by a zone offset, so the
    # loop runs a day past the horizon and each event is checked once placed in the zone.
    stop = end + timedelta(days=1)
    events: list[CalendarEvent] = []
    for occurrence in query.after(start.astimezone(UTC)):
        if _time.monotonic() > deadline:
            raise CalendarError("The calendar took too long to expand; it is too complex.")
        event = _event(occurrence, zone)
        if event is None:
            continue
        if event.start > stop:
            break
        if event.end > start and event.start < end:
            events.append(event)
            if len(events) > max_events:
                raise _TooMany
    return events


def _event(component: Any, zone: ZoneInfo) -> CalendarEvent | None:
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    begin = component["DTSTART"].dt
    finish = component["DTEND"].dt if "DTEND" in component else begin
    all_day = not isinstance(begin, datetime)
    floating = isinstance(begin, datetime) and begin.tzinfo is None
    start_utc, end_utc = _utc(begin, zone), _utc(finish, zone)
    if all_day and end_utc <= start_utc:
        end_utc = start_utc + timedelta(days=1)
    return CalendarEvent(
        start=start_utc,
        end=max(start_utc, end_utc),
        title=_clean(component.get("SUMMARY", ""), TITLE_CHARS),
        description=_clean(component.get("DESCRIPTION", ""), DESCRIPTION_CHARS),
        busy=str(component.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT",
        all_day=all_day,
        floating=floating,
    )


def _utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _free_busy(calendar: Any, *, start: datetime, end: datetime) -> list[CalendarEvent]:
    """Busy periods published as VFREEBUSY (free/busy exports carry no titles)."""
    events: list[CalendarEvent] = []
    for component in calendar.walk("VFREEBUSY"):
        values = component.get("FREEBUSY", [])
        for prop in values if isinstance(values, list) else [values]:
            if str(prop.params.get("FBTYPE", "BUSY")).upper() not in _BUSY_FREEBUSY:
                continue
            for period in getattr(prop, "dts", [prop]):
                begin, finish = period.dt
                if isinstance(finish, timedelta):
                    finish = begin + finish
                if begin.tzinfo is None or finish.tzinfo is None:
                    continue
                event = CalendarEvent(begin.astimezone(UTC), finish.astimezone(UTC))
                if event.end > start and event.start < end:
                    events.append(event)
    return events


def _clean(value: object, limit: int) -> str:
    text = str(value or "")
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(kept.split())[:limit]


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:160]
