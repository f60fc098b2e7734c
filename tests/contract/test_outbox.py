"""The outbox on a SQLite file and on PostgreSQL: plans applied once, claims under a lease."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_app
from bot.core.ports import RecordingPort
from nudges.delivery import DeliveryConfig, DeliveryStats
from nudges.outbox import CANCELLED, CLAIMED, DEAD, PENDING, SENT
from nudges.planner import NEXT_STEP, REVIEW, PlannedNudge
from nudges.service import nudge_service
from tests.unit.nudges.conftest import onboard

LEASE = timedelta(minutes=2)


@pytest.fixture
def core(settings, clock):  # type: ignore[no-untyped-def]
    app = build_app(settings, clock=clock)
    yield app
    app.services.engine.dispose()


def planned(at, kind=REVIEW, obj="reviews", zone="Europe/Berlin") -> PlannedNudge:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return PlannedNudge(
        at, at.astimezone(ZoneInfo(zone)), kind, obj, None, "Quick review", "why", 3, 50.0
    )


def test_applying_the_same_plan_twice_changes_nothing(core, clock) -> None:
    learner = onboard(core)
    outbox = nudge_service(core.services).outbox
    now = clock.now()
    plan = [planned(now + timedelta(hours=1)), planned(now + timedelta(days=1), NEXT_STEP, "m1")]
    first = outbox.apply_plan(learner.id, plan, now=now)
    second = outbox.apply_plan(learner.id, plan, now=now)
    assert (first.inserted, second.inserted, second.moved, second.cancelled) == (2, 0, 0, 0)
    assert outbox.counts() == {PENDING: 2}


def test_a_new_plan_moves_and_cancels_open_rows_but_never_resends(core, clock) -> None:
    learner = onboard(core)
    service = nudge_service(core.services)
    outbox = service.outbox
    now = clock.now()
    outbox.apply_plan(
        learner.id,
        [planned(now + timedelta(hours=1)), planned(now + timedelta(hours=3), NEXT_STEP, "m1")],
        now=now,
    )
    changes = outbox.apply_plan(learner.id, [planned(now + timedelta(hours=2))], now=now)
    assert (changes.moved, changes.cancelled) == (1, 1)
    (row,) = outbox.upcoming(learner.id, now=now)
    assert row.due_at == now + timedelta(hours=2)

    clock.advance(timedelta(hours=2))
    delivery = service.delivery(worker_id="w1")
    assert delivery.run_once().sent == 1
    again = outbox.apply_plan(learner.id, [planned(now + timedelta(hours=5))], now=clock.now())
    assert again.inserted == 0, "the same nudge on the same local day is never sent twice"
    assert outbox.counts() == {SENT: 1, CANCELLED: 1}


def test_a_claim_is_exclusive_until_its_lease_expires(core, clock) -> None:
    learner = onboard(core)
    outbox = nudge_service(core.services).outbox
    now = clock.now()
    outbox.apply_plan(learner.id, [planned(now + timedelta(minutes=5))], now=now)
    assert outbox.claim(worker="a", now=now, lease=LEASE) == [], "not due yet"
    clock.advance(timedelta(minutes=5))
    (mine,) = outbox.claim(worker="a", now=clock.now(), lease=LEASE)
    assert mine.status == CLAIMED
    assert outbox.claim(worker="b", now=clock.now() + timedelta(seconds=119), lease=LEASE) == []
    (theirs,) = outbox.claim(worker="b", now=clock.now() + timedelta(seconds=121), lease=LEASE)
    assert theirs.id == mine.id
    assert theirs.attempts == 2
    from bot.core.ports import Delivered

    sent = Delivered("terminal", "dm:ana", "1")
    assert not outbox.mark_sent(mine, sent, now=clock.now()), "a lost claim cannot finish"
    assert outbox.mark_sent(theirs, sent, now=clock.now())


def test_a_worker_killed_after_claiming_is_covered_exactly_once(core, clock) -> None:
    learner = onboard(core)
    service = nudge_service(core.services)
    port = RecordingPort()
    service.ports().add(port)
    now = clock.now()
    service.outbox.apply_plan(learner.id, [planned(now + timedelta(minutes=1))], now=now)
    clock.advance(timedelta(minutes=1))
    service.outbox.claim(worker="doomed", now=clock.now(), lease=LEASE)  # ...and the process dies

    survivor = service.delivery(worker_id="survivor", config=DeliveryConfig(lease=LEASE))
    assert survivor.run_once().claimed == 0
    clock.advance(LEASE + timedelta(seconds=1))
    assert survivor.run_once().sent == 1
    clock.advance(LEASE * 3)
    assert survivor.run_once().claimed == 0
    assert len(port.sent) == 1
    (row,) = service.outbox._rows(learner.id, since=now - timedelta(days=1))
    assert (row.status, row.message_id) == (SENT, "1")


def test_history_holds_sent_and_imminent_nudges(core, clock) -> None:
    learner = onboard(core)
    outbox = nudge_service(core.services).outbox
    now = clock.now()
    outbox.apply_plan(
        learner.id,
        [planned(now + timedelta(minutes=1)), planned(now + timedelta(days=2), NEXT_STEP, "m")],
        now=now,
    )
    history = outbox.history(learner.id, now=now)
    assert [(h.kind, h.object_id) for h in history] == [(REVIEW, "reviews")], (
        "only the imminent one"
    )


def test_deleting_a_learner_deletes_their_calendar_cards_and_nudges(core, clock) -> None:
    from sqlalchemy import func, select

    from bot.storage.tables import calendar_events, calendars, nudge_prefs, outbox, review_cards
    from nudges.calendars import import_calendar_bytes
    from nudges.reviews import record_review
    from tests.unit.nudges.conftest import ics

    learner = onboard(core)
    services = core.services
    now = clock.now()
    data = ics("UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:Budget")
    import_calendar_bytes(services, learner.id, data, now=now)
    record_review(services, learner.id, "q1", True, now=now)
    service = nudge_service(services)
    service.fewer(learner.id, REVIEW, now=now)
    service.outbox.apply_plan(learner.id, [planned(now + timedelta(hours=1))], now=now)
    tables = (calendars, calendar_events, review_cards, nudge_prefs, outbox)
    with services.engine.connect() as conn:
        assert all(conn.execute(select(func.count()).select_from(t)).scalar() >= 1 for t in tables)
    services.learners.delete(learner.id)
    with services.engine.connect() as conn:
        assert all(conn.execute(select(func.count()).select_from(t)).scalar() == 0 for t in tables)


def _teams_learner(core, clock):  # type: ignore[no-untyped-def]
    from bot.core.events import Identity, UserInfo

    services = core.services
    now = clock.now()
    teams = Identity("teams", "tenant-1", "29:tess")
    learner = services.learners.resolve(teams, UserInfo("Tess"), now=now)
    profile = services.profiles.get(learner.id).with_changes(onboarded_at=now)
    services.profiles.save(learner.id, profile, now=now)
    return learner


def test_a_worker_without_a_teams_port_leaves_teams_nudges_to_a_process_with_one(
    core, clock
) -> None:
    ana = onboard(core)
    tess = _teams_learner(core, clock)
    service = nudge_service(core.services)
    now = clock.now()
    for learner in (ana, tess):
        service.outbox.apply_plan(learner.id, [planned(now + timedelta(minutes=1))], now=now)
    clock.advance(timedelta(minutes=1))

    standalone = service.delivery(worker_id="standalone")  # the terminal port only
    stats = standalone.run_once()
    assert (stats.claimed, stats.sent, stats.dead) == (1, 1, 0)
    (row,) = service.outbox._rows(tess.id, since=now - timedelta(days=1))
    assert (row.status, row.attempts, row.claim_token) == (PENDING, 0, None)
    assert standalone.run_once().claimed == 0, "the Teams row is not taken again and again"

    teams = RecordingPort(platform="teams")
    service.ports().add(teams)  # the process that mounts the Teams adapter
    assert service.delivery(worker_id="serve").run_once().sent == 1
    assert [identity.user_id for identity, _, _ in teams.sent] == ["29:tess"]
    (row,) = service.outbox._rows(tess.id, since=now - timedelta(days=1))
    assert (row.status, row.attempts, row.platform) == (SENT, 1, "teams")


def test_a_claimed_row_whose_learner_has_no_port_here_goes_back_untried(core, clock) -> None:
    tess = _teams_learner(core, clock)
    service = nudge_service(core.services)
    now = clock.now()
    service.outbox.apply_plan(tess.id, [planned(now + timedelta(minutes=1))], now=now)
    clock.advance(timedelta(minutes=1))
    # Claimed by a process that had a Teams port, handled by one that has none.
    claimed = service.outbox.claim(worker="old", now=clock.now(), lease=LEASE)
    stats = DeliveryStats()
    service.delivery(worker_id="here")._learner(tess.id, claimed, stats, [])
    assert (stats.released, stats.dead) == (1, 0)
    (row,) = service.outbox._rows(tess.id, since=now - timedelta(days=1))
    assert (row.status, row.attempts) == (PENDING, 0)


def test_nudges_of_a_learner_without_any_identity_are_given_up(core, clock) -> None:
    from sqlalchemy import delete

    from bot.storage.tables import identities

    tess = _teams_learner(core, clock)
    service = nudge_service(core.services)
    now = clock.now()
    service.outbox.apply_plan(tess.id, [planned(now + timedelta(minutes=1))], now=now)
    clock.advance(timedelta(minutes=1))
    claimed = service.outbox.claim(worker="old", now=clock.now(), lease=LEASE)
    with core.services.engine.begin() as conn:
        conn.execute(delete(identities).where(identities.c.learner_id == tess.id))
    stats = DeliveryStats()
    service.delivery(worker_id="here")._learner(tess.id, claimed, stats, [])
    assert stats.dead == 1
    assert service.outbox.counts() == {DEAD: 1}
