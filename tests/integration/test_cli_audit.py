"""Imports run from the command line are written to the audit log with the actor "cli"."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conversations.quiz_helpers import FIXTURES
from tests.conversations.test_team import CHART
from tests.unit.nudges.conftest import ics


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from bot.cli import app
    from bot.cli.groups import register

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    register(app)

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def _audit(run: Any) -> list[dict[str, Any]]:
    return list(reversed(json.loads(run("audit", "--json"))))


def test_framework_quiz_org_and_calendar_imports_are_audited(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("framework", "import", str(FIXTURES / "framework.yaml"))
    cli("quiz", "import", str(FIXTURES / "bank.yaml"))
    chart = tmp_path / "org.csv"
    chart.write_text(CHART, encoding="utf-8")
    cli("org", "import", str(chart))
    script = tmp_path / "hello.txt"
    script.write_text("/learn help\n")
    cli("chat", "--user", "ana", "--script", str(script))
    calendar = tmp_path / "week.ics"
    day = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y%m%d")  # the CLI's clock is real
    calendar.write_bytes(ics(f"UID:a\nDTSTART:{day}T090000Z\nDTEND:{day}T100000Z\nSUMMARY:Budget"))
    cli("calendar", "import", "--user", "ana", str(calendar))

    entries = _audit(cli)
    assert [e["action"] for e in entries] == [
        "framework.import",
        "quiz.import",
        "org.import",
        "calendar.import",
    ]
    assert {e["actor"] for e in entries} == {"cli"}
    framework, quiz, org, calendar_entry = entries
    assert framework["target"] == "framework.yaml"
    assert framework["detail"]["competencies"] > 0
    assert quiz["target"] == "bank.yaml"
    assert quiz["detail"]["imported"] > 0
    assert quiz["detail"]["errors"] == 0
    assert org["target"] == "org.csv"
    assert calendar_entry["detail"]["file"] == "week.ics"
    assert calendar_entry["detail"]["events"] == 1
    assert "Budget" not in json.dumps(entries), "what is in a calendar is not audited"


def test_a_refused_quiz_import_is_audited_with_its_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import app

    bank = tmp_path / "broken.yaml"
    bank.write_text("items: [", encoding="utf-8")
    assert CliRunner().invoke(app, ["quiz", "import", str(bank)]).exit_code == 1
    (entry,) = _audit(cli)
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "cli",
        "quiz.import",
        "broken.yaml",
    )
    assert entry["detail"] == {"imported": 0, "skipped": 0, "errors": 1}
