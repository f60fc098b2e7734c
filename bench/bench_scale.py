"""Reports at scale: the manager's team report, the admin's whole-organisation report and the
equity report's memory, on a fresh PostgreSQL database of N learners.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_scale.py --learners 20000 --json

Creates `learnbot_bench_<pid>` next to the database in LEARNBOT_TEST_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), seeds it with bulk inserts (not timed):
an org chart with one manager of 200 reports and an admin above everyone, the sample framework
and catalogue, progress, abilities and one recorded path per learner. Then times the team
report (gather every input, plan every path; rendering excluded) for the 200 reports and for
all learners, and measures how much the peak RSS (VmHWM) and the traced Python allocations
grow while the equity report runs (in a fresh process, so the growth is the report's own).
Then, unless --no-tick, seeds the nudge tick's data for N learners in a schema of the same
database (bench/bench_tick.py's seed, not timed) and times one full tick by --workers worker
processes. Drops the database at the end.

Prints exactly {"learners", "tick_s", "tick_workers", "team_200_ms", "team_20000_ms",
"equity_rss_growth_mb"} on stdout (team_20000_ms is `team all`, null below 20,000 learners);
notes (seeding times, member counts, the load average at each measure) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.bench_tick import bulk_insert
from bench.bench_tick import measure as measure_tick
from bot.app import build_app
from bot.core.clock import FixedClock
from bot.features.paths.report import equity
from bot.features.paths.service import PathService, path_output
from bot.features.team.service import build_report, team_members
from bot.settings import Settings
from bot.storage.learners import _profile_row
from bot.storage.paths import digest
from bot.storage.tables import (
    abilities,
    learners,
    module_progress,
    org_chart,
    profiles,
    recommendations,
)
from learning.profile import Profile
from tests.path_library import load_library

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 5000


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _seed(core: Any, n: int, shapes: int) -> None:
    services = core.services
    load_library(core)
    paths = PathService(services)
    engine = services.engine
    # A sample path for each of a few shapes of progress, recorded for every learner.
    sample = "seed-sample"
    with engine.begin() as conn:
        conn.execute(
            insert(learners).values(
                id=sample,
                display_name="s",
                email=None,
                roles=["learner"],
                is_guest=False,
                admin_from_settings=False,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    services.profiles.save(
        sample, replace(Profile(), job_role="support-agent", onboarded_at=NOW), now=NOW
    )
    steps = [s.module_id for s in paths.plan(sample, now=NOW).path.steps]
    output = path_output(paths.plan(sample, now=NOW).path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM learners WHERE id = :i"), {"i": sample})
    depts = ["Support", "Sales", "Ops", "Finance", "Legal", "IT", "HR"]
    rows_org = [
        {
            "email": "admin@example.com",
            "manager_email": None,
            "department": "Board",
            "location": "HQ",
            "role": "admin",
            "line": 1,
            "imported_at": NOW,
        },
        {
            "email": "lead@example.com",
            "manager_email": "admin@example.com",
            "department": "Support",
            "location": "HQ",
            "role": "manager",
            "line": 2,
            "imported_at": NOW,
        },
    ]
    people = [
        ("admin", "admin@example.com", ["learner", "admin"]),
        ("lead", "lead@example.com", ["learner", "manager"]),
    ]
    for i in range(n):
        people.append((f"l{i:06d}", f"p{i}@example.com", ["learner"]))
        manager = "lead@example.com" if i < 200 else "admin@example.com"
        rows_org.append(
            {
                "email": f"p{i}@example.com",
                "manager_email": manager,
                "department": depts[i % 7],
                "location": "X",
                "role": "agent",
                "line": i + 3,
                "imported_at": NOW,
            }
        )
    bulk_insert(engine, org_chart, rows_org)
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        ls, ps, ab, pr, rc = [], [], [], [], []
        for k, (lid, email, roles) in enumerate(chunk, start):
            ls.append(
                {
                    "id": lid,
                    "display_name": lid,
                    "email": email,
                    "roles": roles,
                    "is_guest": False,
                    "admin_from_settings": False,
                    "created_at": NOW + timedelta(microseconds=k),
                    "updated_at": NOW,
                }
            )
            prof = replace(
                Profile(),
                job_role="support-agent",
                onboarded_at=NOW - timedelta(days=20, minutes=k % shapes if shapes else k),
                attributes={"department": depts[k % 7]},
            )
            ps.append(_profile_row(lid, prof, now=NOW))
            ab.append(
                {
                    "learner_id": lid,
                    "competency": "security-awareness",
                    "theta": 0.0,
                    "se": 0.3,
                    "p_mastery": (k % 10) / 10,
                    "cut": 0.0,
                    "n": 5,
                    "updated_at": NOW,
                }
            )
            for m in steps[: k % 4]:
                pr.append(
                    {
                        "learner_id": lid,
                        "module_id": m,
                        "status": "done",
                        "at": NOW - timedelta(days=2),
                        "completed_at": NOW - timedelta(days=2),
                    }
                )
            rc.append(
                {
                    "learner_id": lid,
                    "at": NOW,
                    "kind": "path",
                    "subject": "",
                    "digest": digest({"k": k}, output),
                    "inputs": {"k": k},
                    "output": output,
                }
            )
        for table, rows in (
            (learners, ls),
            (profiles, ps),
            (abilities, ab),
            (module_progress, pr),
            (recommendations, rc),
        ):
            bulk_insert(engine, table, rows)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _time_team(
    core: Any, email: str, *, everyone: bool, runs: int
) -> tuple[float, int, list[float], list[float]]:
    """Median milliseconds of gathering and building the report; members; each run's wall
    and CPU (this process only) milliseconds."""
    services = core.services
    lead = services.learners.get(services.learners.ids_by_email([email])[0])
    times, cpus, size = [], [], 0
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        members = team_members(services, services.org, lead, everyone=everyone)
        report = build_report(services, members, title="t", competency=None, now=NOW)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        size = len(report.members)
    walls = [round(t * 1000, 1) for t in times]
    return statistics.median(times) * 1000, size, walls, [round(c * 1000, 1) for c in cpus]


def _equity_child(url: str, home: str, out: Any) -> None:
    """The equity report in a fresh process: its peak RSS growth is the report's own."""
    settings = Settings(DATABASE_URL=url, LEARNBOT_HOME=Path(home), _env_file=None)
    core = build_app(settings, clock=FixedClock(NOW))
    services = core.services
    before = _vm_hwm_mb()
    start = time.perf_counter()
    report, _ = equity(services, services.path_records, attribute="department", threshold=0.1)
    seconds = time.perf_counter() - start
    growth = _vm_hwm_mb() - before
    tracemalloc.start()
    equity(services, services.path_records, attribute="department", threshold=0.1)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    core.services.engine.dispose()
    out.put((growth, traced, seconds, len(report.groups)))


