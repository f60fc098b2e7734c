"""The command line: init, doctor and the scripted chat, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def test_init_creates_the_data_folder_and_database(home: Path) -> None:
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (home / "learnbot.db").is_file()


def test_doctor_passes_with_warnings_on_a_fresh_install(home: Path) -> None:
    CliRunner().invoke(app, ["init"])
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "[ok  ] database" in result.output
    assert "[warn] slack: not configured" in result.output


def test_doctor_fails_and_says_how_to_fix_half_configured_slack(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "[FAIL] slack" in result.output
    assert "SLACK_SIGNING_SECRET" in result.output
    assert "xoxb-secret-value" not in result.output, "secrets are never printed"


def test_doctor_reports_an_unreachable_database(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:pw@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "[FAIL] database: cannot connect to 127.0.0.1:1/none" in result.output
    assert "pw" not in result.output.split("database:")[1].split("\n")[0]


def test_scripted_chat_prints_a_transcript(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("hello\n2\n/learn help\n")
    result = CliRunner().invoke(app, ["chat", "--user", "ben", "--script", str(script)])
    assert result.exit_code == 0, result.output
    assert "> hello" in result.output
    assert "Hi Ben!" in result.output
    assert "/learn profile" in result.output


def test_chat_refuses_an_unknown_time_zone_and_creates_nobody(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("hello\n")
    args = ["chat", "--user", "zed", "--script", str(script), "--timezone", "Mars/Base"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "'Mars/Base' is not a time zone I know" in result.output
    assert not (home / "learnbot.db").exists(), "refused before the database is opened"
    args[-1] = "europe/berlin"
    assert CliRunner().invoke(app, args).exit_code == 0, "any letter case is fine"
    assert (home / "learnbot.db").exists()


def test_files_the_bot_sends_are_written_to_the_files_folder(home: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/learn my-data\n/learn my-data\n")
    result = CliRunner().invoke(app, ["chat", "--user", "ben", "--script", str(script)])
    assert result.exit_code == 0, result.output
    saved = sorted((home / "files").iterdir())
    assert len(saved) == 2, "the second export does not overwrite the first"
    for path in saved:
        assert f"saved to {path}" in result.output
        assert path.stat().st_mode & 0o777 == 0o600
        assert json.loads(path.read_text(encoding="utf-8")), "a real, non-empty export"
    assert (home / "files").stat().st_mode & 0o777 == 0o700


def test_help_runs_as_a_real_process() -> None:
    exe = Path(sys.executable).with_name("learnbot")
    done = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    for command in ("init", "doctor", "chat", "framework"):
        assert command in done.stdout
