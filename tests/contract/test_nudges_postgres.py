"""Nudges with several processes on one PostgreSQL: claims that never overlap, one planner."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_app
from bot.core.clock import FixedClock
from bot.core.events import Channel, Identity, UserInfo
from bot.core.ports import ChatPorts, Delivered
from bot.core.replies import Buttons, Reply
from bot.settings import Settings
from bot.storage.db import make_engine
from bot.storage.learners import LearnerRepository, ProfileRepository
from nudges.delivery import Delivery, DeliveryConfig
from nudges.leader import Leadership
from nudges.outbox import Outbox
from nudges.planner import PlannedNudge
from nudges.store.outbox import OutboxStore
from nudges.store.records import PrefsStore
from tests.conftest import T0, _truncate_all

pytestmark = pytest.mark.postgres
LEARNERS, PER_LEARNER = 100, 10


@pytest.fixture(autouse=True)
def _empty_afterwards(pg_schema_url: str):  # type: ignore[no-untyped-def]
    yield
    _truncate_all(pg_schema_url)


@dataclass
class SharedPort:
    """A terminal-platform port that records which worker sent which nudge."""

    platform: str = "terminal"
    sent: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        buttons = next(b for b in reply.blocks if isinstance(b, Buttons))
        with self.lock:
            self.sent.append((threading.current_thread().name, buttons.buttons[0].value))
            return Delivered(self.platform, identity.user_id, str(len(self.sent)))

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        return sent


def test_two_workers_deliver_1000_nudges_none_lost_none_twice(
    pg_schema_url: str, tmp_path: Path
) -> None:
    settings = Settings(LEARNBOT_HOME=tmp_path / "home", DATABASE_URL=pg_schema_url, _env_file=None)
    clock = FixedClock(T0)
    core = build_app(settings, clock=clock)
    services = core.services
    outbox = services.outbox
    utc_zone = ZoneInfo("UTC")
    for i in range(LEARNERS):
        learner = services.learners.resolve(Identity.parse(f"user{i}"), UserInfo(), now=T0)
        profile = services.profiles.get(learner.id).with_changes(
            nudges_per_day=10, nudges_per_week=40
        )
        services.profiles.save(learner.id, profile, now=T0)
        plan = [
            PlannedNudge(
                T0, T0.astimezone(utc_zone), "next_step", f"m{k}", f"m{k}", "M", "why", 5, 1.0
            )
            for k in range(PER_LEARNER)
        ]
        outbox.apply_plan(learner.id, plan, now=T0 - timedelta(hours=1))
    clock.advance(timedelta(minutes=1))

    port = SharedPort()
    start = threading.Barrier(2)
    engines = []

    def work() -> None:
        engine = make_engine(pg_schema_url)
        engines.append(engine)
        delivery = Delivery(
            outbox=Outbox(OutboxStore(engine)),
            learners=LearnerRepository(engine),
            profiles=ProfileRepository(engine),
            prefs=PrefsStore(engine),
            ports=ChatPorts({"terminal": port}),
            now=clock.now,
            worker_id=threading.current_thread().name,
            config=DeliveryConfig(batch=25, min_gap=timedelta(0)),
        )
        start.wait()
        while delivery.run_once().claimed:
            pass

    threads = [threading.Thread(target=work, name=f"worker-{n}") for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for engine in engines:
        engine.dispose()

    ids = [nudge_id for _, nudge_id in port.sent]
    assert len(ids) == LEARNERS * PER_LEARNER
    assert len(set(ids)) == len(ids), "no nudge was sent twice"
    by_worker = {name for name, _ in port.sent}
    assert by_worker == {"worker-1", "worker-2"}, "both workers took part"
    assert outbox.counts() == {"sent": LEARNERS * PER_LEARNER}
    services.engine.dispose()


def test_only_one_process_holds_the_planner_lock(pg_schema_url: str) -> None:
    a_engine, b_engine = make_engine(pg_schema_url), make_engine(pg_schema_url)
    a, b = Leadership(a_engine, key=4242), Leadership(b_engine, key=4242)
    try:
        assert a.check()
        assert a.check(), "the leader stays the leader"
        assert not b.check()
        a.release()
        assert b.check()
        assert not a.check()
        # The leader's connection dies (a crashed replica): the lock goes with it.
        assert b._conn is not None
        b._conn.invalidate()
        assert a.check()
    finally:
        a.release()
        b.release()
        a_engine.dispose()
        b_engine.dispose()
