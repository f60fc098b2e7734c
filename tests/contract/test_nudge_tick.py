"""The batched, sharded planning tick on SQLite and PostgreSQL: the same outbox as planning one
learner at a time, shards split between workers under database leases, takeover, skew."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from bench.bench_tick import NOW, StaticPaths, seed
from bot.app import App, build_app
from bot.core.clock import FixedClock
from bot.core.ports import PathInputs
from bot.settings import Settings
from bot.storage.tables import outbox
from nudges.reviews import fading_many, fading_of_times
from nudges.service import NudgeService
from nudges.shards import LeaseConfig, ShardedTick, shard_of
from nudges.srs import CardState
from nudges.store.leases import LeaseStore

LEARNERS = 60
KEEP = ("learner_id", "kind", "object_id", "local_date", "module_id", "title", "reason")
MORE = ("minutes", "priority", "due_at", "status")


@pytest.fixture
def core(settings: Settings, tmp_path: Path) -> App:
    app = build_app(settings, clock=FixedClock(NOW))
    app.services.paths = StaticPaths(seed(app.services.engine, LEARNERS))
    return app


def _outbox(app: App) -> list[tuple[Any, ...]]:
    cols = [outbox.c[n] for n in (*KEEP, *MORE)]
    with app.services.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*cols)))


def _planned_learners(app: App) -> set[str]:
    query = select(outbox.c.learner_id).where(outbox.c.status == "pending").distinct()
    with app.services.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def _worker(app: App, name: str, *, shards: int = 2, ttl: float = 60.0) -> ShardedTick:
    return ShardedTick(
        NudgeService(app.services),
        leases=LeaseStore(app.services.engine),
        worker_id=name,
        config=LeaseConfig(shards=shards, ttl=ttl, hold=ttl),
        chunk=25,
    )


def test_batched_tick_writes_the_outbox_of_planning_each_learner(core: App) -> None:
    service = NudgeService(core.services)
    ids = core.services.learners.all_ids()
    with core.services.engine.connect() as conn:
        seeded = set(conn.execute(select(outbox.c.id)).scalars())
    later = NOW + timedelta(hours=5, minutes=7)

    for now in (NOW, later):  # the second pass moves and cancels rows the first one wrote
        for learner_id in ids:
            service.replan(learner_id, now=now)
    one_by_one = _outbox(core)
    with core.services.engine.begin() as conn:
        conn.execute(delete(outbox).where(outbox.c.id.not_in(seeded)))

    for now in (NOW, later):
        done = service.replan_learners(ids, now=now, chunk=17)
        assert (done.planned, done.failed) == (LEARNERS, 0)
    batched = _outbox(core)

    assert batched == one_by_one
    statuses = {row[-1] for row in batched}
    assert {"pending", "sent"} <= statuses
    assert len([r for r in batched if r[-1] == "pending"]) > LEARNERS


def test_two_workers_split_the_shards_and_plan_every_learner_once(core: App) -> None:
    a, b = _worker(core, "worker-a"), _worker(core, "worker-b")
    ids = core.services.learners.all_ids()
    parts = a.split(ids)
    assert all(parts), "both shards have learners"

    mine = a.claim_next()
    assert mine is not None
    report_b = b.run(now=lambda: NOW)
    assert report_b.shards == [1 - mine], "b takes the shard a does not hold"
    assert _planned_learners(core) <= set(parts[1 - mine])
    assert report_b.planned == len(parts[1 - mine])

    report_a = a.plan_shard(mine, parts[mine], now=NOW)
    assert report_a.planned == len(parts[mine])
    assert _planned_learners(core) == set(ids) - _stopped(core)
    assert a.run(now=lambda: NOW).shards == [], "both shards are planned until the next tick"


def _stopped(core: App) -> set[str]:
    prefs = core.services.nudge_prefs.get_many(core.services.learners.all_ids())
    return {i for i, p in prefs.items() if p.stopped}


def test_two_workers_running_together_never_plan_a_shard_twice(core: App) -> None:
    workers = [_worker(core, f"worker-{k}", shards=4) for k in range(2)]
    reports: list[Any] = []
    threads = [
        threading.Thread(target=lambda w=w: reports.append(w.run(now=lambda: NOW))) for w in workers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shards = sorted(s for r in reports for s in r.shards)
    assert shards == [0, 1, 2, 3]
    assert sum(r.planned for r in reports) == LEARNERS


def test_a_killed_workers_shard_is_taken_over_after_its_lease_expires(core: App) -> None:
    dead, alive = _worker(core, "dead", shards=1, ttl=1.0), _worker(core, "alive", shards=1)
    assert dead.claim_next() == 0  # and then it dies without planning or finishing

    assert alive.run(now=lambda: NOW).shards == [], "the lease still runs"
    assert _planned_learners(core) == set()
    time.sleep(1.3)
    report = alive.run(now=lambda: NOW)
    assert report.shards == [0]
    assert report.planned == LEARNERS
    assert LeaseStore(core.services.engine).holders()[0][0] == "alive"
    assert not dead.leases.extend(0, holder="dead", ttl=60.0), "the dead worker lost its lease"


def test_leases_follow_the_database_clock_not_a_skewed_worker_clock(core: App) -> None:
    """A worker whose clock is 10 minutes ahead neither steals a live lease nor loses its own."""
    a = _worker(core, "on-time", shards=1, ttl=30.0)
    ahead = _worker(core, "ten-minutes-ahead", shards=1, ttl=30.0)
    skewed = NOW + timedelta(minutes=10)

    assert a.claim_next() == 0
    assert ahead.run(now=lambda: skewed).shards == []
    left = LeaseStore(core.services.engine).holders()[0]
    assert left[0] == "on-time"
    assert 25.0 < left[1] <= 30.0

    a.leases.release(0, holder="on-time")
    report = ahead.run(now=lambda: skewed)
    assert report.shards == [0]
    holder, seconds_left = LeaseStore(core.services.engine).holders()[0]
    assert holder == "ten-minutes-ahead"
    assert 25.0 < seconds_left <= 30.0, "held for `hold` from the database's claim time"


class DeletingPaths(StaticPaths):
    """Deletes one learner while the tick reads another learner's path (mid-tick)."""

    def __init__(self, steps: dict[str, PathInputs], app: App, *, when: str, gone: str) -> None:
        super().__init__(steps)
        self.app, self.when, self.gone = app, when, gone

    def inputs(self, learner_id: str, *, now: Any) -> PathInputs:
        if learner_id == self.when:
            self.app.services.learners.delete(self.gone)
        return super().inputs(learner_id, now=now)


