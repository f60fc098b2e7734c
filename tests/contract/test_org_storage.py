"""The org chart and assignments on SQLite and PostgreSQL; import links learners and managers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import UserError
from bot.core.events import Identity, UserInfo
from bot.features.org import import_org
from bot.features.roles import RolePolicy
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.org import OrgRepository
from tests.unit.admin.test_org_chart import GOOD

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def repos(db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    learners, profiles, org = (
        LearnerRepository(engine),
        ProfileRepository(engine),
        OrgRepository(engine),
    )
    settings = Settings(LEARNBOT_HOME=tmp_path, _env_file=None)
    learners.on_resolve = RolePolicy(settings, org=org, learners=learners, profiles=profiles)
    yield learners, profiles, org
    engine.dispose()


def test_import_copies_attributes_and_makes_managers_now_and_later(repos) -> None:
    learners, profiles, org = repos
    mia = learners.resolve(
        Identity("slack", "T1", "UMIA"), UserInfo(email="mia@example.com"), now=NOW
    )
    result = import_org(GOOD.encode(), org=org, learners=learners, profiles=profiles, now=NOW)
    assert result.as_json() == {"people": 3, "managers": 2, "linked_learners": 1}
    mia = learners.get(mia.id)
    assert mia is not None
    assert mia.has_role("manager")
    assert profiles.get(mia.id).attributes["department"] == "Support"
    # A learner who appears later is linked at first contact.
    ana = learners.resolve(
        Identity("teams", "ten", "29:a"), UserInfo(email="ana@example.com"), now=NOW
    )
    assert not ana.has_role("manager")
    assert profiles.get(ana.id).attributes == {
        "department": "Support",
        "location": "Lisbon",
        "role": "support-agent",
    }
    assert org.reports("ceo@example.com") == ["mia@example.com", "ana@example.com"]
    assert org.reports("mia@example.com") == ["ana@example.com"]
    assert org.reports("ana@example.com") == []


def test_a_bad_chart_leaves_the_stored_one_alone(repos) -> None:
    learners, profiles, org = repos
    import_org(GOOD.encode(), org=org, learners=learners, profiles=profiles, now=NOW)
    bad = GOOD + "zed@example.com,ghost@example.com,X,Y,Z\n"
    with pytest.raises(UserError):
        import_org(bad.encode(), org=org, learners=learners, profiles=profiles, now=NOW)
    assert len(org.entries()) == 3


def test_a_chart_with_a_reporting_cycle_is_refused_and_the_stored_one_kept(repos) -> None:
    learners, profiles, org = repos
    import_org(GOOD.encode(), org=org, learners=learners, profiles=profiles, now=NOW)
    before = org.entries()
    cycle = GOOD.replace("ceo@example.com,,Board", "ceo@example.com,ana@example.com,Board")
    with pytest.raises(UserError) as err:
        import_org(cycle.encode(), org=org, learners=learners, profiles=profiles, now=NOW)
    assert "reporting loop" in str(err.value)
    assert "nothing was imported" in str(err.value)
    assert org.entries() == before
    assert org.reports("ceo@example.com") == ["mia@example.com", "ana@example.com"]


def test_assignments_round_trip(repos) -> None:
    learners, _, org = repos
    ana = learners.resolve(Identity("terminal", "local", "ana"), UserInfo(), now=NOW)
    org.assign(ana.id, "m1", due_at=NOW + timedelta(days=7), by="x", now=NOW)
    org.assign(ana.id, "m1", due_at=NOW + timedelta(days=9), by="x", now=NOW)
    org.assign(ana.id, "m2", due_at=None, by="x", now=NOW + timedelta(seconds=1))
    got = org.assignments(ana.id)
    assert [(a.module_id, a.due_at) for a in got] == [("m1", NOW + timedelta(days=9)), ("m2", None)]
