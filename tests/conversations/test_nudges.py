"""Nudges in the chat: what is planned and why, the five buttons, snooze, pause and resume."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.events import ActionClicked, Channel, Identity
from nudges.planner import JIT, NEXT_STEP, REQUIRED, REVIEW
from nudges.reviews import record_review
from nudges.service import nudge_service
from tests.conversations.transcript import Conversation
from tests.unit.nudges.conftest import onboard


def fading_learner(core, user: str = "ana"):  # type: ignore[no-untyped-def]
    """An onboarded learner in Berlin with six quiz answers fading."""
    learner = onboard(core, user, timezone="Europe/Berlin")
    now = core.services.clock.now()
    for item in range(6):
        record_review(core.services, learner.id, f"q{item}", False, now=now - timedelta(days=2))
    return learner


def deliver(core) -> None:  # type: ignore[no-untyped-def]
    service = nudge_service(core.services)
    service.replan_all(now=core.services.clock.now())
    service.delivery().run_once()


def test_learn_nudges_lists_what_is_planned_and_why(core) -> None:
    fading_learner(core)
    chat = Conversation(core)
    answer = chat.say("/learn nudges")
    assert "YOUR UPCOMING NUDGES" in answer
    assert "Mon 23 Nov 10:00 · Time for a quick review: Quick review" in answer
    assert "6 quiz answers from 2 days ago are fading" in answer
    assert "/learn snooze" in answer


def test_a_learner_without_a_profile_is_asked_to_set_it_up(core) -> None:
    chat = Conversation(core)
    chat.say("hi")
    chat.click("Not now")
    assert "/learn start" in chat.say("/learn nudges")


def test_a_delivered_nudge_shows_in_the_terminal_with_its_buttons(core) -> None:
    fading_learner(core)
    chat = Conversation(core)
    deliver(core)
    shown = chat.say("/learn profile")
    assert "TIME FOR A QUICK REVIEW: QUICK REVIEW" in shown
    assert (
        "[1] Start   [2] Snooze 1 hour   [3] Not today   [4] Fewer like this   [5] Stop nudges"
        in shown
    )
    assert "TIME FOR A QUICK REVIEW" not in chat.say("/learn help"), "shown once"


def test_fewer_like_this_halves_the_kinds_weight_once_per_nudge(core) -> None:
    learner = fading_learner(core)
    chat = Conversation(core)
    deliver(core)
    chat.say("/learn help")
    assert "at most 3 a week" in chat.click("Fewer like this")
    prefs = nudge_service(core.services).prefs.get(learner.id)
    assert prefs.weight(REVIEW) == 0.5
    (sent,) = _sent(core, learner)
    click = _click(learner.identities[0], "nudge.fewer", sent)
    assert "Already done" in _text(core.router.handle(click))
    assert nudge_service(core.services).prefs.get(learner.id).weight(REVIEW) == 0.5


def test_someone_elses_nudge_cannot_be_clicked(core) -> None:
    ana = fading_learner(core)
    onboard(core, "bob")
    deliver(core)
    (sent,) = _sent(core, ana)
    bob = Identity.parse("bob")
    for action in ("nudge.stop", "nudge.fewer", "nudge.snooze", "nudge.not_today", "nudge.start"):
        assert "someone else" in _text(core.router.handle(_click(bob, action, sent)))
    prefs = nudge_service(core.services).prefs.get(ana.id)
    assert (prefs.stopped, prefs.weights, prefs.snoozed_until) == (False, {}, None)
    refused = [e for e in core.services.audit.entries() if e["action"] == "nudge_click_refused"]
    assert len(refused) == 5


def test_snooze_brings_the_nudge_back_after_an_hour(core, clock) -> None:
    learner = fading_learner(core)
    chat = Conversation(core)
    deliver(core)
    chat.say("/learn help")
    assert "Snoozed for an hour" in chat.click("Snooze 1 hour")
    service = nudge_service(core.services)
    upcoming = service.upcoming(learner.id, now=clock.now())
    (again,) = [n for n in upcoming if n.kind == REVIEW and n.local_date == "2026-11-23"]
    assert again.due_at >= clock.now() + timedelta(hours=1)
    assert again.id == _all(core, learner)[0], "the same nudge comes back"
    verbs = [a["verb"] for a in core.services.activity.for_learner(learner.id)]
    assert "nudge_snooze" in verbs


def test_not_today_and_stop(core, clock) -> None:
    learner = fading_learner(core)
    chat = Conversation(core)
    deliver(core)
    chat.say("/learn help")
    assert "no more nudges today" in chat.click("Not today")
    service = nudge_service(core.services)
    assert all(n.local_date != "2026-11-23" for n in service.upcoming(learner.id, now=clock.now()))
    stop = _click(learner.identities[0], "nudge.stop", _sent(core, learner)[0])
    assert "Nudges stopped" in _text(core.router.handle(stop))
    assert service.upcoming(learner.id, now=clock.now()) == []
    assert "You stopped nudges" in chat.say("/learn nudges")
    assert "back on" in chat.say("/learn resume")
    assert service.upcoming(learner.id, now=clock.now())


def test_snooze_pause_and_resume_commands(core, clock) -> None:
    learner = fading_learner(core)
    chat = Conversation(core)
    assert "no nudges until Mon 23 Nov 13:00" in chat.say("/learn snooze 3")
    service = nudge_service(core.services)
    assert min(
        n.due_at for n in service.upcoming(learner.id, now=clock.now())
    ) >= clock.now() + timedelta(hours=3)
    assert "until Thu 26 Nov 10:00" in chat.say("/learn pause 3")
    assert "paused until Thu 26 Nov 10:00" in chat.say("/learn nudges")
    assert "between 1 and 90" in chat.say("/learn pause forever")
    assert "between 1 and 72" in chat.say("/learn snooze 0")
    chat.say("/learn resume")
    profile = core.services.profiles.get(learner.id)
    assert profile.paused_until is None
    assert service.prefs.get(learner.id).snoozed_until is None


def test_start_opens_the_review(core) -> None:
    learner = fading_learner(core)
    deliver(core)
    (sent,) = _sent(core, learner)
    replies = core.router.handle(_click(learner.identities[0], "nudge.start", sent))
    assert "/learn quiz" in _text(replies)


def _library(core) -> None:  # type: ignore[no-untyped-def]
    """The quiz framework and bank, a module on SQL in the path and a handbook page outside it."""
    from bot.storage.content import ContentRepository
    from content_index.model import ModuleMeta
    from tests.conversations.quiz_helpers import load_quiz_fixtures

    load_quiz_fixtures(core)
    content = ContentRepository(core.services.engine)
    now = core.services.clock.now()
    grouping = ModuleMeta(
        id="sql/grouping",
        title="Grouping rows",
        source="sql/grouping.md",
        competencies=("sql",),
        summary="GROUP BY and HAVING.",
    )
    handbook = ModuleMeta(
        id="handbook/offsite", title="Offsite checklist", source="handbook/offsite.md"
    )
    for meta in (grouping, handbook):
        content.save(meta, content_hash=meta.id, new_chunks=[], now=now)


def _planned(core, learner, kind: str, module_id: str) -> str:  # type: ignore[no-untyped-def]
    """A nudge of `kind` about `module_id`, delivered; returns its id."""
    from nudges.planner import PlannedNudge

    service = nudge_service(core.services)
    now = core.services.clock.now()
    at = now + timedelta(minutes=1)
    nudge = PlannedNudge(at, at, kind, module_id, module_id, "A title", "Why now.", 5, 50.0)
    service.outbox.apply_plan(learner.id, [nudge], now=now)
    (row,) = [r for r in service.upcoming(learner.id, now=now) if r.kind == kind]
    return row.id


@pytest.mark.parametrize("kind", [NEXT_STEP, REQUIRED])
def test_start_on_a_path_nudge_delivers_the_step_like_learn_next(core, kind: str) -> None:
    _library(core)
    learner = onboard(core, "ana", job_role="analyst")
    nudge = _planned(core, learner, kind, "sql/grouping")
    shown = _text(core.router.handle(_click(learner.identities[0], "nudge.start", nudge)))
    assert "NEXT: GROUPING ROWS" in shown
    assert "GROUP BY and HAVING." in shown
    assert "Mark done" in shown
    progress = core.services.paths.repo.progress(learner.id)
    assert [(p.module_id, p.status) for p in progress] == [("sql/grouping", "started")]


def test_start_on_a_review_nudge_starts_a_mastery_check_on_its_topic(core) -> None:
    _library(core)
    learner = onboard(core, "ana", job_role="analyst")
    nudge = _planned(core, learner, REVIEW, "sql/grouping")
    shown = _text(core.router.handle(_click(learner.identities[0], "nudge.start", nudge)))
    assert "A short check on SQL basics" in shown
    assert "Question 1" in shown


def test_start_on_just_in_time_content_shows_the_module(core) -> None:
    _library(core)
    learner = onboard(core, "ana", job_role="analyst")
    nudge = _planned(core, learner, JIT, "handbook/offsite")
    shown = _text(core.router.handle(_click(learner.identities[0], "nudge.start", nudge)))
    assert "NEXT: OFFSITE CHECKLIST" in shown
    assert "Why now." in shown


def _sent(core, learner) -> list[str]:  # type: ignore[no-untyped-def]
    service = nudge_service(core.services)
    rows = service.outbox._rows(learner.id, since=core.services.clock.now() - timedelta(days=1))
    return [r.id for r in rows if r.status == "sent"]


def _all(core, learner) -> list[str]:  # type: ignore[no-untyped-def]
    service = nudge_service(core.services)
    rows = service.outbox._rows(learner.id, since=core.services.clock.now() - timedelta(days=1))
    return [r.id for r in sorted(rows, key=lambda r: r.due_at)]


def _click(identity: Identity, action: str, nudge_id: str) -> ActionClicked:
    return ActionClicked(identity=identity, channel=Channel("dm"), action=action, value=nudge_id)


def _text(replies) -> str:  # type: ignore[no-untyped-def]
    from bot.adapters.terminal.render import PlainRenderer

    renderer = PlainRenderer()
    return "\n".join(line for r in replies for line in renderer.render(r))
