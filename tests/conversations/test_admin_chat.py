"""Admin commands without the search index: gaps, item statistics, equity, files sent in chat."""

from __future__ import annotations

from bot.core.events import Channel, FileShared, Identity
from bot.sample import sample_dir
from bot.storage.content import ContentRepository
from tests.conversations.admin_helpers import make_admin, run, text_of
from tests.conversations.test_team import CHART
from tests.conversations.test_team import team as team

ADMIN = Identity("slack", "T1", "UADM")


def _send(core, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    event = FileShared(
        identity=ADMIN, channel=Channel("D1"), name=name, size=len(data), read=lambda n: data[:n]
    )
    return text_of(core.router.handle(event))


def test_admin_gaps_lists_groups_largest_first(core) -> None:
    make_admin(core, ADMIN)
    content = ContentRepository(core.services.engine)
    now = core.services.clock.now()
    for q in ("Is there a gym?", "Do we have a gym?", "Is there a gym on site?", "Who is the CFO?"):
        content.record_gap(q, learner_id=None, best_score=0.1, now=now)
    out = text_of(run(core, ADMIN, "admin gaps"))
    assert "Content gaps: 4, in 2 groups of the same meaning" in out
    assert out.index("3x") < out.index("1x")


def test_quiz_bank_and_framework_files_are_imported_from_chat(core) -> None:
    make_admin(core, ADMIN)
    framework = (sample_dir() / "framework.yaml").read_bytes()
    assert "Replaced the framework" in _send(core, "framework.yaml", framework)
    bank = (sample_dir() / "quiz-bank.yaml").read_bytes()
    out = _send(core, "quiz-bank.yaml", bank)
    assert "Imported" in out
    assert "quiz items" in out
    out = text_of(run(core, ADMIN, "admin items"))
    assert "Items: " in out
    assert "Answers: 0" in out
    broken = b"questions:\n  - stem: 1\n"
    assert "Nothing was imported" in _send(core, "broken.yaml", broken)
    actions = [e["action"] for e in core.services.audit.entries()]
    assert actions.count("quiz.import") == 1
    assert "framework.import" in actions


def test_a_broken_framework_from_chat_is_named_by_its_upload_name(core) -> None:
    make_admin(core, ADMIN)
    cycle = (
        b"competencies:\n  - {id: a, title: A, prerequisites: [b]}\n"
        b"  - {id: b, title: B, prerequisites: [a]}\nroles: []\n"
    )
    said = _send(core, "skills.yaml", cycle)
    assert "skills.yaml" in said
    assert "cycle" in said
    assert "/tmp" not in said
    assert core.services.framework.get().competencies == ()


def test_org_chart_file_from_chat_and_its_errors(core) -> None:
    make_admin(core, ADMIN)
    assert "8 people, 3 managers" in _send(core, "org.csv", CHART.encode())
    bad = CHART + "zed@example.com,ghost@example.com,X,Y,Z\n"
    assert "the manager ghost@example.com is not in the file" in _send(
        core, "org.csv", bad.encode()
    )
    assert len(core.services.org.entries()) == 8


def test_admin_equity_reuses_the_equity_report(team) -> None:
    from bot.features.paths.service import PathService

    paths = PathService(team.services)
    for lid in team.services.learners.all_ids():
        paths.record_shown(paths.plan(lid, now=team.services.clock.now()))
    admin = Identity("slack", "T1", "UBOSS")
    team.services.learners.set_roles(
        team.services.learners.find(admin).id, frozenset({"admin"}), now=team.services.clock.now()
    )
    out = text_of(run(team, admin, "admin equity department"))
    assert "Equity by department" in out
    assert "**Support** (4): recommended" in out
    assert "too small to compare" in out


def test_unknown_admin_subcommand_shows_usage(core) -> None:
    make_admin(core, ADMIN)
    assert "Use `/learn admin` with one of" in text_of(run(core, ADMIN, "admin frobnicate"))


def test_counts_of_one_read_in_the_singular(core) -> None:  # type: ignore[no-untyped-def]
    make_admin(core, ADMIN)
    framework = (
        b"competencies:\n  - {id: sql, title: SQL}\n"
        b"roles:\n  - id: analyst\n    title: Analyst\n"
        b"    targets: [{competency: sql, level: foundation}]\n"
    )
    said = _send(core, "one.yaml", framework)
    assert "Replaced the framework with one.yaml: 1 competency, 1 role." in said
    chart = b"email,manager_email,department,location,role\nsolo@example.com,,Ops,Oslo,analyst\n"
    assert "Imported the org chart: 1 person, 0 managers, 0 already known" in _send(
        core, "org.csv", chart
    )
    content = ContentRepository(core.services.engine)
    content.record_gap(
        "Is there a gym?", learner_id=None, best_score=0.1, now=core.services.clock.now()
    )
    assert "Content gaps: 1, in 1 group of the same meaning" in text_of(
        run(core, ADMIN, "admin gaps")
    )
