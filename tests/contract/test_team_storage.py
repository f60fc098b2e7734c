"""The team report's reads and the xAPI cursor, the same on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate, ping
from bot.storage.journal import ActivityLog
from bot.storage.learners import LearnerRepository
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from bot.storage.team import TeamRepository
from bot.storage.xapi import XapiRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _learner(engine, user: str) -> str:  # type: ignore[no-untyped-def]
    return LearnerRepository(engine).resolve(Identity.parse(user), UserInfo(user), now=NOW).id


def _check(competency: str, passed: bool, minutes: int) -> CheckAttempt:
    at = NOW + timedelta(minutes=minutes)
    return CheckAttempt(competency, None, passed, 0.5, 0.0, 0.4, ("i1",), (), at)


def test_team_reads_mastery_failure_streaks_and_last_activity_for_the_asked_learners(
    engine,  # type: ignore[no-untyped-def]
) -> None:
    ana, ben, cy = (_learner(engine, u) for u in ("ana", "ben", "cy"))
    mastery = MasteryRepository(engine)
    mastery.save_ability(ana, Ability("c1", 0.5, 0.3, 0.7, 0.0, 4, NOW))
    mastery.save_ability(cy, Ability("c1", 1.5, 0.3, 0.95, 0.0, 4, NOW))
    for minutes, (competency, passed) in enumerate(
        [("c1", False), ("c1", False), ("c2", False), ("c2", True), ("c3", True), ("c3", False)]
    ):
        mastery.record_check(ana, _check(competency, passed, minutes), dialog_id=None)
    activity = ActivityLog(engine)
    activity.record(ana, "answered", now=NOW)
    activity.record(ana, "completed", object_id="m1", now=NOW + timedelta(hours=2))

    team = TeamRepository(engine)
    assert team.mastery([ana, ben]) == {ana: {"c1": 0.7}}, "cy was not asked for"
    assert team.failure_streaks([ana, ben]) == {(ana, "c1"): 2, (ana, "c2"): 0, (ana, "c3"): 1}
    assert team.last_activity([ana, ben]) == {ana: NOW + timedelta(hours=2)}


def _nudge(engine, learner: str, n: int, *, sent: bool, answered: bool) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from bot.storage.tables import outbox

    at = NOW + timedelta(days=n)
    row = {
        "id": f"n{n}",
        "learner_id": learner,
        "kind": "module",
        "object_id": f"m{n}",
        "local_date": f"2026-11-{23 + n}",
        "title": "t",
        "reason": "r",
        "minutes": 5,
        "priority": 1.0,
        "due_at": at,
        "status": "sent" if sent else "pending",
        "attempts": 0,
        "sent_at": at if sent else None,
        "response": "start" if answered else None,
        "responded_at": at if answered else None,
        "created_at": at,
        "updated_at": at,
    }
    with engine.begin() as conn:
        conn.execute(insert(outbox).values(**row))


def test_risk_records_read_dated_activity_checks_nudges_and_completions(
    engine,  # type: ignore[no-untyped-def]
) -> None:
    from bot.storage.paths import PathRepository

    ana, ben, cy = (_learner(engine, u) for u in ("ana", "ben", "cy"))
    ActivityLog(engine).record(ana, "answered", now=NOW)
    ActivityLog(engine).record(cy, "answered", now=NOW)
    MasteryRepository(engine).record_check(ana, _check("c1", False, 5), dialog_id=None)
    _nudge(engine, ana, 1, sent=True, answered=False)
    _nudge(engine, ana, 2, sent=True, answered=True)
    _nudge(engine, ana, 3, sent=False, answered=False)
    paths = PathRepository(engine)
    paths.mark(ana, "m1", "done", now=NOW + timedelta(days=4))
    paths.mark(ana, "m2", "started", now=NOW)

    got = TeamRepository(engine).risk_records([ana, ben])
    assert set(got) == {ana, ben}, "cy was not asked for; ben is present with nothing"
    assert got[ana].activity == [NOW]
    assert got[ana].checks == [(NOW + timedelta(minutes=5), False)]
    assert sorted(got[ana].nudges) == [
        (NOW + timedelta(days=1), False),
        (NOW + timedelta(days=2), True),
    ], "a nudge never sent is not ignored"
    assert got[ana].completed == {"m1": NOW + timedelta(days=4)}
    ActivityLog(engine).record(ana, "answered", now=NOW + timedelta(hours=3))
    latest = TeamRepository(engine).risk_records([ana], latest_only=True)[ana]
    assert latest.activity == [NOW + timedelta(hours=3)], "only the latest activity"
    assert latest.checks == got[ana].checks
    assert (got[ben].activity, got[ben].checks, got[ben].nudges, got[ben].completed) == (
        [],
        [],
        [],
        {},
    )


def test_the_xapi_cursor_starts_at_zero_and_moves_where_it_is_told(
    engine,  # type: ignore[no-untyped-def]
) -> None:
    ana = _learner(engine, "ana")
    activity = ActivityLog(engine)
    for minutes in range(3):
        activity.record(
            ana, "answered", object_id=f"i{minutes}", now=NOW + timedelta(minutes=minutes)
        )
    log = XapiRepository(engine)
    assert log.cursor("lrs") == 0
    rows = log.activity()
    assert [r["object_id"] for r in rows] == ["i0", "i1", "i2"]
    log.advance("lrs", rows[0]["id"], now=NOW)
    log.advance("lrs", rows[1]["id"], now=NOW)
    assert log.cursor("lrs") == rows[1]["id"]
    assert log.cursor("other") == 0
    assert [r["object_id"] for r in log.activity(after_id=log.cursor("lrs"))] == ["i2"]
    later = log.activity(since=NOW + timedelta(minutes=1), limit=1)
    assert [r["object_id"] for r in later] == ["i1"]


def test_ping_says_whether_the_database_answers(engine) -> None:  # type: ignore[no-untyped-def]
    assert ping(engine)
    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        assert not ping(unreachable)
    finally:
        unreachable.dispose()
