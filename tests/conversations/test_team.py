"""`/learn team` and `/learn assign`: scope from the org chart, channel privacy, risks, charts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.events import Identity, UserInfo
from bot.core.replies import Attachment, Direct, Here, Image, Section
from bot.features.org import import_org
from bot.features.paths.service import PathService
from bot.storage.mastery import Ability, CheckAttempt, MasteryRepository
from tests.conversations.admin_helpers import run, slack, text_of
from tests.path_library import load_library

CHART = """email,manager_email,department,location,role
boss@example.com,,Board,Berlin,executive
mia@example.com,boss@example.com,Support,Berlin,manager
ana@example.com,mia@example.com,Support,Lisbon,support-agent
bo@example.com,mia@example.com,Support,Lisbon,support-agent
cy@example.com,mia@example.com,Support,Porto,support-agent
dee@example.com,mia@example.com,Sales,Rome,support-agent
max@example.com,boss@example.com,Ops,Oslo,manager
eve@example.com,max@example.com,Ops,Oslo,support-agent
"""
PEOPLE = ("boss", "mia", "ana", "bo", "cy", "dee", "max", "eve")


def who(name: str) -> Identity:
    return slack(f"U{name.upper()}")


@pytest.fixture
def team(core):  # type: ignore[no-untyped-def]
    load_library(core)
    services, now = core.services, core.services.clock.now()
    import_org(
        CHART.encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=now,
    )
    for name in PEOPLE:
        learner = services.learners.resolve(
            who(name),
            UserInfo(display_name=name.capitalize(), email=f"{name}@example.com"),
            now=now,
        )
        profile = services.profiles.get(learner.id)
        services.profiles.save(
            learner.id,
            replace(profile, job_role="support-agent", onboarded_at=now - timedelta(days=20)),
            now=now,
        )
    mastery = MasteryRepository(services.engine)
    ana = services.learners.find(who("ana")).id
    for _ in range(2):
        mastery.record_check(
            ana,
            CheckAttempt("security-awareness", None, False, 0.2, -1, 0.4, (), (), now),
            dialog_id=None,
        )
    for name, p in (("ana", 0.3), ("bo", 0.9), ("cy", 0.85), ("dee", 0.5)):
        lid = services.learners.find(who(name)).id
        mastery.save_ability(lid, Ability("security-awareness", 0.0, 0.3, p, 0.0, 5, now))
        services.activity.record(lid, "answered", object_id="x", now=now - timedelta(days=1))
    return core


def test_managers_from_the_chart_see_their_team_in_a_direct_message(team) -> None:
    replies = run(team, who("mia"), "team")
    assert len(replies) == 1
    out = text_of(replies)
    assert "Team of Mia" in out
    assert "Members: 4" in out
    # Code of conduct is due 14 days after the role started (20 days ago): overdue for all 4.
    assert "With overdue training: 4" in out
    assert "Ana" in out
    assert "failed repeated checks on security-awareness" in out
    assert "Eve" not in out
    assert "Max" not in out
    image = next(b for r in replies for b in r.blocks if isinstance(b, Image))
    assert image.data.startswith(b"\x89PNG")
    # Mean of 0.3, 0.9, 0.85 and 0.5 is 0.6375: floored like every mastery number.
    assert "`security-awareness`: 4 assessed, mean 63%, mastered 50%" in out


def test_in_a_channel_only_aggregates_and_detail_goes_privately(team) -> None:
    public, private = run(team, who("mia"), "team", channel=True)
    assert public.to == Here()
    assert private.to == Direct(who("mia"))
    shown = text_of([public])
    for name in ("Ana", "Bo", "Cy", "Dee"):
        assert name not in shown
    assert "Support" in shown
    assert "Sales" not in shown
    assert "smaller than 3" in shown
    assert "Ana" in text_of([private])


def test_a_team_smaller_than_three_shows_no_numbers_in_a_channel(team) -> None:
    public, private = run(team, who("max"), "team", channel=True)
    assert "fewer than 3" in text_of([public])
    assert not any(isinstance(b, Image | Section) for b in public.blocks)
    assert private.to == Direct(who("max"))


def test_a_manager_cannot_see_another_managers_team(team) -> None:
    out = text_of(run(team, who("max"), "team <@UMIA>"))
    assert "Mia is not part of your team" in out
    # The boss manages both managers, so may look at either team.
    assert "Team of Mia" in text_of(run(team, who("boss"), "team <@UMIA>"))


def test_csv_export_has_one_row_per_member(team) -> None:
    public, private = run(team, who("mia"), "team --csv", channel=True)
    assert not any(isinstance(b, Attachment) for b in public.blocks)
    csv = next(b for b in private.blocks if isinstance(b, Attachment))
    lines = csv.data.decode().strip().splitlines()
    assert csv.mime == "text/csv"
    assert lines[0].startswith("name,email,department,completion")
    assert len(lines) == 5
    assert any(line.startswith("Ana,ana@example.com,Support") for line in lines)


def test_competency_filter_and_unknown_competency(team) -> None:
    out = text_of(run(team, who("mia"), "team security-awareness"))
    assert "security-awareness" in out
    assert "don't know the competency" in text_of(run(team, who("mia"), "team juggling"))


def test_assign_makes_the_module_required_with_its_due_date(team) -> None:
    out = text_of(run(team, who("mia"), "assign security/phishing <@UANA> due 2026-12-10"))
    assert "Assigned `security/phishing` to 1 person, due 2026-12-10" in out
    ana = team.services.learners.find(who("ana"))
    step = (
        PathService(team.services)
        .plan(ana.id, now=team.services.clock.now())
        .path.step("security/phishing")
    )
    assert step is not None
    assert step.required
    assert step.due_at is not None
    assert step.due_at.date().isoformat() == "2026-12-10"
    assert "Assigned to you" in step.reason
    out = text_of(run(team, who("mia"), "assign security/phishing-drill team"))
    assert "to 4 people" in out
    by_title = text_of(run(team, who("mia"), "assign Our code of conduct <@UANA> due 2026-12-10"))
    assert "Assigned `compliance/code-of-conduct` to 1 person" in by_title
    ambiguous = text_of(run(team, who("mia"), "assign security/phish <@UANA>"))
    assert "could be more than one module" in ambiguous


def test_assign_refuses_bad_input_and_other_teams(team) -> None:
    assert "in the past" in text_of(
        run(team, who("mia"), "assign security/phishing <@UANA> due 2026-11-01")
    )
    assert "not a date" in text_of(
        run(team, who("mia"), "assign security/phishing <@UANA> due soon")
    )
    assert "no module" in text_of(run(team, who("mia"), "assign nope/none <@UANA>"))
    assert "does not report to you" in text_of(
        run(team, who("mia"), "assign security/phishing <@UEVE>")
    )
    eve = team.services.learners.find(who("eve"))
    assert (
        PathService(team.services)
        .plan(eve.id, now=team.services.clock.now())
        .path.step("security/phishing")
        is None
        or not PathService(team.services)
        .plan(eve.id, now=team.services.clock.now())
        .path.step("security/phishing")
        .required
    )


def test_admins_may_see_everyone_and_managers_may_not(team) -> None:
    boss = team.services.learners.find(who("boss"))
    team.services.learners.set_roles(boss.id, frozenset({"admin"}), now=team.services.clock.now())
    out = text_of(run(team, who("boss"), "team all"))
    assert "All learners" in out
    assert "Members: 7" in out
    assert "for admins only" in text_of(run(team, who("mia"), "team all"))


def test_a_report_who_is_an_admin_does_not_open_the_whole_organisation(team) -> None:  # type: ignore[no-untyped-def]
    services = team.services
    ana = services.learners.find(who("ana"))
    services.learners.set_roles(ana.id, frozenset({"learner", "admin"}), now=services.clock.now())
    said = text_of(run(team, who("mia"), "team <@UANA>", email="mia@example.com"))
    assert "Eve" not in said, "max's report stays out of mia's view"
    assert "Bo" not in said


def test_assigning_to_team_without_reports_names_nobody(team) -> None:  # type: ignore[no-untyped-def]
    services = team.services
    eve = services.learners.find(who("eve"))
    services.learners.set_roles(eve.id, frozenset({"learner", "admin"}), now=services.clock.now())
    command = "assign compliance/code-of-conduct team"
    said = text_of(run(team, who("eve"), command, email="eve@example.com"))
    assert "no reports in the org chart" in said


def _views(team) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    entries = reversed(team.services.audit.entries())
    return [e for e in entries if e["action"].startswith("team.")]


def test_a_report_named_shows_that_persons_progress_to_the_manager(team) -> None:
    (reply,) = run(team, who("mia"), "team <@UANA>")
    out = text_of([reply])
    assert "Progress of Ana" in out
    assert "Ana needs help: overdue: compliance/code-of-conduct" in out
    assert "Steps done: 0" in out
    assert "`security-awareness`: 30%" in out
    assert "your team" not in out.lower(), "worded for the manager, not as if Ana asked"
    assert "Members" not in out
    public, private = run(team, who("mia"), "team <@UBO>", channel=True)
    assert text_of([public]) == "I sent you this person's progress privately."
    assert private.to == Direct(who("mia"))
    assert "Progress of Bo" in text_of([private])
    assert "Nothing in Bo's learning needs your attention" not in text_of([private])


def test_a_named_lead_whose_reports_never_came_is_named_in_the_answer(team) -> None:
    services = team.services
    chart = CHART + "zoe@example.com,boss@example.com,Ops,Oslo,manager\n"
    chart += "yan@example.com,zoe@example.com,Ops,Oslo,support-agent\n"
    import_org(
        chart.encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=services.clock.now(),
    )
    info = UserInfo(display_name="Zoe", email="zoe@example.com")
    services.learners.resolve(who("zoe"), info, now=services.clock.now())
    out = text_of(run(team, who("boss"), "team <@UZOE>"))
    assert out == (
        "Nobody in Zoe's team has talked to me yet (the org chart lists who reports to them)."
    )


def test_every_team_view_is_audited(team) -> None:
    boss = team.services.learners.find(who("boss"))
    team.services.learners.set_roles(boss.id, frozenset({"admin"}), now=team.services.clock.now())
    mia = team.services.learners.find(who("mia"))
    ana = team.services.learners.find(who("ana"))
    run(team, who("mia"), "team")
    run(team, who("mia"), "team <@UANA>")
    run(team, who("mia"), "team --csv", channel=True)
    run(team, who("boss"), "team all")
    run(team, who("max"), "team <@UMIA>")
    run(team, who("mia"), "team all")
    views = _views(team)
    assert [(v["action"], v["detail"].get("scope")) for v in views] == [
        ("team.view", "team"),
        ("team.view", "person"),
        ("team.view", "team"),
        ("team.view", "all"),
        ("team.refused", None),
    ]
    assert [v["target"] for v in views[:2]] == [mia.id, ana.id]
    assert views[0]["detail"] == {
        "scope": "team",
        "members": 4,
        "competency": "",
        "csv": False,
        "channel": False,
    }
    assert (views[2]["detail"]["csv"], views[2]["detail"]["channel"]) == (True, True)
    assert views[4]["actor"] == team.services.learners.find(who("max")).id
    denied = team.services.audit.entries()[0]
    assert (denied["action"], denied["target"]) == ("denied", "team all"), "the router's refusal"
