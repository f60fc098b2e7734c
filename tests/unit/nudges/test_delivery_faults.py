"""A worker that dies between the platform's acceptance and the mark (in process: the
pause hook raises instead of sleeping). Slack-like ports are asked; others resend once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from bot.core import messages as msg
from bot.core.events import Channel, Identity
from bot.core.ports import Delivered, DeliveryFailed, SentLookup
from bot.core.replies import Note, Reply
from nudges.delivery import DeliveryConfig
from nudges.outbox import DEAD, SENT
from tests.unit.nudges.conftest import onboard
from tests.unit.nudges.test_delivery import one_nudge, row


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def die(_seconds: float) -> None:
    raise Killed


@dataclass
class HistoryPort:
    """Keeps what it posted with each reply's key, and can look it up (as Slack can)."""

    platform: str = "terminal"
    posted: list[Reply] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    lookup_fails: int = 0

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        self.posted.append(reply)
        return Delivered(self.platform, "dm", f"ts-{len(self.posted)}")

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        return sent

    def find_sent(self, key: str, *, identity: Identity, since: datetime) -> Delivered | None:
        self.lookups.append(key)
        if self.lookup_fails:
            self.lookup_fails -= 1
            raise DeliveryFailed("history unavailable", retryable=True)
        for n, reply in enumerate(self.posted, 1):
            if reply.key == key:
                return Delivered(self.platform, "dm", f"ts-{n}")
        return None


@dataclass
class BlindPort:
    """Posts but cannot read anything back (as Teams)."""

    platform: str = "terminal"
    posted: list[Reply] = field(default_factory=list)

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        self.posted.append(reply)
        return Delivered(self.platform, "dm", f"id-{len(self.posted)}")

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        return sent


def resent_note(reply: Reply) -> bool:
    return any(isinstance(b, Note) and b.text == msg.NUDGE_RESENT for b in reply.blocks)


def crash_after_send(service, clock) -> None:  # type: ignore[no-untyped-def]
    config = DeliveryConfig(lease=timedelta(minutes=2), pause_after_send=1.0)
    dying = service.delivery(config=config)
    dying.sleep = die
    with pytest.raises(Killed):
        dying.run_once()
    clock.advance(timedelta(minutes=3))  # the dead worker's claim runs out


def test_a_port_that_reads_history_finds_the_nudge_and_never_posts_it_again(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = HistoryPort()
    assert isinstance(port, SentLookup)
    service.ports().add(port)
    crash_after_send(service, clock)
    left = row(service, learner)
    assert left.intent_key
    assert left.status != SENT

    stats = service.delivery().run_once()

    assert (stats.reconciled, stats.sent) == (1, 0)
    assert len(port.posted) == 1
    assert port.lookups == [left.intent_key]
    done = row(service, learner)
    assert (done.status, done.message_id, done.resent) == (SENT, "ts-1", False)


def test_a_nudge_missing_from_history_is_posted_once_with_the_same_key(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = HistoryPort()
    service.ports().add(port)
    crash_after_send(service, clock)
    key = row(service, learner).intent_key
    port.posted.clear()  # the platform never got it (the process died before the call ended)

    assert service.delivery().run_once().sent == 1
    assert [r.key for r in port.posted] == [row(service, learner).intent_key]
    assert row(service, learner).intent_key != key  # settled as not sent: a fresh intent
    assert not resent_note(port.posted[0])


def test_a_failed_lookup_keeps_the_intent_and_tries_later(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = HistoryPort(lookup_fails=1)
    service.ports().add(port)
    crash_after_send(service, clock)
    key = row(service, learner).intent_key

    assert service.delivery().run_once().retried == 1
    assert row(service, learner).intent_key == key
    assert len(port.posted) == 1
    clock.advance(row(service, learner).due_at - clock.now())
    assert service.delivery().run_once().reconciled == 1
    assert len(port.posted) == 1
    assert row(service, learner).status == SENT


def test_a_blind_port_gets_one_resend_marked_as_such(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = BlindPort()
    service.ports().add(port)
    crash_after_send(service, clock)

    stats = service.delivery().run_once()

    assert (stats.sent, stats.resent) == (1, 1)
    first, second = port.posted
    assert first.key == second.key
    assert not resent_note(first)
    assert resent_note(second)
    done = row(service, learner)
    assert (done.status, done.resent, done.message_id) == (SENT, True, "id-2")


def test_a_resend_with_an_unknown_outcome_is_not_sent_a_third_time(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())
    port = BlindPort()
    service.ports().add(port)
    crash_after_send(service, clock)
    crash_after_send(service, clock)  # the resend dies the same way

    assert service.delivery().run_once().dead == 1
    assert len(port.posted) == 2
    assert resent_note(port.posted[1])
    assert row(service, learner).status == DEAD


def test_a_refused_send_leaves_no_intent(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())

    class Refusing(BlindPort):
        def send(self, reply, *, identity, channel=None):  # type: ignore[no-untyped-def]
            raise DeliveryFailed("429", retryable=True, retry_after=5)

    service.ports().add(Refusing())
    assert service.delivery().run_once().retried == 1
    assert row(service, learner).intent_key is None


def test_a_retryable_failure_where_history_can_be_read_is_looked_up_before_the_retry(
    core, clock
) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    service = one_nudge(core, learner, clock.now())

    class TimesOutAfterPosting(HistoryPort):
        def send(self, reply, *, identity, channel=None):  # type: ignore[no-untyped-def]
            super().send(reply, identity=identity, channel=channel)
            if len(self.posted) == 1:
                raise DeliveryFailed("timed out", retryable=True)
            return Delivered(self.platform, "dm", f"ts-{len(self.posted)}")

    port = TimesOutAfterPosting()
    service.ports().add(port)
    assert service.delivery().run_once().retried == 1
    assert row(service, learner).intent_key == port.posted[0].key
    clock.advance(row(service, learner).due_at - clock.now())
    assert service.delivery().run_once().reconciled == 1
    assert len(port.posted) == 1
    assert row(service, learner).status == SENT
