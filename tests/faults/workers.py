"""Real worker processes for crash tests: started with `python -m bot.cli worker`, killed with
SIGKILL, restarted; learners and due nudges written straight into the shared database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.core.events import Identity, UserInfo
from bot.settings import Settings
from nudges.outbox import Nudge
from nudges.planner import NEXT_STEP, PlannedNudge
from nudges.service import nudge_service
from tests.conftest import REPO

# Every minute of every day is a working one, so the send-time checks never hold a nudge.
ALWAYS = {
    "timezone": "UTC",
    "work_days": "1234567",
    "work_start": clock_time(0, 0),
    "work_end": clock_time(23, 59),
    "quiet_start": clock_time(0),
    "quiet_end": clock_time(0),
    "nudges_per_day": 10,
    "nudges_per_week": 50,
}


def seed(settings: Settings, identities: list[Identity]) -> list[Nudge]:
    """Onboarded learners with one nudge each, due now (real time); returns the rows."""
    core = build_app(settings)
    services = core.services
    now = datetime.now(UTC)
    outbox = nudge_service(services).outbox
    for n, identity in enumerate(identities):
        learner = services.learners.resolve(identity, UserInfo(f"Learner {n}"), now=now)
        profile = services.profiles.get(learner.id).with_changes(onboarded_at=now, **ALWAYS)
        services.profiles.save(learner.id, profile, now=now)
        plan = PlannedNudge(now, now, NEXT_STEP, f"m{n}", f"m{n}", f"Module {n}", "why", 5, 1.0)
        outbox.apply_plan(learner.id, [plan], now=now)
    rows = [
        r for learner in _learners(services, identities) for r in outbox.upcoming(learner, now=now)
    ]
    services.engine.dispose()
    return rows


def _learners(services: Any, identities: list[Identity]) -> list[str]:
    return [services.learners.find(i).id for i in identities]


def rows_now(settings: Settings, ids: list[str]) -> list[Nudge]:
    """The rows as the database holds them now."""
    core = build_app(settings)
    outbox = nudge_service(core.services).outbox
    found = [outbox.get(i) for i in ids]
    core.services.engine.dispose()
    return [r for r in found if r is not None]


def worker_env(settings_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of a worker process: fast polls and short leases for the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEARNBOT_"))}
    env.pop("DATABASE_URL", None)
    return (
        env
        | {
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            "LEARNBOT_DELIVERY_POLL_SECONDS": "0.2",
            "LEARNBOT_DELIVERY_LEASE_SECONDS": "3",
            "LEARNBOT_NUDGE_TICK_SECONDS": "3600",
        }
        | settings_env
        | extra
    )


@contextmanager
def worker(
    env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen[str]]:
    """A `learnbot worker` process (or `args`); killed at the end if still running."""
    command = list(args) or [sys.executable, "-m", "bot.cli", "worker"]
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=20)


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL: no handler, no finally, no mark."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM and the process's output."""
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out
