"""Slack's storage on SQLite and PostgreSQL: installs, single-use OAuth state, purges, races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository
from bot.storage.tables import metadata
from bot.storage.workspaces import OAuthStates, SlackInstallations, purge_workspace

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SLACK_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_the_migration_creates_the_slack_tables_as_tables_py_declares(engine) -> None:  # type: ignore[no-untyped-def]
    only_slack = MetaData(naming_convention=metadata.naming_convention)
    for name in SLACK_TABLES:
        metadata.tables[name].to_metadata(only_slack)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, only_slack) if _about_slack(d)]
    assert diffs == []


def _about_slack(diff: object) -> bool:
    text = repr(diff)
    return any(name in text for name in SLACK_TABLES)


def test_oauth_state_is_accepted_once_even_when_raced(engine) -> None:  # type: ignore[no-untyped-def]
    states = OAuthStates(engine)
    state = states.issue(now=NOW)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: states.consume(state, now=NOW), range(8)))
    assert results.count(True) == 1
    assert states.consume("never-issued", now=NOW) is False
    assert states.consume("", now=NOW) is False


def test_oauth_state_expires(engine) -> None:  # type: ignore[no-untyped-def]
    states = OAuthStates(engine, lifetime=timedelta(minutes=10))
    state = states.issue(now=NOW)
    assert states.consume(state, now=NOW + timedelta(minutes=11)) is False


def _bot(team: str, token: str, at: datetime) -> dict[str, object]:
    return {
        "app_id": "A1",
        "team_id": team,
        "bot_token": token,
        "bot_id": "B1",
        "bot_user_id": "UB",
        "bot_scopes": "chat:write",
        "is_enterprise_install": False,
        "installed_at": at,
    }


def test_installations_newest_bot_token_wins_and_removal_is_per_workspace(engine) -> None:  # type: ignore[no-untyped-def]
    rows = SlackInstallations(engine, client_id="111.222")
    install = {**_bot("T1", "xoxb-old", NOW), "user_id": "U0", "token_type": "bot"}
    rows.save(install, _bot("T1", "xoxb-old", NOW))
    rows.save_bot(_bot("T1", "xoxb-new", NOW + timedelta(days=1)))
    rows.save_bot(_bot("T2", "xoxb-two", NOW))
    assert rows.bot_token("T1") == "xoxb-new"
    found = rows.find_bot(enterprise_id=None, team_id="T1")
    assert found is not None
    assert found["bot_token"] == "xoxb-new"
    assert found["installed_at"].tzinfo is not None
    installation = rows.find_installation(enterprise_id=None, team_id="T1")
    assert installation is not None
    assert installation["user_id"] == "U0"
    assert SlackInstallations(engine, client_id="other-app").bot_token("T1") is None
    assert rows.remove("T1") == 3
    assert rows.bot_token("T1") is None
    assert rows.bot_token("T2") == "xoxb-two"


def test_purge_deletes_learners_known_only_there_and_unlinks_the_rest(engine) -> None:  # type: ignore[no-untyped-def]
    learners = LearnerRepository(engine, link_domains=frozenset({"example.com"}))
    gone = learners.resolve(Identity("slack", "T1", "U1"), UserInfo(), now=NOW)
    linked = learners.resolve(
        Identity("slack", "T1", "U2"), UserInfo(email="kim@example.com"), now=NOW
    )
    learners.resolve(Identity("teams", "ten", "29:k"), UserInfo(email="kim@example.com"), now=NOW)
    elsewhere = learners.resolve(Identity("slack", "T2", "U1"), UserInfo(), now=NOW)
    assert purge_workspace(engine, "slack", "T1") == (1, 1)
    assert learners.get(gone.id) is None
    kept = learners.get(linked.id)
    assert kept is not None
    assert kept.identities == (Identity("teams", "ten", "29:k"),)
    assert learners.get(elsewhere.id) is not None
    assert purge_workspace(engine, "slack", "T1") == (0, 0)


def test_first_contact_from_many_threads_makes_one_learner(engine) -> None:  # type: ignore[no-untyped-def]
    learners = LearnerRepository(engine)
    identity = Identity("slack", "T1", "URACE")
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: learners.resolve(identity, UserInfo(), now=NOW).id, range(16)))
    assert len(ids) == 1
