"""Competency frameworks: validation, import all-or-nothing, and roles offered in onboarding."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from bot.core.events import UserInfo
from learning.framework import FrameworkError, parse_framework
from tests.conversations.transcript import Conversation

GOOD = {
    "competencies": [
        {"id": "basics", "title": "Workplace basics"},
        {"id": "security", "title": "Security", "prerequisites": ["basics"], "cut_score": 0.3},
        {"id": "support", "title": "Customer support", "prerequisites": ["basics", "security"]},
    ],
    "roles": [
        {
            "id": "agent",
            "title": "Support agent",
            "targets": [{"competency": "support", "level": "intermediate"}],
            "required_modules": [{"module": "compliance/code-of-conduct", "due_days": 14}],
        },
    ],
}


def _with(**changes: object) -> dict[str, object]:
    return {**json.loads(json.dumps(GOOD)), **changes}


def test_a_valid_framework_parses() -> None:
    framework = parse_framework(GOOD)
    assert [c.id for c in framework.competencies] == ["basics", "security", "support"]
    assert framework.competency("security").cut_score == 0.3
    assert framework.roles[0].required_modules[0].due_days == 14


def test_a_prerequisite_cycle_is_rejected_and_named() -> None:
    data = _with(
        competencies=[
            {"id": "a", "title": "A", "prerequisites": ["c"]},
            {"id": "b", "title": "B", "prerequisites": ["a"]},
            {"id": "c", "title": "C", "prerequisites": ["b"]},
        ],
        roles=[],
    )
    with pytest.raises(FrameworkError, match=r"prerequisite cycle: a -> c -> b -> a"):
        parse_framework(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _with(competencies=[{"id": "a", "title": "A", "prerequisites": ["a"]}], roles=[]),
            "'a' is its own prerequisite",
        ),
        (
            _with(roles=[{"id": "r", "targets": [{"competency": "nope"}]}]),
            "role 'r' target 'nope' is not a competency",
        ),
        (_with(roles=[{"id": "r", "title": "R"}]), "role 'r' has no targets"),
        (_with(competencies=[{"id": "a"}, {"id": "a"}], roles=[]), "duplicate competency id 'a'"),
        (_with(competencies=[{"id": "a", "cut_score": "high"}], roles=[]), "must be a number"),
        (
            _with(roles=[{"id": "r", "required_modules": [{"module": "m", "due_days": -3}]}]),
            "whole number of days",
        ),
    ],
)
def test_bad_frameworks_are_rejected_with_the_entry_named(data: object, message: str) -> None:
    with pytest.raises(FrameworkError, match=message):
        parse_framework(data)


def _cli():  # type: ignore[no-untyped-def]
    from bot.cli import app
    from bot.cli.groups import register

    register(app)
    return app


def test_cli_import_replaces_the_framework_and_a_bad_file_changes_nothing(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    good, bad = tmp_path / "fw.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(GOOD))
    cyclic = _with(
        competencies=[{"id": "a", "prerequisites": ["b"]}, {"id": "b", "prerequisites": ["a"]}],
        roles=[],
    )
    bad.write_text(yaml.safe_dump(cyclic))
    runner, app = CliRunner(), _cli()
    result = runner.invoke(app, ["framework", "import", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"competencies": 3, "roles": 1}
    result = runner.invoke(app, ["framework", "import", str(bad)])
    assert result.exit_code == 1
    assert "prerequisite cycle: a -> b -> a" in result.output
    from bot.app import build_services
    from bot.settings import Settings

    services = build_services(Settings(_env_file=None))
    assert len(services.framework.get().competencies) == 3, "the old framework is untouched"


def test_onboarding_offers_the_framework_roles_and_competencies(core) -> None:
    core.services.framework.replace(parse_framework(GOOD))
    chat = Conversation(core)
    chat.say("hi")
    roles = chat.click("Let's start")
    assert "[1] Support agent" in roles
    goals = chat.click("Support agent")
    assert "[ ] Security" in goals
    chat.click("Security", "Customer support")
    assert chat.profile.job_role == "agent"
    assert chat.profile.goals == ("security", "support")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{}\n", "no competency at all"),
        ("competencies: []\nroles: []\n", "no competency at all"),
        ("competences:\n  - id: a\n", "no competency at all"),
        (
            "competencies:\n  - id: a\n    title: A\nroles: []\n",
            "no role at all",
        ),
    ],
)
def test_cli_import_that_would_remove_everything_needs_replace_all(
    tmp_path, monkeypatch, text: str, said: str
) -> None:
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    good, wiping = tmp_path / "fw.yaml", tmp_path / "wiping.yaml"
    good.write_text(yaml.safe_dump(GOOD))
    wiping.write_text(text)
    runner, app = CliRunner(), _cli()
    assert runner.invoke(app, ["framework", "import", str(good)]).exit_code == 0
    refused = runner.invoke(app, ["framework", "import", str(wiping), "--json"])
    assert refused.exit_code == 1
    assert said in refused.output
    assert "--replace-all" in refused.output
    assert refused.stdout == "", "no summary for a refused file"
    from bot.app import build_services
    from bot.settings import Settings

    def stored() -> tuple[int, int]:
        framework = build_services(Settings(_env_file=None)).framework.get()
        return len(framework.competencies), len(framework.roles)

    assert stored() == (3, 1), "the old framework is untouched"
    forced = runner.invoke(app, ["framework", "import", str(wiping), "--replace-all"])
    assert forced.exit_code == 0, forced.output
    assert stored()[1] == 0


def test_an_empty_framework_is_refused_even_on_an_empty_database(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    result = CliRunner().invoke(_cli(), ["framework", "import", str(empty)])
    assert result.exit_code == 1
    assert "no competencies and no roles" in result.output


def test_a_framework_sent_in_chat_that_would_empty_it_is_refused(core) -> None:  # type: ignore[no-untyped-def]
    from bot.core.events import Channel, FileShared, Identity

    core.services.framework.replace(parse_framework(GOOD))
    admin = Identity.parse("root")
    core.services.learners.resolve(admin, UserInfo(), now=core.services.clock.now())
    learner = core.services.learners.find(admin)
    assert learner is not None
    core.services.learners.set_roles(
        learner.id, frozenset({"admin"}), now=core.services.clock.now()
    )
    data = b'{"competencies": [], "roles": []}'
    event = FileShared(
        identity=admin,
        channel=Channel("D1"),
        name="framework.json",
        size=len(data),
        read=lambda limit: data,
    )
    said = " ".join(str(r) for r in core.router.handle(event))
    assert "no competency at all" in said
    assert len(core.services.framework.get().competencies) == 3
