"""The item bank, response log and learner model behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.core.events import Identity, UserInfo
from bot.storage.db import make_engine, migrate
from bot.storage.items import ItemRepository
from bot.storage.learners import LearnerRepository
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from bot.storage.tables import metadata
from learning.formats import parse_bank

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BANK = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "bank.yaml"


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _items():  # type: ignore[no-untyped-def]
    return parse_bank(BANK.read_text(), filename="bank.yaml").items


def _learner(engine, name: str) -> str:  # type: ignore[no-untyped-def]
    repo = LearnerRepository(engine)
    return repo.resolve(Identity("terminal", "local", name), UserInfo(), now=NOW).id


def test_the_migrated_schema_is_the_one_the_code_declares(engine) -> None:
    assert {"items", "responses", "abilities", "exemptions", "mastery_checks"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_items_round_trip_and_calibration_survives_a_reimport(engine) -> None:
    repo = ItemRepository(engine)
    items = _items()
    outcome = repo.import_items(items, source="bank.yaml", now=NOW)
    assert len(outcome.added) == 10
    assert repo.bank() == tuple(sorted(items, key=lambda i: i.id))
    assert repo.competencies() == {"security": 5, "sql": 5}
    repo.set_params({"sql-where": (1.7, -0.4), "sql-having": (0.9, 0.2)}, now=NOW)
    assert repo.calibrated_ids() == {"sql-where", "sql-having"}
    reworded = [
        replace(i, stem="Which clause filters grouped rows?") if i.id == "sql-having" else i
        for i in items
    ]
    again = repo.import_items(reworded, source="bank.yaml", now=NOW)
    assert again.added == ()
    assert len(again.updated) == 10
    assert (repo.get("sql-where").a, repo.get("sql-where").b) == (1.7, -0.4), "unchanged: kept"
    assert repo.get("sql-having").a == 1.0, "a reworded question starts from its prior again"
    assert repo.calibrated_ids() == {"sql-where"}
    assert repo.sources(["sql-where", "nope"]) == {"sql-where": "bank.yaml"}


def test_retired_items_leave_the_bank_but_stay_readable(engine) -> None:
    repo = ItemRepository(engine)
    repo.import_items(_items(), source="bank.yaml", now=NOW)
    assert repo.set_retired("sec-mfa", True, now=NOW)
    assert "sec-mfa" not in {i.id for i in repo.bank(["security"])}
    assert repo.get("sec-mfa") is not None
    assert repo.competencies()["security"] == 4
    assert not repo.set_retired("missing", True, now=NOW)


def test_a_dialog_records_each_item_once_and_the_matrix_keeps_first_answers(engine) -> None:
    repo = ItemRepository(engine)
    repo.import_items(_items(), source="bank.yaml", now=NOW)
    ana, ben = _learner(engine, "ana"), _learner(engine, "ben")
    kwargs = {"context": "quiz", "now": NOW}
    assert repo.record_response(
        learner_id=ana, item_id="sql-where", chosen=["a"], correct=True, dialog_id="d1", **kwargs
    )
    assert not repo.record_response(
        learner_id=ana, item_id="sql-where", chosen=["b"], correct=False, dialog_id="d1", **kwargs
    ), "the same dialog answering the same item again is refused"
    later = {"context": "check", "now": NOW + timedelta(days=1)}
    repo.record_response(
        learner_id=ana, item_id="sql-where", chosen=["b"], correct=False, dialog_id="d2", **later
    )
    repo.record_response(
        learner_id=ben, item_id="sql-null", chosen=[], correct=False, dialog_id="d3", **kwargs
    )
    assert [r.chosen for r in repo.responses(learner_id=ana)] == [("a",), ("b",)]
    assert repo.answered_ids(ana) == {"sql-where"}
    ids, matrix = repo.response_matrix()
    assert ids == ("sql-null", "sql-where")
    rows = {tuple("-" if math.isnan(v) else int(v) for v in row) for row in matrix}
    assert rows == {("-", 1), (0, "-")}, "ana's first answer (right) counts, not her retry"
    with pytest.raises(ValueError, match="context"):
        repo.record_response(
            learner_id=ana,
            item_id="sql-null",
            chosen=[],
            correct=False,
            dialog_id=None,
            context="exam",
            now=NOW,
        )


def test_abilities_are_replaced_by_the_latest_estimate(engine) -> None:
    repo, ana = MasteryRepository(engine), _learner(engine, "ana")
    repo.save_ability(ana, Ability("sql", 0.2, 0.6, 0.63, 0.0, 4, NOW))
    repo.save_ability(ana, Ability("sql", 1.1, 0.5, 0.98, 0.0, 9, NOW + timedelta(hours=1)))
    repo.save_ability(ana, Ability("security", -0.5, 0.7, 0.1, 0.3, 3, NOW))
    found = repo.abilities(ana)
    assert found["sql"] == Ability("sql", 1.1, 0.5, 0.98, 0.0, 9, NOW + timedelta(hours=1))
    assert set(found) == {"sql", "security"}


def test_exemptions_keep_evidence_and_a_revocation_sticks(engine) -> None:
    repo, ana = MasteryRepository(engine), _learner(engine, "ana")
    evidence = [{"item": "sql-where", "correct": True}, {"item": "sql-null", "correct": None}]
    grant = {
        "modules": ["sql/filtering"],
        "evidence": evidence,
        "theta": 1.2,
        "se": 0.5,
        "p_mastery": 0.93,
        "cut": 0.0,
        "threshold": 0.8,
        "dialog_id": "d1",
        "now": NOW,
    }
    assert repo.grant_exemption(ana, competency="sql", **grant)
    assert not repo.grant_exemption(ana, competency="sql", **grant), "one at a time"
    [exemption] = repo.exemptions(ana)
    assert exemption.active
    assert exemption.evidence == tuple(evidence)
    assert exemption.modules == ("sql/filtering",)
    assert repo.exempted_competencies(ana) == {"sql"}
    assert repo.revoke(ana, "sql", by="cli", now=NOW) == 1
    assert repo.revoke(ana, "sql", by="cli", now=NOW) == 0
    [revoked] = repo.exemptions(ana)
    assert (revoked.overridden_by, revoked.overridden_at) == ("cli", NOW)
    assert repo.exempted_competencies(ana) == frozenset()
    assert not repo.grant_exemption(ana, competency="sql", **grant), "the admin's call stands"


def test_check_attempts_count_failures_since_the_last_pass(engine) -> None:
    repo, ana = MasteryRepository(engine), _learner(engine, "ana")

    def attempt(passed: bool, minute: int) -> CheckAttempt:
        at = NOW + timedelta(minutes=minute)
        return CheckAttempt("sql", "sql/joins", passed, 0.5, 0.0, 0.6, ("a", "b"), ("b",), at)

    for minute, passed in enumerate([False, True, False, False]):
        assert repo.record_check(ana, attempt(passed, minute), dialog_id=f"d{minute}")
    assert not repo.record_check(ana, attempt(False, 9), dialog_id="d3"), "once per dialog"
    assert [a.passed for a in repo.checks(ana, "sql")] == [False, True, False, False]
    assert len(repo.failures_since_pass(ana, "sql")) == 2
    assert repo.failures_since_pass(ana, "security") == []


def test_deleting_a_learner_deletes_their_answers_and_model(engine) -> None:
    items, mastery = ItemRepository(engine), MasteryRepository(engine)
    items.import_items(_items(), source="bank.yaml", now=NOW)
    ana = _learner(engine, "ana")
    items.record_response(
        learner_id=ana,
        item_id="sql-where",
        chosen=["a"],
        correct=True,
        context="quiz",
        dialog_id="d1",
        now=NOW,
    )
    mastery.save_ability(ana, Ability("sql", 0.2, 0.6, 0.63, 0.0, 1, NOW))
    LearnerRepository(engine).delete(ana)
    assert items.responses() == []
    assert mastery.abilities(ana) == {}


def test_role_estimates_gather_a_roles_learners_by_job_role_in_any_case(engine) -> None:
    from bot.storage.learners import ProfileRepository
    from learning.profile import Profile

    repo, profiles = MasteryRepository(engine), ProfileRepository(engine)
    roles = {"ana": "Data analyst", "bo": "analyst", "cy": "Store associate", "di": ""}
    for name, role in roles.items():
        lid = _learner(engine, name)
        profiles.save(lid, Profile(job_role=role), now=NOW)
        repo.save_ability(lid, Ability("sql", len(name) * 0.5, 0.4, 0.7, 0.0, 3, NOW))
        repo.save_ability(lid, Ability("security", -1.0, 0.6, 0.1, 0.3, 3, NOW))
    found = repo.role_estimates(["analyst", "DATA ANALYST"], ["sql"])
    assert sorted(found["sql"]) == [(1.0, 0.4), (1.5, 0.4)], "ana and bo, sql only"
    assert set(found) == {"sql"}
    assert repo.role_estimates(["nobody"], ["sql"]) == {}
    assert repo.role_estimates([""], ["sql"]) == {}, "an empty role names no one"


def test_intake_notes_are_kept_until_a_measurement_replaces_them(engine) -> None:
    repo, ana = MasteryRepository(engine), _learner(engine, "ana")
    repo.save_intake_note(ana, "sql", "new", now=NOW)
    repo.save_intake_note(ana, "security", "not asked", now=NOW)
    repo.save_intake_note(ana, "security", "new", now=NOW + timedelta(minutes=1))
    assert repo.intake_notes(ana) == {"sql": "new", "security": "new"}
    with pytest.raises(ValueError, match="intake note kind"):
        repo.save_intake_note(ana, "sql", "expert", now=NOW)
    assert repo.intake_notes(ana)["sql"] == "new", "bad input changes nothing"
    repo.save_ability(ana, Ability("sql", 0.2, 0.6, 0.63, 0.0, 4, NOW + timedelta(hours=1)))
    assert repo.intake_notes(ana) == {"security": "new"}
