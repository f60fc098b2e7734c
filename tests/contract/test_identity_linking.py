"""Linking identities by email stays within one organisation (a Slack enterprise or
workspace, a Teams tenant, the terminal); Slack and Teams link only for allowed domains."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.adapters.slack.inbound import user_info
from bot.core.events import Identity, UserInfo
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository
from bot.storage.tables import identities

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANA = "ana@corp.example"


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _ana(repo: LearnerRepository, identity: Identity, **info: object) -> str:
    return repo.resolve(identity, UserInfo("Ana", ANA, **info), now=NOW).id  # type: ignore[arg-type]


def test_the_same_email_in_two_slack_workspaces_is_two_learners(engine) -> None:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine, link_domains=frozenset({"corp.example"}))
    first = _ana(repo, Identity("slack", "T1", "U1"))
    second = _ana(repo, Identity("slack", "T2", "U7"))
    assert first != second, "another workspace is another organisation, allow-list or not"
    assert _ana(repo, Identity("slack", "T1", "U9")) == first, "same workspace: linked"


def test_workspaces_of_one_enterprise_are_one_organisation(engine) -> None:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine)
    first = _ana(repo, Identity("slack", "T1", "U1"), enterprise="E1")
    assert _ana(repo, Identity("slack", "T2", "U1"), enterprise="E1") == first
    assert _ana(repo, Identity("slack", "T3", "U1"), enterprise="E2") != first


def test_an_identity_stored_before_its_enterprise_was_known_learns_it(engine) -> None:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine)
    first = _ana(repo, Identity("slack", "T1", "U1"))  # users.info had failed: no enterprise
    assert _ana(repo, Identity("slack", "T1", "U1"), enterprise="E1") == first
    with engine.connect() as conn:
        rows = conn.execute(select(identities.c.workspace, identities.c.organisation)).all()
    assert [tuple(r) for r in rows] == [("T1", "slack:E1")]
    assert _ana(repo, Identity("slack", "T4", "U1"), enterprise="E1") == first


def test_slack_and_teams_link_only_for_an_allowed_domain(engine) -> None:  # type: ignore[no-untyped-def]
    closed = LearnerRepository(engine)
    slack = _ana(closed, Identity("slack", "T1", "U1"))
    assert _ana(closed, Identity("teams", "tenant-1", "29:a")) != slack, "no allow-list"
    other_domain = LearnerRepository(engine, link_domains=frozenset({"other.example"}))
    assert _ana(other_domain, Identity("teams", "tenant-2", "29:b")) != slack
    allowed = LearnerRepository(engine, link_domains=frozenset({"Corp.Example"}))
    assert _ana(allowed, Identity("teams", "tenant-3", "29:c")) == slack
    learner = allowed.get(slack)
    assert learner is not None
    assert {i.platform for i in learner.identities} == {"slack", "teams"}


def test_an_allowed_domain_does_not_link_two_slack_workspaces(engine) -> None:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine, link_domains=frozenset({"corp.example"}))
    first = _ana(repo, Identity("slack", "T1", "U1"))
    assert _ana(repo, Identity("slack", "T2", "U1")) != first


def test_a_terminal_email_never_links_a_chat_learner(engine) -> None:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine, link_domains=frozenset({"corp.example"}))
    slack = _ana(repo, Identity("slack", "T1", "U1"))
    teams = _ana(repo, Identity("teams", "tenant-1", "29:a"))
    terminal = _ana(repo, Identity("terminal", "local", "ana"))
    assert terminal not in {slack, teams}
    assert _ana(repo, Identity("terminal", "local", "ana-laptop")) == terminal
    assert _ana(repo, Identity("slack", "T1", "U2")) == slack, "nor the other way round"


def test_link_domains_setting_is_a_lower_case_comma_list() -> None:
    settings = Settings(LEARNBOT_LINK_DOMAINS=" Corp.example, @sub.corp.example,,", _env_file=None)
    assert settings.link_domain_set == frozenset({"corp.example", "sub.corp.example"})
    assert Settings(_env_file=None).link_domain_set == frozenset()


def test_slack_users_info_names_the_enterprise_of_a_grid_member(shared_data) -> None:  # type: ignore[no-untyped-def]
    path = (
        shared_data
        / "chat-payloads/slack/java_slack_sdk_json_log_samples/events/UserChangePayload.json"
    )
    user = json.loads(path.read_text(encoding="utf-8"))["event"]["user"]
    assert user_info(user).enterprise == "", "the sample's enterprise fields are empty"
    user["enterprise_user"]["enterprise_id"] = "E0GRID"
    assert user_info(user).enterprise == "E0GRID"
    assert user_info({"id": "U1", "profile": {}}).enterprise == ""
