"""Streaks in the learner's time zone, and equity rates with small groups kept private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from learning.equity import LearnerOutcome, equity_report
from learning.streak import streak

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_streak_counts_consecutive_local_days_ending_today_or_yesterday() -> None:
    days = [NOW - timedelta(days=d) for d in (0, 1, 2, 4)]
    assert streak(days, now=NOW, zone=UTC) == 3
    assert streak(days[1:], now=NOW, zone=UTC) == 2, "yesterday still counts"
    assert streak(days[2:], now=NOW, zone=UTC) == 0, "a missed day breaks it"
    assert streak([], now=NOW, zone=UTC) == 0
    assert streak([NOW + timedelta(days=1)], now=NOW, zone=UTC) == 0, "the future is ignored"


def test_days_start_at_local_midnight() -> None:
    # 23:30 UTC on the 21st is already the 22nd in Berlin.
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert streak([late, NOW], now=NOW, zone=BERLIN) == 2
    assert streak([late, NOW], now=NOW, zone=UTC) == 1


def outcome(group: str, recommended: int, exempt: int, completed: int) -> LearnerOutcome:
    return LearnerOutcome(group, 10, recommended, exempt, 10, completed)


def test_gaps_above_the_threshold_are_flagged_and_small_groups_are_not_compared() -> None:
    outcomes = [
        *(outcome("east", 8, 2, 4) for _ in range(3)),
        *(outcome("west", 5, 5, 4) for _ in range(4)),
        outcome("north", 0, 10, 0),
    ]
    report = equity_report(outcomes, attribute="location", threshold=0.1)
    groups = {g.group: g for g in report.groups}
    assert groups["north"].too_small
    assert groups["north"].recommendation_rate is None, "one person's result is never shown"
    assert groups["east"].recommendation_rate == pytest.approx(0.8)
    assert groups["west"].exemption_rate == pytest.approx(0.5)
    gaps = {g.metric: g for g in report.gaps}
    assert gaps["recommendation_rate"].flagged
    assert (gaps["recommendation_rate"].highest, gaps["recommendation_rate"].lowest) == (
        "east",
        "west",
    )
    assert gaps["recommendation_rate"].gap == pytest.approx(0.3)
    assert not gaps["completion_rate"].flagged
    assert report.flagged
    assert report.to_dict()["groups"][0]["group"] == "east"


def test_a_gap_equal_to_the_threshold_is_not_flagged_and_one_group_has_no_gaps() -> None:
    outcomes = [
        *(outcome("a", 5, 0, 0) for _ in range(3)),
        *(outcome("b", 6, 0, 0) for _ in range(3)),
    ]
    report = equity_report(outcomes, attribute="department", threshold=0.1)
    assert not {g.metric: g for g in report.gaps}["recommendation_rate"].flagged
    assert equity_report(outcomes[:3], attribute="department").gaps == ()
    with pytest.raises(ValueError, match="between 0 and 1"):
        equity_report(outcomes, attribute="x", threshold=2)
