"""Leased jobs: two workers on one database run each job once per period (SQLite, PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from bot.app import build_app
from bot.core.clock import FixedClock
from bot.settings import Settings
from nudges import calendars
from nudges.jobs import Job, JobRunner, default_jobs
from nudges.store import job_leases as leases
from tests.integration.test_xapi import VERBS, _events, lrs  # noqa: F401  (fixture)
from tests.unit.nudges.conftest import ics, onboard


def _counter() -> tuple[list[str], Job]:
    runs: list[str] = []
    return runs, Job("count", 3600.0, lambda: runs.append("x") or 1, lease=30.0)


def test_two_workers_run_a_job_once_per_period(settings, clock) -> None:
    a, b = build_app(settings, clock=clock), build_app(settings, clock=clock)
    runs, job = _counter()
    workers = [
        JobRunner(a.services.engine, [job], holder="a"),
        JobRunner(b.services.engine, [job], holder="b"),
    ]

    def tick_often(runner: JobRunner) -> None:
        for _ in range(15):
            runner.tick()

    threads = [threading.Thread(target=tick_often, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert runs == ["x"]
    row = leases.leases(a.services.engine)["count"]
    assert row["holder"] is None
    assert float(row["next_due"]) - float(row["db_now"]) > 3500  # type: ignore[arg-type]


def test_a_dead_workers_lease_is_taken_over_once_it_expires(settings, clock) -> None:
    a, b = build_app(settings, clock=clock), build_app(settings, clock=clock)
    runs, job = _counter()
    # Worker a claims the job and dies before finishing it.
    assert leases.try_claim(a.services.engine, "count", holder="a", ttl=0.6)
    survivor = JobRunner(b.services.engine, [job], holder="b")
    assert survivor.tick() == {}, "the lease is still live"
    time.sleep(0.8)
    assert survivor.tick() == {"count": 1}
    assert runs == ["x"]
    assert not leases.finish(a.services.engine, "count", holder="a", next_in=10, ran=True), (
        "a late finish from the dead worker does not touch the new holder's schedule"
    )
    assert survivor.tick() == {}


def test_a_worker_whose_clock_is_ten_minutes_ahead_neither_steals_nor_reruns(
    settings, clock
) -> None:
    a = build_app(settings, clock=clock)
    b = build_app(settings, clock=FixedClock(clock.now() + timedelta(minutes=10)))
    runs: list[str] = []
    job = Job("short", 300.0, lambda: runs.append("x") or 1, lease=120.0)
    assert leases.try_claim(a.services.engine, "short", holder="a", ttl=120.0)
    skewed = JobRunner(b.services.engine, [job], holder="b")
    assert skewed.tick() == {}, "a's lease is judged by the database's clock"
    assert leases.finish(a.services.engine, "short", holder="a", next_in=300.0, ran=True)
    assert skewed.tick() == {}, "not due for 300 s by the database's clock"
    assert runs == []


def test_a_failed_run_is_retried_later_not_marked_done(settings, clock) -> None:
    core = build_app(settings, clock=clock)

    def boom() -> int:
        raise RuntimeError("down")

    runner = JobRunner(core.services.engine, [Job("boom", 3600.0, boom)], holder="a")
    assert runner.tick() == {}
    row = leases.leases(core.services.engine)["boom"]
    assert row["last_run"] is None
    assert row["holder"] is None
    due_in = float(row["next_due"]) - float(row["db_now"])  # type: ignore[arg-type]
    assert 0 < due_in <= 60


def test_imported_files_expire_after_the_horizon(settings, clock) -> None:
    core = build_app(settings, clock=clock)
    services = core.services
    learner = onboard(core)
    data = ics("UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:Budget")
    calendars.import_calendar_bytes(services, learner.id, data, now=clock.now())
    assert calendars.expire_files(services, now=clock.now() + timedelta(days=29)) == 0
    assert calendars.info(services, learner.id) is not None
    assert calendars.expire_files(services, now=clock.now() + timedelta(days=31)) == 1
    assert calendars.info(services, learner.id) is None
    verbs = [r["verb"] for r in services.xapi.activity(after_id=0)]
    assert "calendar_expired" in verbs


def test_lrs_forwarding_runs_in_one_worker(lrs, tmp_path, clock) -> None:  # noqa: F811
    fake, url = lrs
    settings = Settings(LEARNBOT_HOME=tmp_path / "h", LRS_URL=url, _env_file=None)
    cores = [build_app(settings, clock=clock) for _ in range(2)]
    _events(cores[0])
    runners = [
        JobRunner(c.services.engine, default_jobs(c.services), holder=f"w{n}")
        for n, c in enumerate(cores)
    ]
    done = [r.tick() for r in runners]
    assert [d.get("lrs-forward") for d in done] == [len(VERBS), None]
    assert len(fake.stored) == len(VERBS)
    assert sorted(j.name for j in runners[0].jobs) == ["calendars", "gap-notices", "lrs-forward"]