def _equity(url: str, home: str) -> tuple[float, float, float, int]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_equity_child, args=(url, home, out))
    child.start()
    result: tuple[float, float, float, int] = out.get()
    child.join()
    return result


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--shapes",
        type=int,
        default=0,
        help="onboarding times repeat every SHAPES learners (0: every learner's differs, so "
        "no two members share planner inputs)",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the tick")
    parser.add_argument("--no-tick", action="store_true", help="leave the nudge tick out")
    args = parser.parse_args()
    base = make_url(os.environ.get("LEARNBOT_TEST_POSTGRES_URL", DEFAULT_URL))
    name = f"learnbot_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    core = None
    notes: dict[str, Any] = {"shapes": args.shapes, "load_start": _load()}
    try:
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(DATABASE_URL=url, LEARNBOT_HOME=Path(home), _env_file=None)
            core = build_app(settings, clock=FixedClock(NOW))
            seeded = time.perf_counter()
            _seed(core, args.learners, args.shapes)
            notes["seed_s"] = round(time.perf_counter() - seeded, 1)
            growth, traced, equity_s, groups = _equity(url, home)
            notes |= {"equity_s": round(equity_s, 2), "equity_groups": groups}
            notes |= {"equity_traced_peak_mb": round(traced, 1), "load_equity": _load()}
            team_200, size_200, walls, cpus = _time_team(
                core, "lead@example.com", everyone=False, runs=args.runs
            )
            notes |= {"team_200_members": size_200, "load_team_200": _load()}
            notes |= {"team_200_runs_ms": walls, "team_200_cpu_ms": cpus}
            team_all: float | None = None
            if args.learners >= 20_000:
                team_all, size_all, walls, cpus = _time_team(
                    core, "admin@example.com", everyone=True, runs=args.runs
                )
                notes |= {"team_all_members": size_all, "load_team_all": _load()}
                notes |= {"team_all_runs_ms": walls, "team_all_cpu_ms": cpus}
            else:
                notes["team_20000_ms"] = "not measured: fewer than 20,000 learners"
            core.services.engine.dispose()
            tick_s: float | None = None
            if not args.no_tick:
                tick = measure_tick(
                    "postgres", learners=args.learners, workers=args.workers, url=url
                )
                tick_s = round(tick.tick_s, 2)
                notes |= {"tick_seed_s": round(tick.seed_s, 1), "load_tick": _load()}
                notes["outbox"] = tick.counts
        out = {
            "learners": args.learners,
            "tick_s": tick_s,
            "tick_workers": args.workers if tick_s is not None else None,
            "team_200_ms": round(team_200, 1),
            "team_20000_ms": round(team_all, 1) if team_all is not None else None,
            "equity_rss_growth_mb": round(growth, 1),
        }
        print(json.dumps(notes), file=sys.stderr)
        print(json.dumps(out) if args.json else out)
    finally:
        if core is not None:
            core.services.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
