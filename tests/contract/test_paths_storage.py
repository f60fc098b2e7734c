"""Path storage behaves the same on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.paths import PathRepository
from bot.storage.tables import metadata

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TABLES = {"module_progress", "role_assignments", "module_waivers", "recommendations"}


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def learner(engine) -> str:  # type: ignore[no-untyped-def]
    return (
        LearnerRepository(engine)
        .resolve(Identity("terminal", "local", "ana"), UserInfo(), now=NOW)
        .id
    )


def test_the_migration_creates_the_tables_as_declared(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [d for d in diff if _table(d) in TABLES or _column(d) == ("profiles", "pace")]
    assert ours == []


def _table(diff: Any) -> str:
    item = diff[0] if isinstance(diff, list) else diff
    kind = item[0]
    if kind in {"add_table", "remove_table"}:
        return str(item[1].name)
    if kind in {"add_column", "remove_column"} or kind.startswith("modify_"):
        return str(item[2])
    table = getattr(item[1], "table", None)
    return "" if table is None else str(table.name)


def _column(diff: Any) -> tuple[str, str]:
    item = diff[0] if isinstance(diff, list) else diff
    if item[0] in {"add_column", "remove_column"}:
        return str(item[2]), str(item[3].name)
    if item[0].startswith("modify_"):
        return str(item[2]), str(item[3])
    return "", ""


def test_progress_keeps_the_completion_when_started_again_or_skipped(engine, learner) -> None:
    repo = PathRepository(engine)
    repo.mark(learner, "m1", "started", now=NOW)
    repo.mark(learner, "m1", "done", now=NOW + timedelta(minutes=5))
    repo.mark(learner, "m1", "started", now=NOW + timedelta(days=9))
    repo.mark(learner, "m2", "skipped", now=NOW + timedelta(days=1))
    progress = {p.module_id: p for p in repo.progress(learner)}
    assert progress["m1"].status == "started"
    assert progress["m1"].completed_at == NOW + timedelta(minutes=5)
    assert progress["m2"].status == "skipped"
    assert progress["m2"].completed_at is None
    assert [p.module_id for p in repo.progress(learner)] == ["m1", "m2"], "most recent first"
    with pytest.raises(ValueError, match="unknown progress status"):
        repo.mark(learner, "m3", "finished", now=NOW)  # type: ignore[arg-type]


def test_a_role_start_is_recorded_once(engine, learner) -> None:
    repo = PathRepository(engine)
    assert repo.role_since(learner, "agent", default=NOW) == NOW
    assert repo.role_since(learner, "agent", default=NOW + timedelta(days=3)) == NOW
    assert repo.role_since(learner, "lead", default=NOW + timedelta(days=3)) == NOW + timedelta(
        days=3
    )
    assert set(repo.roles(learner)) == {"agent", "lead"}


def test_waivers_replace_earlier_ones(engine, learner) -> None:
    repo = PathRepository(engine)
    first = repo.waive(learner, "comp/conduct", reason="done elsewhere", actor="cli", now=NOW)
    second = repo.waive(learner, "comp/conduct", reason="certificate", actor="cli", now=NOW)
    assert first != second
    assert repo.waivers(learner) == {"comp/conduct": second}


def test_recommendations_are_recorded_with_inputs_and_not_repeated(engine, learner) -> None:
    repo = PathRepository(engine)
    inputs = {"mastery": {"security": 0.4}, "threshold": 0.8}
    output = {"steps": [{"module_id": "m1", "status": "todo"}]}
    assert repo.record(learner, "path", inputs=inputs, output=output, now=NOW)
    assert not repo.record(learner, "path", inputs=inputs, output=output, now=NOW)
    changed = {**inputs, "mastery": {"security": 0.9}}
    assert repo.record(learner, "path", inputs=changed, output=output, now=NOW)
    assert repo.record(learner, "exemption", subject="security", inputs=changed, output={}, now=NOW)
    records = repo.recommendations(learner_id=learner)
    assert [(r.kind, r.subject) for r in records] == [
        ("path", ""),
        ("path", ""),
        ("exemption", "security"),
    ]
    assert records[1].inputs == changed
    assert records[0].output == output
    assert [r.kind for r in repo.recommendations(kind="exemption")] == ["exemption"]


def test_pace_round_trips_and_deleting_a_learner_removes_their_path_data(engine, learner) -> None:
    profiles = ProfileRepository(engine)
    profiles.save(learner, profiles.get(learner).with_changes(pace="intensive"), now=NOW)
    assert profiles.get(learner).pace == "intensive"
    repo = PathRepository(engine)
    repo.mark(learner, "m1", "done", now=NOW)
    repo.role_since(learner, "agent", default=NOW)
    repo.waive(learner, "m1", reason="r", actor="cli", now=NOW)
    repo.record(learner, "path", inputs={}, output={}, now=NOW)
    LearnerRepository(engine).delete(learner)
    assert repo.progress(learner) == []
    assert repo.roles(learner) == {}
    assert repo.waivers(learner) == {}
    assert repo.recommendations(learner_id=learner) == []


def test_unverified_completes_the_module_and_a_later_done_verifies_it(engine, learner) -> None:
    repo = PathRepository(engine)
    repo.mark(learner, "sql/filtering", "started", now=NOW)
    repo.mark(learner, "sql/filtering", "unverified", now=NOW + timedelta(hours=1))
    [found] = repo.progress(learner)
    assert (found.status, found.completed_at) == ("unverified", NOW + timedelta(hours=1))
    repo.mark(learner, "sql/filtering", "done", now=NOW + timedelta(hours=2))
    [found] = repo.progress(learner)
    assert (found.status, found.completed_at) == ("done", NOW + timedelta(hours=2))
    with pytest.raises(ValueError, match="unknown progress status"):
        repo.mark(learner, "sql/filtering", "verified", now=NOW)  # type: ignore[arg-type]


def test_path_records_stream_learner_by_learner_across_batches(engine) -> None:
    people = LearnerRepository(engine)
    ids = [
        people.resolve(Identity("terminal", "local", n), UserInfo(), now=NOW).id
        for n in ("a", "b", "c")
    ]
    repo = PathRepository(engine)
    for k, learner_id in enumerate(ids):
        for version in range(k + 1):
            output = {"steps": [{"module_id": f"m{version}", "status": "todo"}]}
            repo.record(learner_id, "path", inputs={"v": version}, output=output, now=NOW)
    repo.record(ids[0], "exemption", subject="x", inputs={}, output={}, now=NOW)
    repo.mark(ids[2], "m1", "done", now=NOW)
    repo.mark(ids[2], "m2", "started", now=NOW)

    streamed = list(repo.latest_paths(batch=2))

    assert [learner_id for learner_id, _ in streamed] == sorted(ids)
    by_id = dict(streamed)
    for k, learner_id in enumerate(ids):
        assert [o["steps"][0]["module_id"] for o in by_id[learner_id]] == [
            f"m{v}" for v in range(k + 1)
        ]
    assert repo.completed_many(ids) == {ids[0]: set(), ids[1]: set(), ids[2]: {"m1"}}
    assert ProfileRepository(engine).get_many(ids[:1]) == {
        ids[0]: ProfileRepository(engine).get(ids[0])
    }
