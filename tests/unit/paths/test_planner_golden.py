"""The path planner on a small framework: golden paths, rules one by one, and bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from learning.framework import parse_framework
from learning.path import plan
from learning.path_model import CatalogModule, LearnerState, PathError, Preferences

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRAMEWORK = parse_framework(
    {
        "competencies": [
            {"id": "basics", "title": "Workplace basics"},
            {"id": "security", "title": "Security", "prerequisites": ["basics"]},
            {"id": "support", "title": "Customer support", "prerequisites": ["basics", "security"]},
            {"id": "compliance", "title": "Compliance"},
        ],
        "roles": [
            {
                "id": "agent",
                "title": "Support agent",
                "targets": [
                    {"competency": "support", "level": "intermediate"},
                    {"competency": "security", "level": "foundation"},
                ],
                "required_modules": [{"module": "comp/conduct", "due_days": 14}],
            },
            {
                "id": "bare",
                "title": "Contractor",
                "required_modules": [{"module": "comp/conduct", "due_days": 7}],
            },
        ],
    }
)


def M(mid: str, comp: str, minutes: int, **kw: object) -> CatalogModule:
    return CatalogModule(
        id=mid, title=mid.split("/")[1].title(), competencies=(comp,), minutes=minutes, **kw
    )  # type: ignore[arg-type]


CATALOGUE = (
    M("basics/first", "basics", 5),
    M("security/pw", "security", 6, prerequisites=("basics/first",)),
    M("security/phish", "security", 6, tags=("phishing", "email", "report")),
    M("security/phish-drill", "security", 8, format="interactive", tags=("phishing", "email")),
    M("security/advanced", "security", 10, difficulty="advanced"),
    M("support/triage", "support", 6, prerequisites=("security/pw",)),
    M(
        "support/escalate",
        "support",
        7,
        difficulty="intermediate",
        prerequisites=("support/triage",),
    ),
    M("support/coach", "support", 8, difficulty="advanced"),
    M("support/leads", "support", 4, audience=("lead",)),
    M("comp/conduct", "compliance", 7),
)
AGENT = Preferences(role="agent", session_minutes=15)


def run(state: LearnerState | None = None, prefs: Preferences = AGENT, catalogue=CATALOGUE):  # type: ignore[no-untyped-def]
    state = state or LearnerState(role_since=NOW - timedelta(days=3))
    return plan(FRAMEWORK, catalogue, state, prefs, threshold=0.8, now=NOW)


def table(path) -> list[tuple[str, str, str, int]]:  # type: ignore[no-untyped-def]
    return [(s.module_id, s.status, s.reason_kind, s.session) for s in path.steps]


def test_golden_path_of_a_new_learner() -> None:
    path = run()
    assert table(path) == [
        ("comp/conduct", "due", "required", 1),
        ("basics/first", "todo", "prerequisite", 1),
        ("security/pw", "todo", "gap", 2),
        ("security/phish", "todo", "gap", 2),
        ("support/triage", "todo", "gap", 3),
        ("support/escalate", "todo", "gap", 3),
    ]
    assert path.total_minutes == 7 + 5 + 6 + 6 + 6 + 7
    assert path.sessions == 3
    assert path.weeks == 1, "three sessions a week at the normal pace"
    reasons = {s.module_id: s.reason for s in path.steps}
    assert reasons["comp/conduct"] == "Required for your role, due 2026-12-04."
    assert reasons["basics/first"] == (
        "Workplace basics is a prerequisite of Customer support and Security "
        "and nothing has measured it yet."
    )
    assert reasons["security/pw"] == (
        "Security is a target of your role and nothing has measured it yet."
    )
    assert path.warnings == ()
    assert path.notices == ()


def test_golden_path_with_evidence_exemptions_and_completion() -> None:
    state = LearnerState(
        mastery={"security": 0.9, "support": 0.3},
        exemptions={"basics": "quiz-42"},
        completed={"comp/conduct": NOW - timedelta(days=1)},
        role_since=NOW - timedelta(days=20),
    )
    path = run(state)
    assert table(path) == [
        ("basics/first", "exempt", "exempt", 0),
        ("security/pw", "exempt", "mastered", 0),
        ("security/phish", "exempt", "mastered", 0),
        ("support/triage", "todo", "gap", 1),
        ("support/escalate", "todo", "gap", 1),
        ("comp/conduct", "done", "required", 0),
    ]
    reasons = {s.module_id: s.reason for s in path.steps}
    assert (
        reasons["basics/first"]
        == "Exempt: you showed you know Workplace basics (evidence quiz-42)."
    )
    assert reasons["security/pw"] == (
        "Not needed: your mastery of Security is 90% (the plan needs 80%)."
    )
    assert reasons["support/triage"] == (
        "Customer support is a target of your role and your mastery is 30%: not enough "
        "evidence to decide either way yet, so its modules stay (the plan needs 80%)."
    )
    assert reasons["comp/conduct"] == "Completed on 2026-11-22."
    assert path.total_minutes == 13
    assert path.completion == pytest.approx(1 / 3)


def test_a_mastered_target_does_not_bring_its_prerequisites() -> None:
    path = run(LearnerState(mastery={"support": 0.95, "security": 0.85}))
    assert "basics/first" not in {s.module_id for s in path.steps}
    assert [s.module_id for s in path.steps if s.actionable] == ["comp/conduct"]


def test_preferred_format_picks_the_alternative_and_says_so() -> None:
    path = run(prefs=replace(AGENT, preferred_format="interactive"))
    ids = [s.module_id for s in path.steps]
    assert "security/phish-drill" in ids
    assert "security/phish" not in ids
    drill = path.step("security/phish-drill")
    assert drill is not None
    assert "Chosen over Phish (text) because you prefer interactive." in drill.details


def test_a_completed_alternative_wins_over_the_preference() -> None:
    state = LearnerState(completed={"security/phish": NOW - timedelta(days=2)})
    path = run(state, prefs=replace(AGENT, preferred_format="interactive"))
    assert path.step("security/phish") is not None
    assert path.step("security/phish").status == "done"  # type: ignore[union-attr]
    assert path.step("security/phish-drill") is None


def test_levels_and_audience_limit_the_modules() -> None:
    ids = {s.module_id for s in run().steps}
    assert "security/advanced" not in ids, "security is a foundation target"
    assert "support/coach" not in ids, "support is an intermediate target"
    assert "support/escalate" in ids
    assert "support/leads" not in ids, "the module is for the lead role only"


def test_a_goal_adds_a_competency_at_intermediate_level() -> None:
    path = run(prefs=replace(AGENT, goals=("Compliance",)))
    comps = {c.competency: c for c in path.competencies}
    assert comps["compliance"].origin == "goal"
    assert comps["compliance"].level == "intermediate"


def test_role_is_matched_by_title_in_any_case() -> None:
    assert run(prefs=replace(AGENT, role="support AGENT")).role == "agent"


def test_required_modules_stay_when_the_topic_is_known_unless_waived() -> None:
    known = run(LearnerState(exemptions={"compliance": "ev-9"}, role_since=NOW))
    step = known.step("comp/conduct")
    assert step is not None
    assert step.status == "due"
    assert any("unless an admin waives them" in d for d in step.details)
    waived = run(LearnerState(waivers={"comp/conduct": "w-1"}, role_since=NOW)).step("comp/conduct")
    assert waived is not None
    assert (waived.status, waived.reason_kind) == ("exempt", "waived")
    assert "w-1" in waived.reason


def test_a_due_date_in_the_past_is_overdue_and_comes_first() -> None:
    path = run(LearnerState(role_since=NOW - timedelta(days=30)))
    first = path.steps[0]
    assert (first.module_id, first.status) == ("comp/conduct", "overdue")
    assert first.reason == "Required for your role; it was due 2026-11-07."
    assert any("It is overdue" in d for d in first.details)


def test_a_due_review_is_a_step_early_in_the_path() -> None:
    state = LearnerState(
        completed={
            "security/pw": NOW - timedelta(days=30),
            "basics/first": NOW - timedelta(days=31),
        },
        reviews_due={
            "security/pw": NOW - timedelta(hours=1),
            "basics/first": NOW + timedelta(days=3),
        },
        role_since=NOW,
    )
    path = run(state)
    review = path.step("security/pw")
    assert review is not None
    assert (review.status, review.reason_kind) == ("due", "review")
    assert path.step("basics/first").status == "done", "a review in the future is not due"  # type: ignore[union-attr]
    assert path.next_step() == review


def test_a_skipped_module_is_deferred_not_dropped() -> None:
    path = run(LearnerState(skipped=frozenset({"security/phish"}), role_since=NOW))
    phish = path.step("security/phish")
    assert phish is not None
    assert phish.skipped
    assert phish.status == "todo"
    ids = [s.module_id for s in path.steps]
    assert ids.index("security/phish") == len(ids) - 1, "nothing depends on it, so it goes last"
    assert path.next_step() is not None
    assert path.next_step().module_id == "comp/conduct"


def test_a_path_with_only_skipped_steps_still_offers_the_next_one() -> None:
    state = LearnerState(
        mastery={"support": 0.9, "security": 0.9},
        completed={"comp/conduct": NOW},
        skipped=frozenset(),
    )
    assert run(state).next_step() is None
    only = run(
        replace(
            state,
            mastery={"support": 0.9, "security": 0.1, "basics": 0.9},
            skipped=frozenset({"security/pw", "security/phish"}),
        )
    )
    assert only.next_step() is not None
    assert only.next_step().skipped


# Bad input: each one a warning or notice, never a crash.


def test_a_module_teaching_an_unknown_competency_is_left_out_with_a_warning() -> None:
    catalogue = (*CATALOGUE, M("astro/stars", "astrology", 5))
    mixed = CatalogModule("support/mixed", "Mixed", ("support", "astrology"), minutes=3)
    path = run(catalogue=(*catalogue, mixed))
    ids = {s.module_id for s in path.steps}
    assert "astro/stars" not in ids
    assert "support/mixed" in ids, "a module keeps the competencies the framework knows"
    assert any("'astro/stars' teaches 'astrology'" in w and "left out" in w for w in path.warnings)
    assert any("'support/mixed' teaches 'astrology'" in w for w in path.warnings)


def test_a_role_with_no_targets_plans_only_its_requirements() -> None:
    path = run(prefs=replace(AGENT, role="bare"))
    assert [s.module_id for s in path.steps] == ["comp/conduct"]
    assert any("no target competencies" in n for n in path.notices)


def test_a_module_that_is_its_own_prerequisite_is_planned_with_a_warning() -> None:
    selfish = replace(CATALOGUE[5], prerequisites=("support/triage", "security/pw"))
    catalogue = (*CATALOGUE[:5], selfish, *CATALOGUE[6:])
    path = run(catalogue=catalogue)
    assert path.step("support/triage") is not None
    assert any("'support/triage' lists itself as a prerequisite" in w for w in path.warnings)
    ids = [s.module_id for s in path.steps]
    assert ids.index("security/pw") < ids.index("support/triage"), "its other prerequisite holds"


def test_a_prerequisite_cycle_between_modules_is_broken_and_reported() -> None:
    a = M("support/a", "support", 3, prerequisites=("support/b",))
    b = M("support/b", "support", 3, prerequisites=("support/a",))
    path = run(catalogue=(*CATALOGUE, a, b))
    ids = [s.module_id for s in path.steps]
    assert {"support/a", "support/b"} <= set(ids)
    assert any("form a cycle" in w for w in path.warnings)


def test_unknown_prerequisites_roles_goals_and_required_modules_are_reported() -> None:
    lost = M("support/lost", "support", 3, prerequisites=("nowhere/else",))
    path = run(
        catalogue=tuple(m for m in (*CATALOGUE, lost) if m.id != "comp/conduct"),
        prefs=replace(AGENT, goals=("juggling",)),
    )
    assert any("'nowhere/else', which is not in the library" in w for w in path.warnings)
    assert any("required module 'comp/conduct' is not in the library" in w for w in path.warnings)
    assert any("goal 'juggling'" in n for n in path.notices)
    nobody = run(prefs=Preferences(role="astronaut"))
    assert nobody.steps == ()
    assert any("role 'astronaut' is not in the framework" in n for n in nobody.notices)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": datetime(2026, 11, 23)}, "timezone-aware"),
        ({"threshold": 1.0}, "between 0 and 1"),
    ],
)
def test_unusable_planner_arguments_raise(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"threshold": 0.8, "now": NOW, **kwargs}
    with pytest.raises(PathError, match=message):
        plan(FRAMEWORK, CATALOGUE, LearnerState(), AGENT, **args)  # type: ignore[arg-type]


def test_rows_are_the_command_line_contract() -> None:
    rows = run().rows()
    assert rows[0] == {
        "module_id": "comp/conduct",
        "title": "Conduct",
        "minutes": 7,
        "reason": "Required for your role, due 2026-12-04.",
        "status": "due",
    }


def test_a_module_done_without_its_check_is_unverified_not_done() -> None:
    done_at = NOW - timedelta(days=1)
    state = LearnerState(
        completed={"basics/first": done_at, "comp/conduct": done_at, "security/pw": done_at},
        unverified=frozenset({"basics/first", "comp/conduct"}),
        role_since=NOW - timedelta(days=3),
    )
    path = run(state)
    assert table(path) == [
        ("basics/first", "unverified", "prerequisite", 0),
        ("security/pw", "done", "gap", 0),
        ("security/phish", "todo", "gap", 1),
        ("support/triage", "todo", "gap", 1),
        ("support/escalate", "todo", "gap", 2),
        ("comp/conduct", "unverified", "required", 0),
    ]
    reasons = {s.module_id: s.reason for s in path.steps}
    assert reasons["basics/first"] == (
        "Marked done on 2026-11-22 without its mastery check (not verified)."
    )
    assert reasons["security/pw"] == "Completed on 2026-11-22."
    assert path.completion == pytest.approx(3 / 6), "finished steps count, verified or not"
    statuses = [r["status"] for r in path.rows()]
    assert statuses == ["unverified", "done", "todo", "todo", "todo", "unverified"]


def test_an_undecided_competency_keeps_its_modules_and_says_so() -> None:
    from learning.path_model import CompetencyPlan
    from learning.path_reasons import evidence_clause

    def clause(p: float) -> str:
        return evidence_clause(CompetencyPlan("c", "C", "foundation", "role", "gap", p), 0.8)

    assert clause(0.1) == "your mastery is 10%, below the 80% the plan needs"
    assert clause(0.55).startswith("your mastery is 55%: not enough evidence to decide")
    assert "its modules stay" in clause(0.79)
    assert clause(0.2) == "your mastery is 20%, below the 80% the plan needs", "decided: not"


def test_a_waiver_takes_a_module_that_is_not_required_off_the_path_too() -> None:

    framework = parse_framework(
        {
            "competencies": [{"id": "sec", "title": "Security"}],
            "roles": [{"id": "agent", "title": "Agent", "targets": [{"competency": "sec"}]}],
        }
    )
    catalogue = [CatalogModule("sec/phish", "Phishing", ("sec",), minutes=6)]
    prefs = Preferences(role="agent")
    before = plan(framework, catalogue, LearnerState(), prefs, threshold=0.8, now=NOW)
    assert before.step("sec/phish").actionable
    waived = LearnerState(waivers={"sec/phish": "w1"})
    after = plan(framework, catalogue, waived, prefs, threshold=0.8, now=NOW)
    step = after.step("sec/phish")
    assert step is None or (step.status == "exempt" and "waiver w1" in step.reason)
    assert after.next_step() is None