def test_a_learner_deleted_mid_tick_does_not_fail_the_tick(core: App) -> None:
    ids = core.services.learners.all_ids()
    assert isinstance(core.services.paths, StaticPaths)
    core.services.paths = DeletingPaths(core.services.paths.steps, core, when=ids[3], gone=ids[1])
    done = NudgeService(core.services).replan_learners(ids, now=NOW, chunk=20)

    assert done.failed == 0
    assert done.planned == LEARNERS
    assert core.services.learners.get(ids[1]) is None
    assert ids[1] not in _planned_learners(core)
    assert _planned_learners(core) == set(ids) - {ids[1]} - _stopped(core)


def test_shards_are_a_stable_hash_of_the_learner_id() -> None:
    ids = [f"L{i:07d}" for i in range(2000)]
    counts = [sum(1 for i in ids if shard_of(i, 4) == s) for s in range(4)]
    assert [shard_of(i, 4) for i in ids[:50]] == [shard_of(i, 4) for i in ids[:50]]
    assert min(counts) > 400, counts


def test_a_shard_that_outlived_its_hold_is_planned_once_per_run(core: App) -> None:
    slow = ShardedTick(
        NudgeService(core.services),
        leases=LeaseStore(core.services.engine),
        worker_id="slow",
        config=LeaseConfig(shards=2, ttl=60.0, hold=0.0),  # planned shards free at once
    )
    report = slow.run(now=lambda: NOW)
    assert sorted(report.shards) == [0, 1]
    assert report.planned == LEARNERS


def test_card_times_read_in_sql_give_the_fading_of_the_stored_cards(core: App) -> None:
    """The tick reads cards as epoch seconds computed by the database: the same fading,
    modules and answer times as the cards read whole, to the microsecond, for cards in
    learning steps, never reviewed, and reviewed at odd instants too."""
    store = core.services.review_cards
    odd = NOW - timedelta(days=3, microseconds=999_999)
    new = CardState.new(77, now=NOW + timedelta(microseconds=1))
    store.save("L0000003", "never", new, module_id="m9", now=NOW)
    learning = replace(new, state=1, step=0, stability=2.5, last_review_at=odd, due_at=odd)
    store.save("L0000003", "stepping", learning, module_id=None, now=NOW)
    ids = ["L0000003", "L0000004", "nobody"]
    until = NOW + timedelta(days=8)

    whole = fading_many(store.cards_many(ids), until=until)
    read = fading_of_times(store.fading_rows_many(ids), until=until)

    assert read == whole
    assert read["nobody"].times == []
    assert len(read["L0000003"].items) > 50
    answered = {i.answered_at for i in read["L0000003"].items}
    assert {odd.timestamp(), new.due_at.timestamp()} <= answered


def test_free_minutes_of_many_learners_equal_each_learners_own(core: App) -> None:
    """The team report reads calendars for many members at once: the same free minutes as
    reading one member's calendar up to each due date, meetings and time zones included."""
    service = NudgeService(core.services)
    ids = [f"L{i:07d}" for i in range(0, LEARNERS, 7)]
    end = NOW + timedelta(days=9)
    profiles = core.services.profiles.get_many(ids)

    free = service.free_minutes_many(profiles, start=NOW, end=end)

    untils = [NOW - timedelta(hours=1), NOW, NOW + timedelta(hours=13, minutes=5), end]
    untils += [NOW + timedelta(days=d, hours=d) for d in range(1, 9)]
    for learner_id in ids:
        for until in untils:
            own = service.free_minutes(learner_id, start=NOW, end=until)
            assert free[learner_id](until) == own
    with pytest.raises(ValueError, match="only up to"):
        free[ids[0]](end + timedelta(seconds=1))
