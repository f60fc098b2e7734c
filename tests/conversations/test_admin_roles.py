"""Roles in chat: grants and revokes by admins, LEARNBOT_ADMINS, guests, other workspaces."""

from __future__ import annotations

from bot.app import build_app
from bot.core.events import Identity, UserInfo
from tests.conversations.admin_helpers import make_admin, run, slack, text_of


def test_admin_grants_and_revokes_manager_by_slack_mention(core) -> None:
    make_admin(core, slack("UADM"))
    run(core, slack("UBO"), "help")
    out = text_of(run(core, slack("UADM"), "admin grant <@UBO|bo> manager"))
    assert "now manager" in out
    bo = core.services.learners.find(slack("UBO"))
    assert bo is not None
    assert bo.has_role("manager")
    assert not bo.has_role("admin")
    out = text_of(run(core, slack("UADM"), "admin revoke <@UBO> manager"))
    assert "no longer manager" in out
    bo = core.services.learners.find(slack("UBO"))
    assert bo is not None
    assert not bo.has_role("manager")
    actions = [e["action"] for e in core.services.audit.entries()]
    assert actions[:2] == ["admin.revoke", "admin.grant"]


def test_learners_managers_and_guests_cannot_grant(core) -> None:
    run(core, slack("UBO"), "help")
    run(core, slack("UMGR"), "help")
    core.services.learners.set_roles(
        core.services.learners.find(slack("UMGR")).id,
        frozenset({"manager"}),
        now=core.services.clock.now(),
    )
    for who, guest in ((slack("UBO"), False), (slack("UMGR"), False), (slack("UGST"), True)):
        out = text_of(run(core, who, "admin grant <@UBO> admin", guest=guest))
        assert "for admins only" in out
    assert not core.services.learners.find(slack("UBO")).has_role("admin")


def test_guests_can_never_be_granted(core) -> None:
    make_admin(core, slack("UADM"))
    run(core, slack("UGST"), "help", guest=True)
    out = text_of(run(core, slack("UADM"), "admin grant <@UGST> admin"))
    assert "guest" in out
    guest = core.services.learners.find(slack("UGST"))
    assert guest is not None
    assert guest.roles == frozenset({"learner"})


def test_a_user_of_another_workspace_is_refused(core) -> None:
    make_admin(core, slack("UADM"))
    run(core, slack("UX", team="T2"), "help")
    out = text_of(run(core, slack("UADM"), "admin grant slack:T2:UX manager"))
    assert "another workspace" in out
    out = text_of(run(core, slack("UADM"), "admin grant teams:tenant:29:abc manager"))
    assert "another workspace" in out
    assert not core.services.learners.find(slack("UX", team="T2")).has_role("manager")
    # A mention resolves in the actor's own workspace: T2's UX is not T1's UX.
    out = text_of(run(core, slack("UADM"), "admin grant <@UX> manager"))
    assert "have not talked to learnbot" in out


def test_unknown_role_and_unknown_user_are_clear_errors(core) -> None:
    make_admin(core, slack("UADM"))
    run(core, slack("UBO"), "help")
    assert "not a role" in text_of(run(core, slack("UADM"), "admin grant <@UBO> owner"))
    assert "have not talked" in text_of(run(core, slack("UADM"), "admin grant <@UNOPE> admin"))
    assert "needs more" in text_of(run(core, slack("UADM"), "admin grant <@UBO>"))


def test_learnbot_admins_setting_makes_admins_but_never_guests(tmp_path, clock) -> None:
    from bot.settings import Settings

    settings = Settings(
        LEARNBOT_HOME=tmp_path / "h",
        LEARNBOT_ADMINS="slack:T1:UADM, boss@example.com, slack:T1:UGST",
        _env_file=None,
    )
    core = build_app(settings, clock=clock)
    assert "Library modules" in text_of(
        run(core, slack("UADM"), "admin modules")
    ) or "no modules" in text_of(run(core, slack("UADM"), "admin modules"))
    out = text_of(
        run(core, Identity("teams", "ten", "29:x"), "admin modules", email="Boss@example.com")
    )
    assert "for admins only" not in out
    out = text_of(run(core, slack("UGST"), "admin modules", guest=True))
    assert "for admins only" in out
    learner = core.services.learners.find(slack("UGST"))
    assert learner is not None
    assert "admin" not in learner.roles
    # Revoking an admin who comes from the setting is refused: it would come back.
    out = text_of(run(core, slack("UADM"), "admin revoke <@UADM> admin"))
    assert "own admin role" in out
    boss = core.services.learners.find(Identity("teams", "ten", "29:x"))
    run(core, slack("UBOSS"), "help", email="boss@example.com")
    out = text_of(run(core, slack("UADM"), "admin revoke <@UBOSS> admin"))
    assert "LEARNBOT_ADMINS" in out
    assert boss is not None
    assert core.services.learners.get(boss.id).has_role("admin")


def test_terminal_names_resolve_in_the_terminal(core) -> None:
    from tests.conversations.transcript import Conversation

    Conversation(core, "bo")
    admin = Conversation(core, "ana", role="admin")
    assert "now manager" in admin.say("/learn admin grant bo manager")
    info = UserInfo()
    bo = core.services.learners.resolve(Identity.parse("bo"), info, now=core.services.clock.now())
    assert bo.has_role("manager")


def test_a_teams_mention_with_a_space_resolves_by_name_in_the_tenant(core) -> None:
    admin = Identity("teams", "ten1", "29:adm")
    make_admin(core, admin)
    run(core, Identity("teams", "ten1", "29:ana"), "help", name="Ana Lopez")
    run(core, Identity("teams", "ten2", "29:ana2"), "help", name="Ana Lopez")
    out = text_of(run(core, admin, "admin grant <at>Ana Lopez</at> manager"))
    assert "Ana Lopez is now manager" in out
    assert core.services.learners.find(Identity("teams", "ten1", "29:ana")).has_role("manager")
    assert not core.services.learners.find(Identity("teams", "ten2", "29:ana2")).has_role("manager")


def test_a_name_removed_from_learnbot_admins_loses_the_role_it_gave(tmp_path, clock) -> None:
    from bot.settings import Settings

    def start(admins: str):  # type: ignore[no-untyped-def]
        settings = Settings(LEARNBOT_HOME=tmp_path / "h", LEARNBOT_ADMINS=admins, _env_file=None)
        return build_app(settings, clock=clock)

    core = start("slack:T1:UADM, slack:T1:UOLD")
    run(core, slack("UOLD"), "help")
    run(core, slack("UKEEP"), "help")
    assert "is now admin" in text_of(run(core, slack("UADM"), "admin grant <@UKEEP> admin"))
    # UADM also holds a grant made in chat, by UOLD, before leaving the list.
    run(core, slack("UOLD"), "admin grant <@UADM> admin")
    core.services.engine.dispose()

    core = start("")  # the next start, with nobody in LEARNBOT_ADMINS
    assert "for admins only" in text_of(run(core, slack("UOLD"), "admin modules"))
    old = core.services.learners.find(slack("UOLD"))
    assert old is not None
    assert "admin" not in old.roles
    for kept in ("UKEEP", "UADM"):
        assert "for admins only" not in text_of(run(core, slack(kept), "admin modules")), kept
