"""`learnbot nudges plan`, `learnbot calendar import`, `learnbot worker` and the scheduler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import build_app
from bot.cli import app as cli
from bot.cli.groups import register
from bot.core.clock import FixedClock
from bot.settings import Settings
from nudges.leader import Leadership
from nudges.reviews import record_review
from nudges.scheduler import Intervals, NudgeScheduler
from nudges.service import nudge_service
from nudges.worker import start_in_process
from tests.conftest import REPO, T0
from tests.unit.nudges.conftest import ics, onboard

NOW = "2026-11-23T09:00:00Z"
if not any(group.name == "nudges" for group in cli.registered_groups):
    register(cli)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


@pytest.fixture
def ana(home: Path):  # type: ignore[no-untyped-def]
    """A learner in Berlin with five fading answers, in the CLI's data folder."""
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=FixedClock(T0))
    learner = onboard(core, "ana", timezone="Europe/Berlin")
    for item in range(5):
        record_review(core.services, learner.id, f"q{item}", False, now=T0 - timedelta(days=2))
    core.services.engine.dispose()
    return learner


def test_plan_prints_exactly_the_documented_json(ana) -> None:
    result = CliRunner().invoke(cli, ["nudges", "plan", "--user", "ana", "--now", NOW, "--json"])
    assert result.exit_code == 0, result.output
    planned = json.loads(result.output)
    assert planned
    for nudge in planned:
        assert set(nudge) == {"at", "local", "kind", "module_id", "reason"}
        assert nudge["at"].endswith("+00:00")
        assert nudge["local"].endswith("+01:00")
    assert planned[0] == {
        "at": "2026-11-23T09:00:00+00:00",
        "local": "2026-11-23T10:00:00+01:00",
        "kind": "review",
        "module_id": None,
        "reason": planned[0]["reason"],
    }
    assert "5 quiz answers from 2 days ago are fading" in planned[0]["reason"]


def test_plan_around_a_calendar_file_writes_nothing(ana, tmp_path: Path) -> None:
    busy = tmp_path / "busy.ics"
    busy.write_bytes(
        ics("UID:a\nDTSTART:20261123T080000Z\nDTEND:20261123T170000Z\nSUMMARY:Offsite")
    )
    args = [
        "nudges",
        "plan",
        "--user",
        "ana",
        "--now",
        NOW,
        "--days",
        "3",
        "--json",
        "--calendar",
        str(busy),
    ]
    planned = json.loads(CliRunner().invoke(cli, args).output)
    assert planned
    assert all(not p["local"].startswith("2026-11-23") for p in planned)
    assert "You have no calendar connected" in _chat(["/learn calendar"]), "dry run only"


def test_plan_refuses_a_time_without_a_zone_and_a_bad_calendar(ana, tmp_path: Path) -> None:
    naive = CliRunner().invoke(
        cli, ["nudges", "plan", "--user", "ana", "--now", "2026-11-23T09:00"]
    )
    assert naive.exit_code == 2
    assert "no time zone" in naive.output
    bad = tmp_path / "bad.ics"
    bad.write_text("hello")
    broken = CliRunner().invoke(cli, ["nudges", "plan", "--user", "ana", "--calendar", str(bad)])
    assert broken.exit_code == 1
    assert "bad.ics: This is not a valid iCalendar file" in broken.output


