"""`/learn team` for a manager of N learners: time to gather, render and chart the report.

Usage: .venv/bin/python bench/bench_team_report.py [--sizes 50,200] [--runs 3]

Each learner has a role with required modules, an ability and some failed checks; the
manager asks in a channel (aggregates + a private detail message) and with --csv.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_app
from bot.core.clock import FixedClock
from bot.core.events import Channel, CommandInvoked, Identity, UserInfo
from bot.features.org import import_org
from bot.settings import Settings
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from tests.path_library import load_library

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _seed(core, size: int) -> None:  # type: ignore[no-untyped-def]
    services = core.services
    load_library(core)
    lines = ["email,manager_email,department,location,role", "lead@example.com,,HQ,Berlin,m"]
    lines += [f"p{n}@example.com,lead@example.com,D{n % 7},C{n % 5},agent" for n in range(size)]
    import_org(
        "\n".join(lines).encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=NOW,
    )
    mastery = MasteryRepository(services.engine)
    for n in range(size):
        learner = services.learners.resolve(
            Identity("slack", "T1", f"U{n}"), UserInfo(email=f"p{n}@example.com"), now=NOW
        )
        profile = services.profiles.get(learner.id)
        services.profiles.save(
            learner.id,
            replace(profile, job_role="support-agent", onboarded_at=NOW - timedelta(days=20)),
            now=NOW,
        )
        mastery.save_ability(
            learner.id, Ability("security-awareness", 0, 0.3, (n % 10) / 10, 0, 5, NOW)
        )
        if n % 3 == 0:
            mastery.record_check(
                learner.id,
                CheckAttempt("security-awareness", None, False, 0.2, -1, 0.4, (), (), NOW),
                dialog_id=None,
            )
    services.learners.resolve(
        Identity("slack", "T1", "ULEAD"), UserInfo(email="lead@example.com"), now=NOW
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| team size | `/learn team --csv` in a channel, median | slowest |")
    print("|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as home:
            core = build_app(
                Settings(LEARNBOT_HOME=Path(home), _env_file=None), clock=FixedClock(NOW)
            )
            _seed(core, size)
            event = CommandInvoked(
                identity=Identity("slack", "T1", "ULEAD"),
                channel=Channel("C1", is_direct=False),
                text="team --csv",
            )
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                core.router.handle(event)
                times.append(time.perf_counter() - start)
            core.services.engine.dispose()
        print(f"| {size} | {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
