"""Storage behaves the same on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import inspect

from bot.core.events import Identity, UserInfo
from bot.storage.db import current_revision, head_revision, make_engine, migrate
from bot.storage.dialogs import DONE, DialogRepository
from bot.storage.journal import AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_migrations_apply_and_are_idempotent(engine) -> None:
    assert current_revision(engine) == head_revision()
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"learners", "identities", "profiles", "dialogs", "processed_events"} <= tables


def test_identity_is_keyed_by_platform_workspace_and_user(engine) -> None:
    repo = LearnerRepository(engine)
    a = repo.resolve(Identity("slack", "T1", "U1"), UserInfo("Ana"), now=NOW)
    again = repo.resolve(Identity("slack", "T1", "U1"), UserInfo("Ana B."), now=NOW)
    other_team = repo.resolve(Identity("slack", "T2", "U1"), UserInfo("Someone"), now=NOW)
    assert again.id == a.id
    assert again.display_name == "Ana B.", "the platform's current name is kept"
    assert other_team.id != a.id
    assert a.roles == frozenset({"learner"})


def test_the_same_email_links_slack_and_teams_when_its_domain_is_allowed(engine) -> None:
    repo = LearnerRepository(engine, link_domains=frozenset({"corp.example"}))
    slack = repo.resolve(
        Identity("slack", "T1", "U1"), UserInfo("Ana", "Ana@Corp.example"), now=NOW
    )
    teams = repo.resolve(
        Identity("teams", "tenant-1", "29:abc"), UserInfo("Ana", "ana@corp.example"), now=NOW
    )
    assert teams.id == slack.id
    assert {i.platform for i in teams.identities} == {"slack", "teams"}
    assert repo.find_by_email("ANA@corp.example").id == slack.id


def test_a_guest_account_with_a_members_email_stays_a_separate_guest(engine) -> None:
    repo = LearnerRepository(engine)
    member = repo.resolve(
        Identity("slack", "T1", "U1"), UserInfo("Ana", "ana@corp.example"), now=NOW
    )
    repo.set_roles(member.id, frozenset({"admin"}), now=NOW)
    guest = repo.resolve(
        Identity("slack", "T2", "U9"), UserInfo("Ana", "ana@corp.example", is_guest=True), now=NOW
    )
    assert guest.id != member.id
    assert not guest.has_role("admin")
    again = repo.find(Identity("slack", "T1", "U1"))
    assert again is not None
    assert again.has_role("admin"), "the member is not turned into a guest"


def test_profile_round_trip(engine) -> None:
    learners, profiles = LearnerRepository(engine), ProfileRepository(engine)
    learner = learners.resolve(Identity("terminal", "local", "ana"), UserInfo(), now=NOW)
    profile = profiles.get(learner.id).with_changes(
        timezone="Asia/Tokyo",
        goals=("security",),
        work_start=time(7, 30),
        paused_until=NOW + timedelta(days=1),
        attributes={"department": "Support"},
    )
    profiles.save(learner.id, profile, now=NOW)
    loaded = profiles.get(learner.id)
    assert loaded == profile
    assert loaded.paused_until.tzinfo is not None


def test_dialog_advances_once_per_version(engine) -> None:
    learner = LearnerRepository(engine).resolve(
        Identity("terminal", "local", "b"), UserInfo(), now=NOW
    )
    repo = DialogRepository(engine)
    record = repo.create(learner.id, "quiz", {"n": 0}, now=NOW)
    first = repo.advance(record, state={"n": 1}, status="active", now=NOW)
    replay = repo.advance(record, state={"n": 99}, status="active", now=NOW)
    assert first is not None
    assert first.step == 1
    assert replay is None, "a second request with the same version changes nothing"
    assert repo.get(record.id).state == {"n": 1}
    repo.advance(first, state={"n": 2}, status=DONE, now=NOW)
    assert repo.active(learner.id) is None
    assert repo.latest(learner.id, "quiz").status == DONE


def test_starting_a_dialog_cancels_the_previous_one_of_its_kind(engine) -> None:
    learner = LearnerRepository(engine).resolve(
        Identity("terminal", "local", "c"), UserInfo(), now=NOW
    )
    repo = DialogRepository(engine)
    old = repo.create(learner.id, "quiz", {}, now=NOW)
    new = repo.create(learner.id, "quiz", {}, now=NOW + timedelta(seconds=1))
    assert repo.get(old.id).status == "cancelled"
    assert repo.active(learner.id, "quiz").id == new.id


def test_event_ids_are_processed_once(engine) -> None:
    log = EventLog(engine)
    assert log.first_time("slack:Ev1", now=NOW)
    assert not log.first_time("slack:Ev1", now=NOW)
    assert log.prune(older_than=timedelta(hours=1), now=NOW + timedelta(hours=2)) == 1
    assert log.first_time("slack:Ev1", now=NOW)


def test_audit_log_appends(engine) -> None:
    audit = AuditLog(engine)
    audit.record(actor="admin-1", action="grant", target="learner-2", now=NOW)
    audit.record(actor="admin-1", action="ingest", detail={"n": 3}, now=NOW)
    entries = audit.entries()
    assert [e["action"] for e in entries] == ["ingest", "grant"]
    assert entries[0]["detail"] == {"n": 3}


def test_deleting_a_learner_removes_identities_and_profile(engine) -> None:
    learners, profiles = LearnerRepository(engine), ProfileRepository(engine)
    ident = Identity("slack", "T1", "U9")
    learner = learners.resolve(ident, UserInfo(email="z@x.example"), now=NOW)
    learners.delete(learner.id)
    assert learners.find(ident) is None
    assert learners.get(learner.id) is None
    assert profiles.get(learner.id).onboarded_at is None


def test_naive_datetimes_are_refused(engine) -> None:
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="naive datetimes"):
        AuditLog(engine).record(actor="a", action="b", now=datetime(2026, 1, 1))


def test_framework_is_replaced_whole(engine) -> None:
    from bot.storage.framework import FrameworkRepository
    from learning.framework import parse_framework

    repo = FrameworkRepository(engine)
    first = parse_framework(
        {
            "competencies": [{"id": "a", "title": "A"}, {"id": "b", "prerequisites": ["a"]}],
            "roles": [
                {
                    "id": "r",
                    "targets": [{"competency": "b", "level": "advanced"}],
                    "required_modules": [{"module": "m1", "due_days": 7}],
                }
            ],
        }
    )
    repo.replace(first)
    assert repo.get() == first
    second = parse_framework({"competencies": [{"id": "z", "title": "Z"}], "roles": []})
    repo.replace(second)
    assert repo.get() == second


def test_content_module_and_chunks_are_saved_and_replaced_together(engine) -> None:
    from bot.core.errors import Conflict
    from bot.storage.content import ContentRepository
    from content_index.model import Chunk, ModuleMeta

    repo = ContentRepository(engine)
    meta = ModuleMeta(
        id="sec/phishing",
        title="Phishing",
        competencies=("security",),
        audience=("support",),
        source="security/phishing.md",
    )
    first = [
        Chunk(f"sec/phishing::{i}", "sec/phishing", i, "Report it", "report-it", f"t{i}")
        for i in range(3)
    ]
    assert repo.save(meta, content_hash="h1", new_chunks=first, now=NOW) == []
    record = repo.by_source("security/phishing.md")
    assert record.meta == meta
    assert record.content_hash == "h1"
    second = first[:1]
    old = repo.save(meta, content_hash="h2", new_chunks=second, now=NOW)
    assert sorted(old) == [c.id for c in first]
    assert repo.chunks() == second
    clash = ModuleMeta(id="sec/phishing", title="Other", source="other/file.md")
    with pytest.raises(Conflict, match=r"already used by security/phishing\.md"):
        repo.save(clash, content_hash="h3", new_chunks=[], now=NOW)
    assert repo.get("sec/phishing").content_hash == "h2", "a rejected module changes nothing"
    assert repo.delete("sec/phishing") == ["sec/phishing::0"]
    assert repo.chunk_ids() == set()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path) -> None:
    fresh = tmp_path / "data" / "learnbot.db"
    engine = make_engine(f"sqlite:///{fresh}")
    migrate(engine)
    engine.dispose()
    assert fresh.stat().st_mode & 0o777 == 0o600
    for extra in fresh.parent.glob("learnbot.db-*"):  # the WAL and shared-memory files
        assert extra.stat().st_mode & 0o077 == 0, extra.name
    older = tmp_path / "older.db"
    older.touch(mode=0o644)
    older.chmod(0o644)
    make_engine(f"sqlite:///{older}").dispose()
    assert older.stat().st_mode & 0o777 == 0o600, "a file created earlier is tightened"
