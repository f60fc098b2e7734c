"""Awkward but legal input, answered clearly, with what was stored kept: a competency no item
covers, and a team member with no role."""

from __future__ import annotations

from datetime import timedelta

from bot.core.events import Channel, FileShared, Identity, UserInfo
from bot.features.org import import_org
from bot.features.team.service import build_report
from bot.sample import sample_dir
from bot.sample.loader import load_framework, load_quiz_bank
from tests.conversations.admin_helpers import make_admin, run, slack, text_of
from tests.path_library import load_library

ADMIN = Identity("slack", "T1", "UADM")


def _send(core, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    event = FileShared(
        identity=ADMIN, channel=Channel("D1"), name=name, size=len(data), read=lambda n: data[:n]
    )
    return text_of(core.router.handle(event))


def test_a_competency_no_item_covers_is_named_and_has_no_check(core) -> None:
    load_framework(core)
    load_quiz_bank(core)
    make_admin(core, ADMIN)
    bank = core.services.items.competencies()
    text = (sample_dir() / "framework.yaml").read_text()
    text = text.replace(
        "competencies:\n", "competencies:\n  - id: clear-writing\n    title: Clear writing\n", 1
    )

    said = " ".join(_send(core, "skills.yaml", text.encode()).split())

    assert "No questions in the item bank cover 1 competency: clear-writing." in said, said
    assert "met by completing their modules" in said
    stored = {c.id for c in core.services.framework.get().competencies}
    assert "clear-writing" in stored, "the framework is imported as it is"
    assert core.services.items.competencies() == bank, "the bank is untouched"

    out = " ".join(text_of(run(core, slack("UANA"), "check Clear writing")).split())
    assert "Clear writing has no questions in the item bank" in out.replace("**", ""), out
    assert "Completing its modules is what counts for it" in out
    out = text_of(run(core, slack("UANA"), "check security-awareness"))
    assert "A short check on" in out, "covered competencies still have their check"


def test_a_team_member_with_no_role_is_reported_without_a_path(core) -> None:
    load_library(core)
    services, now = core.services, core.services.clock.now()
    chart = (
        "email,manager_email,department,location,role\n"
        "mia@example.com,,Support,B,lead\n"
        "nora@example.com,mia@example.com,Support,B,\n"
    )
    import_org(
        chart.encode(),
        org=services.org,
        learners=services.learners,
        profiles=services.profiles,
        now=now,
    )
    services.learners.resolve(
        slack("UMIA"), UserInfo(display_name="Mia", email="mia@example.com"), now=now
    )
    nora = services.learners.resolve(
        slack("UNORA"),
        UserInfo(display_name="Nora", email="nora@example.com"),
        now=now - timedelta(days=30),
    )
    assert services.profiles.get(nora.id).job_role == ""

    report = build_report(services, [nora], title="t", competency=None, now=now)
    [member] = report.members
    assert (member.done, member.todo, member.completion) == (0, 0, None)
    assert member.predicted is None
    assert not member.stalled, "nothing to do is not inactivity"

    out = text_of(run(core, slack("UMIA"), "team"))
    assert "Nobody in the team is at risk right now." in out, out
    path = " ".join(text_of(run(core, slack("UNORA"), "path")).split())
    assert "Set your role with" in path