def test_plan_for_someone_new_uses_the_default_profile(home: Path) -> None:
    result = CliRunner().invoke(cli, ["nudges", "plan", "--user", "newcomer", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "planned with a default profile" in result.output


def test_calendar_import_replaces_only_with_a_good_file(ana, tmp_path: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_bytes(ics("UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:Budget"))
    result = CliRunner().invoke(cli, ["calendar", "import", "--user", "ana", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) == {"events", "busy", "days", "skipped"}
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"BEGIN:VCALENDAR\r\nBROKEN")
    refused = CliRunner().invoke(cli, ["calendar", "import", "--user", "ana", str(bad)])
    assert refused.exit_code == 1
    assert "previous calendar is unchanged" in refused.output
    missing = CliRunner().invoke(cli, ["calendar", "import", "--user", "ana", "nope.ics"])
    assert missing.exit_code == 2


def test_calendar_import_for_an_unknown_user_creates_nobody(home: Path, tmp_path: Path) -> None:
    from bot.app import build_services
    from bot.core.events import Identity
    from bot.settings import Settings

    good = tmp_path / "good.ics"
    good.write_bytes(ics("UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:X"))
    result = CliRunner().invoke(cli, ["calendar", "import", "--user", "nobody", str(good)])
    assert result.exit_code == 1
    assert "no learner nobody" in result.output
    services = build_services(Settings(_env_file=None))
    assert services.learners.find(Identity.parse("nobody")) is None


def test_the_plan_command_runs_as_a_program(ana, home: Path) -> None:
    env = os.environ | {"LEARNBOT_HOME": str(home), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "nudges",
            "plan",
            "--user",
            "ana",
            "--now",
            NOW,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["kind"] == "review"


def test_the_worker_stops_gracefully_on_sigterm(home: Path) -> None:
    env = os.environ | {
        "LEARNBOT_HOME": str(home),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert worker.stdout is not None
        assert "planning and delivering nudges" in worker.stdout.readline()
        clock_time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "learnbot worker stopped." in out


def test_the_scheduler_plans_and_delivers_in_the_background(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    for item in range(4):
        record_review(
            core.services, learner.id, f"q{item}", False, now=clock.now() - timedelta(days=2)
        )
    service = nudge_service(core.services)
    scheduler = NudgeScheduler(
        service,
        delivery=service.delivery(),
        leadership=Leadership(core.services.engine),
        intervals=Intervals(plan=0.2, deliver=0.1, jobs=60),
    )
    scheduler.start()
    try:
        deadline = clock_time.monotonic() + 10
        while clock_time.monotonic() < deadline and scheduler.stats.sent == 0:
            clock_time.sleep(0.05)
        clock_time.sleep(0.5)
    finally:
        scheduler.stop()
    assert scheduler.stats.sent == 1, "one nudge is due now; the rest wait for their slots"
    assert service.outbox.counts()["sent"] == 1
    (shown,) = service.terminal_inbox(learner.id, now=clock.now())
    assert shown.summary == "Time for a quick review: Quick review"


def test_start_in_process_returns_a_stop_callable(core) -> None:
    stop = start_in_process(core.services)
    started = clock_time.monotonic()
    stop()
    assert clock_time.monotonic() - started < 10


def _chat(lines: list[str]) -> str:
    script = Path("script.txt")
    script.write_text("\n".join(lines) + "\n")
    return CliRunner().invoke(cli, ["chat", "--user", "ana", "--script", str(script)]).output


def _every_row(home: Path) -> dict[str, list[tuple[object, ...]]]:
    from sqlalchemy import select

    from bot.storage.tables import metadata

    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=FixedClock(T0))
    try:
        with core.services.engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
                for t in metadata.sorted_tables
            }
    finally:
        core.services.engine.dispose()


def test_plan_is_a_dry_run_that_writes_no_row(home: Path) -> None:
    from bot.features.imports import load_framework_file

    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=FixedClock(T0))
    framework = REPO / "tests/fixtures/quiz/framework.yaml"
    core.services.framework.replace(load_framework_file(framework))
    onboard(core, "ana", timezone="Europe/Berlin", job_role="analyst")  # a role: role_since
    core.services.engine.dispose()
    before = _every_row(home)
    assert before["profiles"]
    assert before["role_assignments"] == []
    for args in ([], ["--json"]):
        result = CliRunner().invoke(
            cli, ["nudges", "plan", "--user", "ana", "--now", "2026-11-30T09:00:00Z", *args]
        )
        assert result.exit_code == 0, result.output
    assert _every_row(home) == before
