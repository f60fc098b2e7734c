"""`learnbot chat --email`: the org chart reaches terminal users, and their email links only
terminal users, never a Slack or Teams learner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.groups import register
from bot.core.events import Identity, UserInfo
from bot.settings import Settings

register(app)
CHART = """email,manager_email,department,location,role
mia@example.com,,Support,Berlin,manager
ana@example.com,mia@example.com,Support,Lisbon,support-agent
bo@example.com,mia@example.com,Support,Porto,support-agent
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("DATABASE_URL", "SLACK_BOT_TOKEN", "MICROSOFT_APP_ID", "LEARNBOT_LINK_DOMAINS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org.csv").write_text(CHART, encoding="utf-8")
    (tmp_path / "hello.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "team.txt").write_text("/learn team\n", encoding="utf-8")
    return tmp_path / "home"


def _chat(*args: str) -> str:
    result = CliRunner().invoke(app, ["chat", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_terminal_manager_with_an_email_sees_their_team(home: Path) -> None:
    assert CliRunner().invoke(app, ["org", "import", "org.csv"]).exit_code == 0
    _chat("--user", "ana", "--email", "ana@example.com", "--script", "hello.txt")
    _chat("--user", "bo", "--email", "Bo@Example.com", "--script", "hello.txt")
    without = _chat("--user", "mia", "--script", "team.txt")
    assert "TEAM OF MIA" not in without, "no email: the org chart does not know this user"
    team = _chat("--user", "mia", "--email", "mia@example.com", "--script", "team.txt")
    assert "TEAM OF MIA" in team
    assert "Members: 2" in team


def test_a_terminal_email_never_becomes_a_slack_learner(home: Path) -> None:
    from bot.app import build_services
    from bot.storage.tables import learners

    services = build_services(Settings(_env_file=None))
    slack = services.learners.resolve(
        Identity("slack", "T1", "UMIA"),
        UserInfo("Mia", "mia@example.com"),
        now=services.clock.now(),
    )
    services.learners.set_roles(slack.id, frozenset({"admin"}), now=services.clock.now())
    _chat("--user", "mia", "--email", "mia@example.com", "--script", "hello.txt")
    with services.engine.connect() as conn:
        ids = conn.execute(
            select(learners.c.id).where(learners.c.email == "mia@example.com")
        ).scalars()
        both = [services.learners.get(i) for i in ids]
    assert len(both) == 2
    terminal = next(x for x in both if x is not None and x.id != slack.id)
    assert terminal.identities == (Identity("terminal", "local", "mia"),)
    assert not terminal.has_role("admin"), "the Slack learner's roles stay with it"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--user", "mia", "--email", "not-an-email"], "is not an email address"),
        (["--user", "slack:T1:U1", "--email", "mia@example.com"], "--email is for terminal"),
    ],
)
def test_a_bad_or_misplaced_email_is_refused(home: Path, args: list[str], error: str) -> None:
    result = CliRunner().invoke(app, ["chat", *args, "--script", "team.txt"])
    assert result.exit_code == 2
    assert error in result.output
