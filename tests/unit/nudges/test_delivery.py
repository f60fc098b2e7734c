"""Delivery on a SQLite file: retries with backoff, dead recipients, send-time checks,
outages without bursts, time-zone changes, and pacing to platform limits."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.events import Channel, Identity
from bot.core.ports import Delivered, DeliveryFailed, RecipientGone, RecordingPort
from bot.core.replies import Reply
from nudges.delivery import DeliveryConfig
from nudges.outbox import DEAD, REPLAN, RETRY, SENT
from nudges.pacing import Pacer, Rate, pacing_key
from nudges.planner import NEXT_STEP, PlannedNudge
from nudges.reviews import record_review
from nudges.service import nudge_service
from tests.unit.nudges.conftest import onboard

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class ScriptedPort:
    """A terminal port that fails as told, then accepts."""

    failures: list[Exception] = field(default_factory=list)
    platform: str = "terminal"
    sent: list[Reply] = field(default_factory=list)

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(reply)
        return Delivered(self.platform, "dm", f"msg-{len(self.sent)}")

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        return sent


def one_nudge(core, learner, at, obj="m1"):  # type: ignore[no-untyped-def]
    nudge = PlannedNudge(at, at.astimezone(BERLIN), NEXT_STEP, obj, obj, "Tickets", "why", 5, 30.0)
    service = nudge_service(core.services)
    service.outbox.apply_plan(learner.id, [nudge], now=at - timedelta(hours=1))
    return service


def row(service, learner):  # type: ignore[no-untyped-def]
    (only,) = list(
        service.outbox._rows(learner.id, since=service.services.clock.now() - timedelta(days=9))
    )
    return only


def test_retryable_failures_back_off_with_jitter_then_succeed(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = ScriptedPort(
        [DeliveryFailed("503", retryable=True), DeliveryFailed("timeout", retryable=True)]
    )
    service.ports().add(port)
    delivery = service.delivery(config=DeliveryConfig(backoff_base=30))
    delivery.rng = random.Random(1)

    assert delivery.run_once().retried == 1
    first = row(service, learner)
    assert first.status == RETRY
    assert timedelta(seconds=15) <= first.due_at - clock.now() <= timedelta(seconds=30)
    clock.advance(first.due_at - clock.now())
    assert delivery.run_once().retried == 1
    second = row(service, learner)
    assert timedelta(seconds=30) <= second.due_at - clock.now() <= timedelta(seconds=60)
    clock.advance(second.due_at - clock.now())
    assert delivery.run_once().sent == 1
    done = row(service, learner)
    assert (done.status, done.message_id, done.attempts) == (SENT, "msg-1", 3)


def test_the_platforms_retry_after_is_honoured(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    service.ports().add(ScriptedPort([DeliveryFailed("429", retryable=True, retry_after=42)]))
    service.delivery().run_once()
    assert row(service, learner).due_at == clock.now() + timedelta(seconds=42)


@pytest.mark.parametrize(
    "failure", [RecipientGone("user_not_found"), DeliveryFailed("invalid_blocks", retryable=False)]
)
def test_gone_recipients_and_permanent_errors_are_never_retried(core, clock, failure) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    service.ports().add(ScriptedPort([failure]))
    assert service.delivery().run_once().dead == 1
    assert row(service, learner).status == DEAD


def test_after_the_last_attempt_the_nudge_is_dead(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    service.ports().add(ScriptedPort([DeliveryFailed("503", retryable=True)] * 3))
    delivery = service.delivery(config=DeliveryConfig(max_attempts=3, backoff_base=1))
    for _ in range(3):
        delivery.run_once()
        clock.advance(timedelta(seconds=5))
    assert row(service, learner).status == DEAD


def test_quiet_hours_are_checked_again_at_send_time(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())  # 10:00 in Berlin
    profiles = core.services.profiles
    profiles.save(
        learner.id,
        profiles.get(learner.id).with_changes(quiet_start=time(9), quiet_end=time(12)),
        now=clock.now(),
    )
    port = RecordingPort()
    service.ports().add(port)
    assert service.delivery().run_once().replanned == 1
    assert port.sent == []
    assert row(service, learner).status == REPLAN


def test_a_two_hour_outage_is_coalesced_not_burst(core, clock) -> None:
    start = clock.now()  # Monday 10:00 in Berlin
    learners = [onboard(core, f"user{i}", timezone="Europe/Berlin") for i in range(5)]
    services = core.services
    for learner in learners:
        for item in range(6):
            record_review(services, learner.id, f"q{item}", False, now=start - timedelta(days=2))
    service = nudge_service(services)
    service.replan_all(now=start)
    port = RecordingPort()
    service.ports().add(port)
    planned_before = {x.id: len(service.upcoming(x.id, now=start)) for x in learners}
    assert all(planned_before.values())

    clock.advance(timedelta(hours=2, minutes=30))  # the worker and the planner were down
    stats = service.delivery().run_once()
    assert stats.sent == 0, "nothing stale goes out"
    assert stats.replanned >= len(learners)
    service.replan_all(now=clock.now())
    for learner in learners:
        upcoming = service.upcoming(learner.id, now=clock.now())
        assert upcoming, "stale nudges are planned again"
        assert all(n.due_at >= clock.now() for n in upcoming)
        times = sorted(n.due_at for n in upcoming)
        assert all(b - a >= timedelta(hours=2) for a, b in itertools.pairwise(times))
    # Delivering for the rest of the day sends at most the daily cap per learner.
    end = clock.now() + timedelta(hours=10)
    delivery = service.delivery()
    while clock.now() < end:
        delivery.run_once()
        clock.advance(timedelta(minutes=5))
    per_learner = Counter(identity.user_id for identity, _, _ in port.sent)
    assert set(per_learner) == {learner.identities[0].user_id for learner in learners}
    assert max(per_learner.values()) <= 2


def test_a_time_zone_change_replans(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    services = core.services
    now = clock.now()
    for item in range(4):
        record_review(services, learner.id, f"q{item}", False, now=now - timedelta(days=3))
    service = nudge_service(services)
    service.replan(learner.id, now=now)
    berlin = [n.due_at.astimezone(BERLIN).time() for n in service.upcoming(learner.id, now=now)]
    assert berlin
    profiles = services.profiles
    profiles.save(
        learner.id, profiles.get(learner.id).with_changes(timezone="America/Los_Angeles"), now=now
    )
    changes = service.replan(learner.id, now=now)
    assert changes.moved + changes.inserted + changes.cancelled > 0
    la = ZoneInfo("America/Los_Angeles")
    upcoming = service.upcoming(learner.id, now=now)
    imminent = [n for n in upcoming if n.due_at <= now + timedelta(minutes=2)]
    later = [n for n in upcoming if n not in imminent]
    assert later
    for n in later:
        local = n.due_at.astimezone(la)
        assert time(9) <= local.time() < time(17), local
        assert n.local_date == local.date().isoformat()
    # A nudge already due when the zone changed is checked at send time and not sent at 01:00.
    port = RecordingPort()
    service.ports().add(port)
    service.delivery().run_once()
    assert port.sent == []


def test_pacing_slack_per_channel_and_teams_per_tenant() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    a = pacing_key(Identity("slack", "T1", "U1"))
    b = pacing_key(Identity("slack", "T1", "U2"))
    assert pacer.reserve("slack", a) == 0
    assert pacer.reserve("slack", a) == pytest.approx(1 / 0.95)
    assert pacer.reserve("slack", b) == 0, "another channel has its own budget"
    tenant = pacing_key(Identity("teams", "tenant-1", "29:x"))
    assert pacing_key(Identity("teams", "tenant-1", "29:y")) == tenant
    assert [pacer.reserve("teams", tenant) for _ in range(2)] == [0.0] * 2
    assert pacer.reserve("teams", tenant) == pytest.approx(1 / 47.5)
    now[0] += 1 / 47.5
    assert pacer.reserve("teams", tenant) == 0
    pacer.penalise("slack", b, 30)
    now[0] += 10
    assert pacer.reserve("slack", b) == pytest.approx(21.0, abs=0.1)
    assert Pacer({"x": Rate(1, 1)}, clock=lambda: 0).reserve("terminal", "k") == 0


def test_sends_held_for_their_channel_do_not_hold_up_other_channels(core, clock) -> None:
    services = core.services
    learners = [onboard(core, f"user{i}", timezone="Europe/Berlin") for i in range(3)]
    service = nudge_service(services)
    at = clock.now()
    for learner in learners:
        plan = [
            PlannedNudge(at, at.astimezone(BERLIN), NEXT_STEP, f"m{k}", None, "M", "why", 5, 1.0)
            for k in range(2)
        ]
        service.outbox.apply_plan(learner.id, plan, now=at - timedelta(hours=1))
    port = ScriptedPort()
    service.ports().add(port)
    delivery = service.delivery(config=DeliveryConfig(min_gap=timedelta(0)))
    now = [0.0]
    delivery.pacer = Pacer({"terminal": Rate(per_second=10, burst=1)}, clock=lambda: now[0])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    delivery.sleep = sleep
    assert delivery.run_once().sent == 6
    assert slept == [pytest.approx(0.1)], "one short wait covers all three channels"


def test_a_send_that_must_wait_long_is_put_back_untried(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    service.ports().add(ScriptedPort())
    delivery = service.delivery()
    delivery.pacer = Pacer({"terminal": Rate(per_second=0.1, burst=1)}, clock=lambda: 0.0)
    delivery.pacer.reserve("terminal", pacing_key(learner.identities[0]))
    assert delivery.run_once().deferred == 1
    deferred = row(service, learner)
    assert (deferred.status, deferred.attempts) == (RETRY, 0)
    assert deferred.due_at == clock.now() + timedelta(seconds=10)
