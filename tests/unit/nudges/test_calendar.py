"""Reading iCalendar files: recurrence, time zones, floating and all-day events, bad files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nudges.calendar import CalendarError, parse_calendar
from tests.unit.nudges.conftest import ics, utc

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = {"start": utc(2026, 11, 1), "end": utc(2026, 12, 31)}


def parse(data: bytes, zone: ZoneInfo = BERLIN, **kw):  # type: ignore[no-untyped-def]
    return parse_calendar(data, zone=zone, **(WINDOW | kw))


def test_every_shared_calendar_parses_or_is_refused_with_a_reason(calendars_dir: Path) -> None:
    files = sorted(calendars_dir.rglob("*.ics"))
    assert len(files) == 88
    parsed = 0
    reasons = []
    for path in files:
        try:
            result = parse_calendar(
                path.read_bytes(), zone=BERLIN, start=utc(1990, 1, 1), end=utc(2031, 1, 1)
            )
        except CalendarError as err:
            reasons.append(str(err))
            continue
        parsed += 1
        for event in result.events:
            assert event.start.tzinfo is not None
            assert event.start.utcoffset() == timedelta(0)
            assert event.end >= event.start, path.name
    assert parsed >= 60, "most real calendars are usable"
    assert len(reasons) >= 10, "the files built to be broken are refused"
    assert all(r.endswith(".") and len(r) < 300 for r in reasons)


def test_recurrence_with_an_exception_and_a_moved_occurrence(calendars_dir: Path) -> None:
    path = (
        calendars_dir / "allenporter-ical/tests/examples/testdata/recurring_with_single_change.ics"
    )
    events = parse_calendar(
        path.read_bytes(), zone=BERLIN, start=utc(2026, 1, 1), end=utc(2026, 3, 1)
    ).events
    titles = [e.title for e in events]
    assert len(events) == 3
    assert titles.count("Initial Title") == 2
    moved = [e for e in events if e.title != "Initial Title"]
    assert len(moved) == 1, "the RECURRENCE-ID occurrence replaces the rule's one"


def test_exdate_removes_occurrences() -> None:
    data = ics(
        "UID:x\nDTSTART;TZID=Europe/Berlin:20261102T100000\nDURATION:PT1H\n"
        "RRULE:FREQ=DAILY;COUNT=5\nEXDATE;TZID=Europe/Berlin:20261104T100000\nSUMMARY:Standup"
    )
    starts = [e.start for e in parse(data).events]
    assert starts == [
        utc(2026, 11, 2, 9),
        utc(2026, 11, 3, 9),
        utc(2026, 11, 5, 9),
        utc(2026, 11, 6, 9),
    ]


def test_tzid_recurrence_follows_the_events_zone_across_its_dst_change() -> None:
    data = ics(
        "UID:ny\nDTSTART;TZID=America/New_York:20261026T090000\nDTEND;TZID=America/New_York:"
        "20261026T093000\nRRULE:FREQ=WEEKLY;COUNT=2\nSUMMARY:NY sync"
    )
    events = parse(data, start=utc(2026, 10, 20)).events
    assert [e.start for e in events] == [utc(2026, 10, 26, 13), utc(2026, 11, 2, 14)]


def test_floating_and_all_day_events_are_placed_in_the_learners_zone() -> None:
    data = ics(
        "UID:f\nDTSTART:20261123T090000\nDTEND:20261123T100000\nSUMMARY:Floating",
        "UID:d\nDTSTART;VALUE=DATE:20261124\nSUMMARY:Offsite",
    )
    tokyo = parse(data, zone=ZoneInfo("Asia/Tokyo")).events
    floating = next(e for e in tokyo if e.title == "Floating")
    all_day = next(e for e in tokyo if e.title == "Offsite")
    assert floating.floating
    assert floating.start == utc(2026, 11, 23, 0)
    assert all_day.all_day
    assert (all_day.start, all_day.end) == (
        utc(2026, 11, 23, 15),
        utc(2026, 11, 24, 15),
    )


def test_free_and_cancelled_events() -> None:
    data = ics(
        "UID:a\nDTSTART:20261123T090000Z\nDTEND:20261123T100000Z\nTRANSP:TRANSPARENT\nSUMMARY:Focus",
        "UID:b\nDTSTART:20261123T110000Z\nDTEND:20261123T120000Z\nSTATUS:CANCELLED\nSUMMARY:Gone",
    )
    events = parse(data).events
    assert [(e.title, e.busy) for e in events] == [("Focus", False)]


def test_only_times_titles_and_descriptions_are_kept() -> None:
    data = ics(
        "UID:a\nDTSTART:20261123T090000Z\nDTEND:20261123T100000Z\nSUMMARY:Budget\x07 review\n"
        "DESCRIPTION:Bring the Q3 numbers\nLOCATION:Room 4\nATTENDEE:mailto:boss@example.com"
    )
    (event,) = parse(data).events
    assert (event.title, event.description) == ("Budget review", "Bring the Q3 numbers")
    assert "boss@example.com" not in repr(event)
    assert "Room 4" not in repr(event)


def test_events_outside_the_window_are_left_out() -> None:
    data = ics("UID:a\nDTSTART:20250101T090000Z\nDTEND:20250101T100000Z\nSUMMARY:Old")
    assert parse(data).events == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n", "no VCALENDAR"),
        (b"not a calendar at all", "not a valid iCalendar"),
        (b"\xff\xfe\x00garbage\x00", "not a valid iCalendar"),
    ],
)
def test_malformed_files_are_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse(data)


def test_a_file_over_the_size_cap_is_refused_before_parsing() -> None:
    data = ics("UID:a\nDTSTART:20261123T090000Z\nSUMMARY:" + "x" * 5000)
    with pytest.raises(CalendarError, match="I read at most"):
        parse(data, max_bytes=1024)


def test_a_runaway_rule_is_refused_by_the_event_cap() -> None:
    data = ics("UID:a\nDTSTART:20261101T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY\nSUMMARY:Spam")
    with pytest.raises(CalendarError, match="more than 5,000 events"):
        parse(data)


def test_expansion_has_a_time_limit() -> None:
    data = ics("UID:a\nDTSTART:20261101T000000Z\nDURATION:PT1M\nRRULE:FREQ=HOURLY\nSUMMARY:Busy")
    with pytest.raises(CalendarError, match="too long"):
        parse(data, time_limit=0.0)


def test_events_without_a_start_are_counted_and_skipped() -> None:
    data = ics("UID:a\nSUMMARY:No start", "UID:b\nDTSTART:20261123T090000Z\nSUMMARY:Fine")
    result = parse(data)
    assert result.skipped == 1
    assert [e.title for e in result.events] == ["Fine"]


def test_free_busy_periods_count_as_busy(calendars_dir: Path) -> None:
    path = calendars_dir / "allenporter-ical/tests/testdata/freebusy.ics"
    events = parse_calendar(
        path.read_bytes(), zone=BERLIN, start=utc(1997, 1, 1), end=utc(1999, 1, 1)
    ).events
    assert events
    assert all(e.busy and e.title == "" for e in events)
    assert utc(1998, 3, 14, 23, 30) in [e.start for e in events]
    assert utc(1997, 3, 8, 16) in [e.start for e in events], "BUSY-UNAVAILABLE counts"
