"""Which outbox rows a new plan inserts, moves and cancels: a pure decision over row values."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from nudges.outbox import CANCELLED, CLAIMED, PENDING, REPLAN, SENT, STALE, Nudge, plan_edits
from nudges.planner import NEXT_STEP, REVIEW, PlannedNudge
from tests.unit.nudges.conftest import utc

NOW = utc(2026, 11, 23, 9)
BERLIN = ZoneInfo("Europe/Berlin")


def planned(at: datetime, kind: str = REVIEW, obj: str = "reviews") -> PlannedNudge:
    return PlannedNudge(at, at.astimezone(BERLIN), kind, obj, None, "Quick review", "why", 3, 50.0)


def row(p: PlannedNudge, *, status: str = PENDING, at: datetime | None = None) -> Nudge:
    kind, object_id, local_date = p.key
    return Nudge(
        f"row-{object_id}-{status}",
        "ana",
        kind,
        object_id,
        local_date,
        None,
        p.title,
        p.reason,
        p.minutes,
        at or p.at,
        status,
        0,
        None,
        None,
        None,
        None,
        None,
    )


def test_a_new_key_is_inserted_and_an_unchanged_pending_row_is_left_alone() -> None:
    same, new = (
        planned(NOW + timedelta(hours=3)),
        planned(NOW + timedelta(hours=4), NEXT_STEP, "m1"),
    )
    edits = plan_edits([row(same)], [same, new], now=NOW, stale=STALE)
    assert (edits.insert, edits.move, edits.cancel) == ((new,), (), ())


def test_a_pending_row_at_another_time_moves_and_a_replan_row_reopens_in_place() -> None:
    p = planned(NOW + timedelta(hours=3))
    moved = row(p, at=NOW + timedelta(hours=5))
    reopened = replace(row(planned(NOW + timedelta(hours=6), NEXT_STEP, "m1")), status=REPLAN)
    again = planned(NOW + timedelta(hours=6), NEXT_STEP, "m1")
    edits = plan_edits([moved, reopened], [p, again], now=NOW, stale=STALE)
    assert edits.move == ((moved.id, p), (reopened.id, again))
    assert edits.insert == edits.cancel == ()


def test_sent_claimed_and_imminent_rows_are_never_touched() -> None:
    sent = planned(NOW + timedelta(hours=1), NEXT_STEP, "m1")
    claimed = planned(NOW + timedelta(hours=2), NEXT_STEP, "m2")
    imminent = planned(NOW + timedelta(minutes=1), NEXT_STEP, "m3")
    rows = [row(sent, status=SENT), row(claimed, status=CLAIMED), row(imminent)]
    later = [replace(p, at=p.at + timedelta(hours=5)) for p in (sent, claimed, imminent)]
    assert plan_edits(rows, later, now=NOW, stale=STALE).move == ()
    assert plan_edits(rows, [], now=NOW, stale=STALE).cancel == ()


def test_open_rows_the_plan_dropped_are_cancelled_but_cancelled_ones_not_again() -> None:
    dropped = row(planned(NOW + timedelta(hours=3)))
    stale = row(planned(NOW - STALE - timedelta(minutes=1), NEXT_STEP, "m1"))
    gone = row(planned(NOW + timedelta(hours=4), NEXT_STEP, "m2"), status=CANCELLED)
    edits = plan_edits([dropped, stale, gone], [], now=NOW, stale=STALE)
    assert edits.cancel == (dropped.id, stale.id)
