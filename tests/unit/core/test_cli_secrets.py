"""`learnbot doctor` and start-up about LEARNBOT_SECRET_KEY, as an operator sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.secrets import SecretBox
from bot.storage.workspaces import SlackInstallations

TOKEN = "xoxb-1111-2222-secretvalue"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in (
        "DATABASE_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "MICROSOFT_APP_ID",
        "LEARNBOT_SECRET_KEY",
        "LEARNBOT_OLD_SECRET_KEYS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def _store_sealed_token(home: Path, key: str) -> None:
    engine = make_engine(Settings(LEARNBOT_HOME=home, _env_file=None).db_url)
    migrate(engine)
    bot = {"app_id": "A1", "team_id": "T1", "bot_token": TOKEN}
    SlackInstallations(engine, client_id="1.2", secrets=SecretBox(key)).save_bot(bot)
    engine.dispose()


def test_doctor_warns_when_platforms_are_configured_without_a_key(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CliRunner().invoke(app, ["init"])
    assert "[ok  ] secrets" in CliRunner().invoke(app, ["doctor"]).output
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    result = CliRunner().invoke(app, ["doctor"])
    assert "[warn] secrets: LEARNBOT_SECRET_KEY is not set" in result.output
    monkeypatch.setenv("LEARNBOT_SECRET_KEY", Fernet.generate_key().decode())
    assert "[ok  ] secrets" in CliRunner().invoke(app, ["doctor"]).output


def test_a_wrong_key_fails_doctor_and_start_up_with_the_setting_named(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    _store_sealed_token(home, "the passphrase the tokens were sealed with")
    monkeypatch.setenv("LEARNBOT_SECRET_KEY", "some other passphrase")
    doctor = CliRunner().invoke(app, ["doctor"])
    assert doctor.exit_code == 1
    assert "[FAIL] secrets: LEARNBOT_SECRET_KEY does not decrypt" in doctor.output
    start = CliRunner().invoke(app, ["init"])
    assert start.exit_code == 1
    assert "error: LEARNBOT_SECRET_KEY does not decrypt" in start.output
    assert "Traceback" not in start.output
    assert TOKEN not in start.output + doctor.output
    monkeypatch.setenv("LEARNBOT_OLD_SECRET_KEYS", "the passphrase the tokens were sealed with")
    assert CliRunner().invoke(app, ["init"]).exit_code == 0, "rotation: the old key opens them"
