"""When a prerequisite competency counts as met: mastery or a passed check, or, for one with no
items in the bank, completing its modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learning.framework import parse_framework
from learning.path import plan
from learning.path_model import CatalogModule, LearnerState, Preferences

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRAMEWORK = parse_framework(
    {
        "competencies": [
            {"id": "writing", "title": "Clear writing"},
            {"id": "sql", "title": "SQL basics"},
            {"id": "reports", "title": "Reporting", "prerequisites": ["writing", "sql"]},
        ],
        "roles": [{"id": "analyst", "targets": [{"competency": "reports", "level": "foundation"}]}],
    }
)


def _module(mid: str, comp: str) -> CatalogModule:
    return CatalogModule(
        id=mid, title=mid, competencies=(comp,), difficulty="foundation", minutes=10, format="text"
    )


CATALOGUE = [
    _module("write-1", "writing"),
    _module("write-2", "writing"),
    _module("write-3", "writing"),
    _module("sql-1", "sql"),
    _module("reports-1", "reports"),
]
PREFS = Preferences(role="analyst")
DONE = NOW - timedelta(days=1)


def _standing(state: LearnerState, assessed: frozenset[str] | None) -> dict[str, str]:
    path = plan(FRAMEWORK, CATALOGUE, state, PREFS, threshold=0.8, now=NOW, assessed=assessed)
    return {c.competency: c.standing for c in path.competencies}


def test_without_items_completing_every_module_meets_the_prerequisite() -> None:
    modules = dict.fromkeys(("write-1", "write-2", "write-3", "sql-1"), DONE)
    got = _standing(LearnerState(completed=modules), frozenset({"sql"}))
    assert got["writing"] == "completed"
    assert got["sql"] == "gap", "sql has items: its modules alone do not meet it"
    assert got["reports"] == "gap"


def test_some_modules_left_is_not_enough() -> None:
    state = LearnerState(completed={"write-1": DONE, "write-2": DONE})
    assert _standing(state, frozenset({"sql"}))["writing"] == "gap"


def test_a_competency_with_items_needs_mastery_or_a_passed_check() -> None:
    modules = dict.fromkeys(("write-1", "write-2", "write-3"), DONE)
    assert _standing(LearnerState(completed=modules), frozenset({"writing"}))["writing"] == "gap"
    mastered = LearnerState(completed=modules, mastery={"writing": 0.9})
    assert _standing(mastered, frozenset({"writing"}))["writing"] == "mastered"
    exempt = LearnerState(exemptions={"writing": "check:7"})
    assert _standing(exempt, frozenset({"writing"}))["writing"] == "exempt"


def test_unknown_bank_keeps_the_strict_rule() -> None:
    modules = dict.fromkeys(("write-1", "write-2", "write-3"), DONE)
    assert _standing(LearnerState(completed=modules), None)["writing"] == "gap"


def test_the_completed_prerequisite_is_explained_and_its_steps_stay_done() -> None:
    modules = dict.fromkeys(("write-1", "write-2", "write-3"), DONE)
    path = plan(
        FRAMEWORK,
        CATALOGUE,
        LearnerState(completed=modules),
        PREFS,
        threshold=0.8,
        now=NOW,
        assessed=frozenset({"sql"}),
    )
    writing = [s for s in path.steps if "writing" in s.competencies]
    assert writing
    assert {s.status for s in writing} == {"done"}
    assert any("completing its modules" in line for s in writing for line in s.details), [
        s.details for s in writing
    ]
