"""Bad input gets specific help and stores nothing wrong."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app as cli
from tests.conversations.transcript import Conversation


def _onboarded(core) -> Conversation:
    chat = Conversation(core)
    chat.say("hi")
    chat.click("Not now")
    return chat


def test_empty_and_whitespace_messages_get_help(core) -> None:
    chat = _onboarded(core)
    assert "empty message" in chat.say("")
    assert "empty message" in chat.say("   \t ")


def test_a_50000_character_message_is_refused_with_its_length(core) -> None:
    chat = _onboarded(core)
    answer = chat.say("x" * 50_000)
    assert "50,000 characters" in answer
    assert "at most 4,000" in answer
    assert "50,004 characters" in chat.say("/learn ask " + "y" * 50_000)


def test_control_characters_are_dropped_and_emoji_kept(core) -> None:
    chat = _onboarded(core)
    answer = chat.say("/learn profile set role \x00Team\x07 lead 🧗\u200b")
    assert "Updated your role" in answer
    assert chat.profile.job_role == "Team lead 🧗"


def test_command_with_missing_arguments_shows_usage(core) -> None:
    chat = _onboarded(core)
    answer = chat.say("/learn ask")
    assert "/learn ask QUESTION" in answer
    assert "set FIELD VALUE" in chat.say("/learn profile set timezone")


def test_out_of_range_choice_number_is_explained(core) -> None:
    chat = Conversation(core)
    chat.say("hi")
    assert "between 1 and 2" in chat.say("7")


def test_unknown_role_is_refused_by_the_cli(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["chat", "--user", "ana", "--role", "wizard"])
    assert result.exit_code == 2
    assert "unknown role 'wizard'" in result.output
    assert not (tmp_path / "home").exists(), "nothing is created for a refused command"


def test_malformed_user_reference_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["chat", "--user", "slack:T1"])
    assert result.exit_code == 2
    assert "slack:TEAM:USER" in result.output
