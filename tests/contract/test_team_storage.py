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
