"""`learnbot path show`, `path waive` and `report equity`, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_app
from bot.core.events import Identity, UserInfo
from bot.features.paths.service import PathService
from bot.settings import Settings
from tests.path_library import load_library


def learnbot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEARNBOT_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


class PerLearner:
    """A mastery service whose answer depends on the learner."""

    def __init__(self) -> None:
        self.by_learner: dict[str, dict[str, float]] = {}

    def mastery(self, learner_id: str) -> dict[str, float]:
        return self.by_learner.get(learner_id, {})

    def exemptions(self, learner_id: str) -> dict[str, str]:
        return {}

    def reviews_due(self, learner_id: str) -> dict[str, datetime]:
        return {}


@pytest.fixture
def home(make_core, sqlite_settings):  # type: ignore[no-untyped-def]
    mastery = PerLearner()
    core = make_core(learner_mastery=mastery)
    load_library(core)
    services = core.services
    now = services.clock.now()
    people = [("sales", 0.1)] * 3 + [("ops", 0.95)] * 3 + [("hr", 0.5)]
    for n, (department, p) in enumerate(people):
        learner = services.learners.resolve(
            Identity("terminal", "local", f"u{n}"), UserInfo(), now=now
        )
        profile = services.profiles.get(learner.id).with_changes(
            job_role="support-agent", attributes={"department": department}
        )
        services.profiles.save(learner.id, profile, now=now)
        mastery.by_learner[learner.id] = dict.fromkeys(
            ("workplace-basics", "security-awareness", "internal-tools"), p
        )
        paths = PathService(services)
        paths.record_shown(paths.plan(learner.id, now=now))
    return sqlite_settings.home


def test_path_show_json_is_the_documented_contract(home: Path) -> None:
    done = learnbot(home, "path", "show", "--user", "u0", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [list(r) for r in rows] == [["module_id", "title", "minutes", "reason", "status"]] * len(
        rows
    )
    assert rows[0]["module_id"] == "workplace-basics/first-week", "prerequisites first"
    conduct = next(r for r in rows if r["module_id"] == "compliance/code-of-conduct")
    assert conduct["status"] in {"due", "overdue"}, "the process runs on the real clock"
    assert conduct["minutes"] == 7
    assert conduct["reason"].startswith("Required for your role")
    table = learnbot(home, "path", "show", "--user", "u0")
    assert "compliance/code-of-conduct" in table.stdout
    assert "minutes to study in" in table.stdout


def test_path_show_for_an_unknown_user_fails_clearly(home: Path) -> None:
    done = learnbot(home, "path", "show", "--user", "nobody", "--json")
    assert done.returncode == 1
    assert "no learner 'nobody'" in done.stderr
    assert done.stdout == ""


def test_waiving_a_required_module_is_audited_and_changes_the_path(home: Path) -> None:
    bad = learnbot(
        home, "path", "waive", "--user", "u0", "customer-support/triage", "--reason", "x"
    )
    assert bad.returncode == 1
    assert "not a required module" in bad.stderr
    done = learnbot(
        home, "path", "waive", "--user", "u0", "compliance/code-of-conduct", "--reason", "certified"
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(learnbot(home, "path", "show", "--user", "u0", "--json").stdout)
    conduct = next(r for r in rows if r["module_id"] == "compliance/code-of-conduct")
    assert conduct["status"] == "exempt"
    assert "waived by an admin" in conduct["reason"]
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None))
    assert core.services.audit.entries()[0]["action"] == "path.waive"


def test_equity_report_flags_a_gap_and_keeps_small_groups_private(home: Path) -> None:
    done = learnbot(home, "report", "equity", "--by", "department", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    groups = {g["group"]: g for g in report["groups"]}
    assert groups["hr"]["too_small"] is True
    assert groups["hr"]["recommendation_rate"] is None
    assert groups["sales"]["recommendation_rate"] > groups["ops"]["recommendation_rate"]
    gaps = {g["metric"]: g for g in report["gaps"]}
    assert gaps["recommendation_rate"]["flagged"] is True
    assert gaps["exemption_rate"]["highest"] == "ops"
    assert report["flagged"] is True
    loose = json.loads(
        learnbot(
            home, "report", "equity", "--by", "department", "--json", "--threshold", "1"
        ).stdout
    )
    assert loose["flagged"] is False
    text = learnbot(home, "report", "equity", "--by", "department")
    assert "too small to compare" in text.stdout
    assert "[FLAG] recommendation_rate" in text.stdout
    assert learnbot(home, "report", "equity", "--by", "x", "--threshold", "5").returncode == 2
