"""The authorization matrix: every manager and admin command refused for those without the role."""

from __future__ import annotations

from dataclasses import replace

from bot.core.events import Channel, FileShared, UserInfo
from bot.core.replies import Buttons
from tests.conversations.admin_helpers import click, make_admin, run, slack, text_of
from tests.conversations.test_team import CHART, PEOPLE, who
from tests.conversations.test_team import team as team

ADMIN_COMMANDS = (
    "admin grant <@UANA> admin",
    "admin revoke <@UMIA> manager",
    "admin upload https://example.com/a.md",
    "admin modules",
    "admin show security/phishing",
    "admin retag security/phishing x,y",
    "admin retire security/phishing",
    "admin restore security/phishing",
    "admin reindex",
    "admin gaps",
    "admin items",
    "admin equity department",
)
MANAGER_COMMANDS = (
    "team",
    "team --csv",
    "assign security/phishing <@UANA>",
    "assign security/phishing team",
)


def _roles(core, name: str) -> frozenset[str]:  # type: ignore[no-untyped-def]
    learner = core.services.learners.find(who(name))
    assert learner is not None
    return learner.roles


def test_learners_are_refused_everything_and_each_refusal_is_audited(team) -> None:
    before = len(team.services.audit.entries())
    commands = ADMIN_COMMANDS + MANAGER_COMMANDS
    for command in commands:
        out = text_of(run(team, who("ana"), command))
        assert "only" in out, command
    ana = team.services.learners.find(who("ana"))
    assert ana is not None
    added = team.services.audit.entries()[: len(team.services.audit.entries()) - before]
    assert len(added) == len(commands), "one entry per refusal, and nothing else"
    assert {e["action"] for e in added} == {"denied"}
    assert {e["actor"] for e in added} == {ana.id}
    assert sorted(e["target"] for e in added) == sorted(c.split()[0] for c in commands)


def test_guests_are_refused_even_with_stored_roles(team) -> None:
    services = team.services
    guest = services.learners.resolve(
        slack("UGST"), UserInfo(is_guest=True), now=services.clock.now()
    )
    services.learners.set_roles(guest.id, frozenset({"admin", "manager"}), now=services.clock.now())
    for command in ADMIN_COMMANDS + MANAGER_COMMANDS:
        out = text_of(run(team, slack("UGST"), command, guest=True))
        assert "only" in out, command


def test_managers_are_refused_admin_commands(team) -> None:
    assert "manager" in _roles(team, "mia")
    for command in ADMIN_COMMANDS:
        out = text_of(run(team, who("mia"), command))
        assert "for admins only" in out, command


def test_nothing_changed_after_refusals(team) -> None:
    for command in ADMIN_COMMANDS:
        run(team, who("ana"), command)
        run(team, who("mia"), command)
    assert _roles(team, "ana") == frozenset({"learner"})
    record = team.services.library.get().content.get("security/phishing")
    assert not record.retired
    assert "x" not in record.meta.tags


def test_a_manager_asking_about_another_managers_team_is_refused(team) -> None:
    assert "is not part of your team" in text_of(run(team, who("max"), "team <@UMIA>"))
    assert "is not part of your team" in text_of(run(team, who("mia"), "team <@UMAX> --csv"))
    assert "does not report to you" in text_of(
        run(team, who("max"), "assign security/phishing <@UANA>")
    )


def test_a_user_of_another_workspace_reaches_nobody_here(team) -> None:
    outsider = slack("UMIA", team="T2")  # same user id, other workspace
    make_admin(team, outsider)
    assert "another workspace" in text_of(run(team, outsider, "team slack:T1:UMIA"))
    assert "another workspace" in text_of(run(team, outsider, "admin grant slack:T1:UANA admin"))
    # A mention resolves in the actor's workspace: T2 has no UANA.
    assert "have not talked" in text_of(run(team, outsider, "assign security/phishing <@UANA>"))
    assert _roles(team, "ana") == frozenset({"learner"})


def test_a_forged_button_value_acts_only_for_the_clicker(team) -> None:
    prompt = run(team, who("mia"), "forget-me")
    yes = next(b for b in prompt[0].blocks if isinstance(b, Buttons)).buttons[0]
    # Ana replays Mia's button value: identity comes from the signed clicker, not the value.
    assert "someone else" in text_of(click(team, who("ana"), yes.action, yes.value))
    assert team.services.learners.find(who("mia")) is not None
    assert team.services.learners.find(who("ana")) is not None
    # A made-up dialog id is stale, not a way in.
    assert "expired" in text_of(click(team, who("ana"), "dlg", "0123456789abcdef:1:yes"))


def test_files_other_than_calendars_are_admin_only(team) -> None:
    event = FileShared(
        identity=who("mia"),
        channel=Channel("D1"),
        user=UserInfo(),
        name="org.csv",
        size=len(CHART),
        read=lambda limit: CHART.encode(),
    )
    assert "admin" in text_of(team.router.handle(event))
    assert len(PEOPLE) == 8


def test_the_router_authorizes_a_file_before_its_handler_runs(team) -> None:
    handled: list[str] = []

    def handler(ctx, event):  # type: ignore[no-untyped-def]
        handled.append(event.name)
        return []

    team.router._on_file = handler

    def send(name: str) -> str:
        event = FileShared(
            identity=who("mia"), channel=Channel("D1"), name=name, size=10, read=lambda n: b""
        )
        return text_of(team.router.handle(event))

    assert "Only admins can add files" in send("guide.md")
    assert "Only admins can add files" in send("bank.gift")
    assert handled == [], "refused before the handler (and so before any download)"
    denied = [e for e in team.services.audit.entries() if e["action"] == "denied"]
    assert [e["target"] for e in denied] == ["upload", "upload"]
    send("busy.ics")
    assert handled == ["busy.ics"], "a calendar is anyone's to send"


def test_the_router_checks_a_subcommand_role_before_its_handler_runs(team) -> None:
    handled: list[str] = []
    command = team.router.commands["team"]
    assert command.sub_roles == {"all": "admin"}
    team.router.commands["team"] = replace(
        command, handler=lambda ctx, args: handled.append(args) or []
    )
    assert "for admins only" in text_of(run(team, who("mia"), "team ALL --csv"))
    assert handled == [], "refused before the handler"
    run(team, who("mia"), "team --csv")
    boss = team.services.learners.find(who("boss"))
    assert boss is not None
    team.services.learners.set_roles(boss.id, frozenset({"admin"}), now=team.services.clock.now())
    run(team, who("boss"), "team all")
    assert handled == ["--csv", "all"], "a manager's own team, and everyone for an admin"
