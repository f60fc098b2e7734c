"""The event log's received -> done records on SQLite and PostgreSQL: claims under a lease
timed by the database's clock, take-over after the holder died, one taker among replicas,
payloads dropped when done."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from bot.storage.db import database_now, make_engine, migrate
from bot.storage.journal import DONE, RECEIVED, EventLog
from bot.storage.tables import processed_events

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
EVENT = {"kind": "message", "user": "U0ANA", "text": "what is our leave policy?"}


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def lapse(engine: Engine, *keys: str) -> None:
    """The holders' leases run out (as a minute after they died), by the database's clock."""
    with engine.begin() as conn:
        past = database_now(conn) - timedelta(seconds=1)
        conn.execute(
            update(processed_events)
            .where(processed_events.c.key.in_(keys))
            .values(claimed_until=past)
        )


def test_received_then_done_and_a_repeat_after_done_is_refused(engine) -> None:
    log = EventLog(engine)
    claim = log.receive("slack:Ev1", EVENT, now=NOW, lease=LEASE)
    assert claim is not None
    assert claim.payload == EVENT
    assert log.status("slack:Ev1") == RECEIVED
    assert log.done(claim)
    assert log.status("slack:Ev1") == DONE
    assert log.receive("slack:Ev1", EVENT, now=NOW + timedelta(hours=1), lease=LEASE) is None
    assert (
        log.unfinished(prefix="slack:", now=NOW + timedelta(hours=1), lease=LEASE, since=NOW) == []
    )


def test_a_live_claim_is_not_taken_and_a_lapsed_one_is_taken_once(engine) -> None:
    log = EventLog(engine)
    first = log.receive("slack:Ev2", EVENT, now=NOW, lease=LEASE)
    assert first is not None
    assert log.receive("slack:Ev2", EVENT, now=NOW + timedelta(seconds=30), lease=LEASE) is None
    lapse(engine, "slack:Ev2")
    later = NOW + timedelta(minutes=2)
    retried = log.receive("slack:Ev2", {"kind": "other"}, now=later, lease=LEASE)
    assert retried is not None
    assert retried.payload == EVENT  # the stored event, not the retry's
    assert not log.done(first)  # the dead holder's claim is void
    assert log.done(retried)


def test_renewing_keeps_a_long_piece_of_work_its_own(engine) -> None:
    log = EventLog(engine)
    claim = log.receive("slack:Ev3", EVENT, now=NOW, lease=LEASE)
    assert claim is not None
    lapse(engine, "slack:Ev3")  # the holder was slow to renew, but is alive and renews
    assert log.renew(claim, now=NOW + timedelta(seconds=50), lease=LEASE)
    at = NOW + timedelta(seconds=90)
    assert log.unfinished(prefix="slack:", now=at, lease=LEASE, since=NOW) == []
    assert log.done(claim)


def test_a_replica_whose_clock_is_ten_minutes_ahead_does_not_take_a_live_claim(engine) -> None:
    """Leases are judged by the database's clock: the skewed replica's `now` does not count."""
    now = datetime.now(UTC)
    ahead = now + timedelta(minutes=10)
    log, skewed = EventLog(engine), EventLog(engine)
    claim = log.receive("slack:EvSkew", EVENT, now=now, lease=LEASE)
    assert claim is not None
    assert skewed.receive("slack:EvSkew", EVENT, now=ahead, lease=LEASE) is None
    since = ahead - timedelta(hours=1)
    assert skewed.unfinished(prefix="slack:", now=ahead, lease=LEASE, since=since) == []
    assert log.renew(claim, now=now, lease=LEASE)
    assert log.done(claim), "the holder kept its claim"


def test_a_holder_whose_clock_is_ten_minutes_behind_keeps_its_claim(engine) -> None:
    """Its lease runs from the database's now, not from ten minutes ago."""
    now = datetime.now(UTC)
    behind = now - timedelta(minutes=10)
    slow = EventLog(engine)
    claim = slow.receive("slack:EvBehind", EVENT, now=behind, lease=LEASE)
    assert claim is not None
    other = EventLog(engine)
    assert other.receive("slack:EvBehind", EVENT, now=now, lease=LEASE) is None
    since = behind - timedelta(minutes=1)
    assert other.unfinished(prefix="slack:", now=now, lease=LEASE, since=since) == []
    assert slow.done(claim)


def test_unfinished_events_go_to_one_replica_only(engine) -> None:
    log = EventLog(engine)
    for n in range(6):
        assert log.receive(f"slack:Ev{n}", EVENT | {"n": n}, now=NOW, lease=LEASE) is not None
    log.first_time("teams:act-1", now=NOW)  # another platform's done record is left alone
    lapse(engine, *(f"slack:Ev{n}" for n in range(6)))
    at = NOW + timedelta(minutes=5)
    taken: list[list[str]] = []
    barrier = threading.Barrier(3)

    def replica() -> None:
        barrier.wait()
        claims = EventLog(engine).unfinished(prefix="slack:", now=at, lease=LEASE, since=NOW)
        taken.append([c.key for c in claims])

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    keys = [k for batch in taken for k in batch]
    assert sorted(keys) == sorted(f"slack:Ev{n}" for n in range(6))
    assert len(keys) == len(set(keys))


def test_done_drops_the_payload_and_old_records_are_pruned(engine) -> None:
    log = EventLog(engine)
    claim = log.receive("slack:Ev9", EVENT, now=NOW, lease=LEASE)
    assert claim is not None
    log.done(claim)
    from sqlalchemy import select

    from bot.storage.tables import processed_events

    with engine.connect() as conn:
        payload = conn.execute(
            select(processed_events.c.payload).where(processed_events.c.key == "slack:Ev9")
        ).scalar()
    assert payload is None
    stuck = log.receive("slack:Ev10", EVENT, now=NOW, lease=LEASE)
    assert stuck is not None
    assert log.prune(older_than=timedelta(days=2), now=NOW + timedelta(days=3)) == 1
    assert log.status("slack:Ev10") == RECEIVED
    assert log.prune(older_than=timedelta(days=2), now=NOW + timedelta(days=8)) == 1
