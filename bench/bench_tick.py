"""Time one full nudge planning tick, every database read and write included.

Seeds (not timed) N learners with profiles in twelve time zones and their own working hours,
a calendar of meetings over the next week, ~50 spaced-review cards each, a path step for
every learner, a few sent nudges and preferences; then times the tick: K worker processes
(each its own core, engine and `ShardedTick`; shards = K) split the learners by hash under
database leases, read their inputs in batches, plan, and write the outbox. The time runs from
the moment every worker is ready to the last one's end (process start-up is not counted).

    python bench/bench_tick.py --learners 10000 [--workers 2] [--db sqlite|postgres] [--json]

PostgreSQL: LEARNBOT_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
the bench uses a schema of its own and drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, Table, create_engine, insert, text

from bot.app import build_app
from bot.core.clock import FixedClock
from bot.core.ports import PathInputs
from bot.settings import Settings
from bot.storage.tables import (
    calendar_events,
    calendars,
    learners,
    nudge_prefs,
    outbox,
    profiles,
    review_cards,
)
from nudges.service import NudgeService
from nudges.shards import LeaseConfig, ShardedTick
from nudges.store.leases import LeaseStore

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
PG_URL = os.environ.get(
    "LEARNBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]
MEETINGS = ["Standup", "1:1", "Team sync", "Lunch", "Planning", "Customer call", "Focus time"]
CARDS = 50
BATCH = 5000


class StaticPaths:
    """A path port answering from a table in memory (the bench times nudges, not paths)."""

    def __init__(self, steps: dict[str, PathInputs]) -> None:
        self.steps = steps

    def catalogue(self) -> list[Any]:
        return []

    def inputs(self, learner_id: str, *, now: datetime) -> PathInputs:
        return self.steps.get(learner_id, PathInputs(None, []))


def _rows(n: int, rng: random.Random, now: datetime) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Seed rows for `n` learners, a batch of learners at a time."""
    for first in range(0, n, BATCH):
        batch: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("learners", "profiles", "calendars", "events", "cards", "prefs", "sent")
        }
        for i in range(first, min(n, first + BATCH)):
            _learner(batch, f"L{i:07d}", i, rng, now)
        yield batch


def _learner(
    b: dict[str, list[dict[str, Any]]], lid: str, i: int, rng: random.Random, now: datetime
) -> None:
    zone = ZONES[i % len(ZONES)]
    start = rng.choice([7, 8, 9, 10])
    b["learners"].append(
        {
            "id": lid,
            "display_name": lid,
            "roles": ["learner"],
            "is_guest": False,
            "admin_from_settings": False,
            "created_at": now - timedelta(seconds=n_sec(i)),
            "updated_at": now,
        }
    )
    b["profiles"].append(
        {
            "learner_id": lid,
            "job_role": "",
            "goals": [],
            "preferred_format": "any",
            "session_minutes": rng.choice([5, 10, 15]),
            "timezone": zone,
            "work_days": rng.choice(["12345", "12345", "1234", "23456"]),
            "work_start": f"{start:02d}:00",
            "work_end": f"{start + 8:02d}:30",
            "quiet_start": "20:00",
            "quiet_end": "07:00",
            "nudges_per_day": rng.choice([1, 2, 3]),
            "nudges_per_week": rng.choice([4, 6, 10]),
            "paused_until": None,
            "attributes": {},
            "onboarded_at": now - timedelta(days=30),
            "updated_at": now,
            "pace": "normal",
        }
    )
    events = []
    for day in range(8):
        for _ in range(rng.randint(1, 4)):
            at = now + timedelta(days=day, hours=rng.randint(0, 23), minutes=rng.choice([0, 30]))
            events.append(
                {
                    "learner_id": lid,
                    "start_at": at,
                    "end_at": at + timedelta(minutes=rng.choice([30, 60, 90])),
                    "busy": True,
                    "all_day": False,
                    "floating": False,
                    "title": rng.choice(MEETINGS),
                    "description": "",
                }
            )
    b["events"].extend(events)
    b["calendars"].append(
        {
            "learner_id": lid,
            "kind": "file",
            "url": None,
            "zone": zone,
            "horizon_start": now - timedelta(days=1),
            "horizon_end": now + timedelta(days=30),
            "event_count": len(events),
            "imported_at": now,
            "refreshed_at": now,
        }
    )
    for c in range(rng.randint(CARDS - 5, CARDS + 5)):
        last = now - timedelta(days=rng.uniform(0.5, 40))
        stability = rng.uniform(0.5, 60)
        b["cards"].append(
            {
                "learner_id": lid,
                "item_id": f"q{c:03d}",
                "module_id": f"m{c % 7}",
                "card_id": i * 1000 + c,
                "state": 2,
                "step": None,
                "stability": stability,
                "difficulty": rng.uniform(2, 8),
                "due_at": last + timedelta(days=stability),
                "last_review_at": last,
                "reviews": rng.randint(1, 9),
                "lapses": rng.randint(0, 2),
                "updated_at": now,
            }
        )
    if i % 10 == 0:
        b["prefs"].append(
            {
                "learner_id": lid,
                "weights": {"review": 0.5},
                "snoozed_until": None,
                "stopped": i % 100 == 0,
                "skip_dates": [],
                "updated_at": now,
            }
        )
    for k in range(i % 3):
        at = now - timedelta(days=k + 1, hours=3)
        b["sent"].append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "learner_id": lid,
                "kind": "review",
                "object_id": "reviews",
                "local_date": at.date().isoformat(),
                "module_id": None,
                "title": "Quick review",
                "reason": "",
                "minutes": 5,
                "priority": 50.0,
                "due_at": at,
                "status": "sent",
                "attempts": 1,
                "sent_at": at,
                "created_at": at,
                "updated_at": at,
            }
        )


