"""At-risk rules: inactivity that respects tenure, and due dates the free time cannot meet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learning.risk import PathWork, due_shortfall, inactive, pace_minutes

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
WINDOW = timedelta(days=14)


def test_nobody_is_inactive_before_being_known_for_the_window() -> None:
    for known in (timedelta(minutes=5), timedelta(days=13, hours=23)):
        assert not inactive(
            first_seen=NOW - known, last_activity=None, now=NOW, window=WINDOW, has_work=True
        )


def test_silence_beyond_the_window_with_work_left_is_inactive() -> None:
    first = NOW - timedelta(days=30)
    assert inactive(first_seen=first, last_activity=None, now=NOW, window=WINDOW, has_work=True)
    old = NOW - timedelta(days=15)
    assert inactive(first_seen=first, last_activity=old, now=NOW, window=WINDOW, has_work=True)
    recent = NOW - timedelta(days=3)
    assert not inactive(
        first_seen=first, last_activity=recent, now=NOW, window=WINDOW, has_work=True
    )
    assert not inactive(first_seen=first, last_activity=old, now=NOW, window=WINDOW, has_work=False)


def test_pace_gives_sessions_a_week_times_session_length() -> None:
    assert pace_minutes("normal", 10, timedelta(days=7)) == 30
    assert pace_minutes("intensive", 20, timedelta(days=14)) == 200
    assert pace_minutes("unknown", 10, timedelta(days=7)) == 30, "normal when unknown"


def test_the_path_before_a_due_date_must_fit_the_time_left() -> None:
    due = NOW + timedelta(days=7)
    work = [PathWork("a", 20), PathWork("b", 15, due), PathWork("c", 60)]
    fits = due_shortfall(work, now=NOW, pace="normal", session_minutes=20)
    assert fits is None, "60 minutes at pace, 35 needed"
    short = due_shortfall(work, now=NOW, pace="light", session_minutes=10)
    assert short is not None
    assert (short.modules, short.needed, short.available) == (("a", "b"), 35, 20)


def test_free_time_in_the_calendar_bounds_the_pace() -> None:
    due = NOW + timedelta(days=7)
    work = [PathWork("a", 20), PathWork("b", 15, due)]
    seen: list[datetime] = []

    def free(until: datetime) -> float:
        seen.append(until)
        return 25.0

    short = due_shortfall(work, now=NOW, pace="intensive", session_minutes=30, free_minutes=free)
    assert short is not None
    assert (short.due_at, short.needed, short.available) == (due, 35, 25)
    assert seen == [due]


def test_overdue_work_is_not_a_shortfall_but_counts_for_later_dates() -> None:
    work = [
        PathWork("late", 30, NOW - timedelta(days=1)),
        PathWork("next", 10, NOW + timedelta(days=7)),
    ]
    short = due_shortfall(work, now=NOW, pace="normal", session_minutes=10)
    assert short is not None
    assert short.modules == ("late", "next")
    assert short.needed == 40
    assert due_shortfall(work[:1], now=NOW, pace="light", session_minutes=5) is None