def n_sec(i: int) -> int:
    """Creation order: the first learner is the oldest."""
    return 10_000_000 - i


def seed(engine: Engine, n: int, *, now: datetime = NOW, seed: int = 7) -> dict[str, PathInputs]:
    """Insert `n` synthetic learners; returns their path inputs (for `StaticPaths`)."""
    rng = random.Random(seed)
    tables = [
        ("learners", learners),
        ("profiles", profiles),
        ("calendars", calendars),
        ("events", calendar_events),
        ("cards", review_cards),
        ("prefs", nudge_prefs),
        ("sent", outbox),
    ]
    for batch in _rows(n, rng, now):
        for key, table in tables:
            bulk_insert(engine, table, batch[key])
    return path_steps(n, now=now)


def bulk_insert(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def path_steps(n: int, *, now: datetime = NOW) -> dict[str, PathInputs]:
    """The seeded learners' next steps and required training (a pure function of `n`)."""
    steps = {}
    for i in range(n):
        m = i % 9
        due = [(f"m{m}", now + timedelta(days=3 + i % 10))] if i % 4 == 0 else []
        steps[f"L{i:07d}"] = PathInputs((f"m{m}", f"Module {m}", 10 + m), due)
    return steps


def _process_worker(
    url: str, home: str, k: int, n: int, workers: int, barrier: Any, out: Any
) -> None:
    """One worker process: its own core and engine, then the tick when every worker is ready."""
    settings = Settings(LEARNBOT_HOME=Path(home) / f"w{k}", DATABASE_URL=url, _env_file=None)
    core = build_app(settings, clock=FixedClock(NOW))
    core.services.paths = StaticPaths(path_steps(n))
    tick = ShardedTick(
        NudgeService(core.services),
        leases=LeaseStore(core.services.engine),
        worker_id=f"bench-{k}",
        config=LeaseConfig(shards=workers, ttl=600.0, hold=600.0),
    )
    barrier.wait()
    started, cpu = time.time(), time.process_time()
    report = tick.run(now=lambda: NOW)
    out.put((started, time.time(), report.shards, report.planned, time.process_time() - cpu))
    core.services.engine.dispose()


def run_processes(url: str, home: str, *, n: int, workers: int) -> float:
    """One full tick by `workers` worker processes splitting `workers` shards; seconds."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=_process_worker, args=(url, home, k, n, workers, barrier, out))
        for k in range(workers)
    ]
    for p in procs:
        p.start()
    results: list[Any] = []
    while len(results) < len(procs):
        try:
            results.append(out.get(timeout=5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a tick worker died (exit codes {dead})") from None
    for p in procs:
        p.join()
    if sum(r[3] for r in results) != n:
        raise RuntimeError(f"the workers planned {[r[3] for r in results]} of {n} learners")
    cpu = ", ".join(f"{r[4]:.1f}" for r in results)
    print(f"tick: CPU seconds of each worker process: {cpu}", file=sys.stderr)
    return max(r[1] for r in results) - min(r[0] for r in results)


def run_tick(service: NudgeService, *, workers: int, now: datetime) -> float:
    """One full tick by `workers` workers (threads) splitting `workers` shards; seconds."""
    engine = service.services.engine
    ticks = [
        ShardedTick(
            service,
            leases=LeaseStore(engine),
            worker_id=f"bench-{k}",
            config=LeaseConfig(shards=workers, ttl=600.0, hold=600.0),
        )
        for k in range(workers)
    ]
    errors: list[BaseException] = []

    def work(tick: ShardedTick) -> None:
        try:
            tick.run(now=lambda: now)
        except BaseException as err:  # surfaced below, after every worker stopped
            errors.append(err)
            raise

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(t,)) for t in ticks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


@contextmanager
def database(kind: str, *, url: str = PG_URL) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a private schema of the PostgreSQL `url`."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'learnbot.db'}"
        return
    schema = f"bench_tick_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True)
class TickRun:
    """One measured tick: its wall time, how long seeding took, and the outbox after it."""

    tick_s: float
    seed_s: float
    counts: dict[str, int]


def measure(kind: str, *, learners: int, workers: int, url: str = PG_URL) -> TickRun:
    """Seed a fresh database (not timed) and time one full tick over it."""
    with database(kind, url=url) as db_url, tempfile.TemporaryDirectory() as home:
        settings = Settings(LEARNBOT_HOME=Path(home), DATABASE_URL=db_url, _env_file=None)
        core = build_app(settings, clock=FixedClock(NOW))
        engine = core.services.engine
        seeded = time.perf_counter()
        core.services.paths = StaticPaths(seed(engine, learners))
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        seed_s = time.perf_counter() - seeded
        service = NudgeService(core.services)
        if workers == 1:
            tick_s = run_tick(service, workers=1, now=NOW)
        else:
            engine.dispose()
            tick_s = run_processes(db_url, home, n=learners, workers=workers)
        counts = service.outbox.counts()
        engine.dispose()
    return TickRun(tick_s, seed_s, counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    run = measure(args.db, learners=args.learners, workers=args.workers)
    result = {
        "learners": args.learners,
        "tick_s": round(run.tick_s, 2),
        "tick_workers": args.workers,
        "db": args.db,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"seeded in {run.seed_s:.1f} s; outbox {run.counts}")
        print(result)


if __name__ == "__main__":
    main()
