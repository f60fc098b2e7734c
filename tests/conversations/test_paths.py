"""Learning paths in chat, read as transcripts: preview, why, next, done, skip, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.replies import Reply, say
from bot.storage.paths import PathRepository
from tests.conversations.transcript import Conversation
from tests.fakes import use_features
from tests.path_library import FakeMastery, load_library


@pytest.fixture
def chat(make_core):  # type: ignore[no-untyped-def]
    core = make_core(
        learner_mastery=FakeMastery({"workplace-basics": 0.93, "security-awareness": 0.35})
    )
    load_library(core)
    conversation = Conversation(core)
    conversation.say("/learn profile set role support-agent")
    conversation.say("/learn profile set session 15")
    return conversation


def flat(text: str) -> str:
    """The text with line wrapping undone (the terminal wraps at 88 columns)."""
    return " ".join(text.split())


def learner_id(chat: Conversation) -> str:
    learner = chat.core.services.learners.find(chat.session.chat.identity)
    assert learner is not None
    return learner.id


def test_path_preview_lists_sessions_steps_minutes_and_reasons(chat: Conversation) -> None:
    shown = chat.say("/learn path all")
    assert "YOUR LEARNING PATH" in shown
    assert "7 steps to study, about 45 min in 4 sessions of up to 15 min" in shown
    assert "Session 1 · about 14 min" in shown
    assert "7 min · text · due 2026-12-07" in shown
    assert "Required for your role, due 2026-12-07." in shown
    assert "Security awareness is a target of your role and your mastery is 35%" in shown
    assert "Internal tools is a target of your role and nothing has measured it yet." in shown
    assert "Not needed: your mastery of Workplace basics is 93%" in shown
    assert shown.index("OUR CODE OF CONDUCT") < shown.index("PASSWORDS AND MFA")
    assert shown.index("TRIAGING TICKETS") < shown.index("WHEN TO ESCALATE")
    assert "PHISHING DRILL" not in shown, "one of two alternatives, the shorter one"
    records = PathRepository(chat.core.services.engine).recommendations(learner_id=learner_id(chat))
    assert [r.kind for r in records] == ["path", "exemption"]
    assert records[0].inputs["mastery"] == {"workplace-basics": 0.93, "security-awareness": 0.35}
    assert records[1].subject == "workplace-basics"
    assert records[1].inputs["basis"] == "mastery"
    chat.say("/learn path all")
    assert len(PathRepository(chat.core.services.engine).recommendations()) == 2, (
        "the same recommendation shown again is not recorded twice"
    )


def test_why_button_explains_the_step(chat: Conversation) -> None:
    chat.say("/learn path all")
    why = chat.click("Why?", after="TRIAGING TICKETS")
    assert "WHY TRIAGING TICKETS?" in why
    assert "nothing has measured it yet" not in why, "the reason on the path is not repeated"
    assert "Customer support is a target of your role Support agent at intermediate level." in why
    assert "No quiz or mastery check has measured Customer support yet." in why
    assert "It comes before When to escalate, which builds on it." in flat(why)
    typed = chat.say("/learn path why Passwords and MFA")
    assert "WHY PASSWORDS AND MFA?" in typed
    assert "Your probability of mastery of Security awareness is 35%; the plan needs 80%." in typed


def test_next_done_and_progress(chat: Conversation) -> None:
    step = chat.say("/learn next")
    assert "NEXT: OUR CODE OF CONDUCT" in step
    assert "What our code of conduct covers." in step
    assert "Open the module <https://learn.example/compliance/code-of-conduct>" in step
    assert "Take the mastery check" in step
    done = chat.say("/learn done")
    assert "Marked Our code of conduct done." in done
    assert "Up next: Protecting privacy (7 min)." in done
    progress = chat.say("/learn progress")
    assert "Security awareness" in progress
    assert "35%" in progress
    assert "Customer support (no evidence yet)" in progress
    assert "1 of 7 steps done; about 38 min left." in progress
    assert "Streak: 1 day in a row" in progress
    chat.core.services.clock.advance(timedelta(days=1))
    assert "Marked Protecting privacy done." in chat.say("/learn done Protecting privacy")
    again = chat.say("/learn progress")
    assert "2 of 7 steps done; about 31 min left." in again
    assert "Streak: 2 days in a row" in again
    assert "was already marked done" in chat.say("/learn done compliance/code-of-conduct")


def test_mastery_check_is_offered_through_the_feature_seam(chat: Conversation) -> None:
    calls: list[tuple[str, str]] = []

    def check(ctx, competency: str, module_id: str) -> list[Reply]:  # type: ignore[no-untyped-def]
        calls.append((competency, module_id))
        return [say(f"Check on {competency} starts now.")]

    use_features(chat.core.services, mastery_check=check)
    chat.say("/learn next")
    started = chat.click("Take the mastery check", after="NEXT: OUR CODE OF CONDUCT")
    assert "Check on compliance starts now." in started
    assert calls == [("compliance", "compliance/code-of-conduct")]


def test_skip_offers_a_test_out_and_defers_the_step(chat: Conversation) -> None:
    use_features(chat.core.services, mastery_check=None)  # a deployment without quizzes
    no_check = chat.say("/learn skip security/phishing")
    assert "Spotting phishing is skipped for now" in no_check
    assert "you can't test out of it; it stays in your path" in flat(no_check)
    calls: list[tuple[str, str]] = []
    use_features(
        chat.core.services,
        mastery_check=lambda ctx, c, m: [calls.append((c, m)) or say("Test-out started.")],
    )
    offer = chat.say("/learn skip Passwords and MFA")
    assert "Pass its mastery check to test out of it." in offer
    assert "Test-out started." in chat.click("Test out now", after="skipped")
    assert calls == [("security-awareness", "security/passwords-and-mfa")]
    shown = chat.say("/learn path all")
    assert "6 min · text · to do · skipped for now" in shown
    assert shown.index("WHEN TO ESCALATE") < shown.index("SPOTTING PHISHING"), "deferred"


def test_skip_refuses_required_done_and_unknown_modules(chat: Conversation) -> None:
    required = chat.say("/learn skip compliance/code-of-conduct")
    assert "is required for your role (due 2026-12-07), so it can't be skipped" in required
    assert "There is no module 'nope/x' in the library." in chat.say("/learn skip nope/x")
    assert "needs more" in chat.say("/learn skip")
    chat.say("/learn done compliance/code-of-conduct")
    assert "already done; there is nothing to skip" in chat.say(
        "/learn skip compliance/code-of-conduct"
    )


def test_new_evidence_re_plans_the_path(chat: Conversation) -> None:
    assert "TRIAGING TICKETS\n6 min · text · to do" in chat.say("/learn path all")
    service = chat.core.services.learner_mastery
    service.values["customer-support"] = 0.91
    service.exempt["internal-tools"] = "check-17"
    shown = chat.say("/learn path all")
    assert "Not needed: your mastery of Customer support is 91%" in shown
    assert "Exempt: you showed you know Internal tools (evidence check-17)." in shown
    assert "4 steps to study" in shown, "only compliance and security remain"


def test_pace_and_format_change_the_plan(chat: Conversation) -> None:
    assert "Updated your pace" in chat.say("/learn profile set pace light")
    assert "not a pace" in chat.say("/learn profile set pace frantic")
    chat.say("/learn profile set format interactive")
    shown = chat.say("/learn path all")
    assert "at a light pace" in flat(shown)
    assert "PHISHING DRILL" in shown
    assert "SPOTTING PHISHING" not in shown
    assert "Pace: light" in chat.say("/learn profile")


def test_a_learner_without_a_role_is_told_how_to_get_a_path(core) -> None:  # type: ignore[no-untyped-def]
    load_library(core)
    chat = Conversation(core, "ben")
    assert "Set your role with /learn profile set role ROLE" in flat(chat.say("/learn path"))
    assert "Nothing to show yet" in chat.say("/learn progress")
    refused = flat(chat.say("/learn profile set role astronaut"))
    assert "I don't know the role 'astronaut'" in refused
    assert "Support agent" in refused, "the roles there are, to pick from"
    assert chat.profile.job_role != "astronaut"
    # A role the framework dropped after it was set is still named in the path's warnings.
    profiles = core.services.profiles
    lid = core.services.learners.find(chat.session.chat.identity).id
    profiles.save(
        lid, profiles.get(lid).with_changes(job_role="astronaut"), now=core.services.clock.now()
    )
    assert "role 'astronaut' is not in the framework" in flat(chat.say("/learn path"))


def test_path_shows_the_next_two_sessions_and_a_show_all_button(chat: Conversation) -> None:
    short = chat.say("/learn path")
    assert "7 steps to study, about 45 min in 4 sessions of up to 15 min" in flat(short)
    assert "Session 1 · about 14 min" in short
    assert "Session 2 · about 12 min" in short
    assert "SPOTTING PHISHING" in short
    assert "Session 3" not in short
    assert "TRIAGING TICKETS" not in short
    assert "YOUR FIRST WEEK" not in short, "done or not needed steps wait for Show all"
    assert "Then 3 steps in 2 more sessions. 1 step done or not needed." in flat(short)
    assert "[5] Show all" in short
    assert len(short.splitlines()) < len(chat.say("/learn path all").splitlines()) * 2 / 3
    chat.say("/learn path")
    whole = chat.click("Show all")
    assert "Session 4 · about 6 min" in whole
    assert "WHEN TO ESCALATE" in whole
    assert "YOUR FIRST WEEK" in whole
    assert "Show all" not in whole
    assert whole == chat.say("/learn path all")


def test_a_shorter_session_length_shows_fewer_steps(chat: Conversation) -> None:
    chat.say("/learn profile set session 5")
    short = chat.say("/learn path")
    assert "Session 2 ·" in short
    assert "Session 3 ·" not in short
    assert flat(short).count("Why?") == 2 + 1, "one step per 5-minute session, and the hint"


def test_a_path_of_two_sessions_has_no_show_all_button(chat: Conversation) -> None:
    chat.say("/learn profile set session 60")
    short = chat.say("/learn path")
    assert "Session 1 · about 45 min" in short
    assert "1 step done or not needed." in flat(short)
    chat.core.services.learner_mastery.values["workplace-basics"] = 0.1
    everything = chat.say("/learn path")
    assert "Show all" not in everything, "nothing is left out: every step is in session 1"
    assert "Done or not needed" not in everything


def test_path_refuses_an_unknown_word(chat: Conversation) -> None:
    answer = flat(chat.say("/learn path everything"))
    assert "I don't know /learn path everything." in answer
    assert "/learn path all" in answer


def test_every_why_gives_its_own_reasons_without_repeating_the_first(chat: Conversation) -> None:
    shown = chat.say("/learn path all")
    steps = [line for line in shown.splitlines() if line.isupper() and line != "YOUR LEARNING PATH"]
    assert len(steps) == 8
    for title in steps:
        chat.say("/learn path all")
        why = chat.click("Why?", after=title)
        reason = shown.split(title, 1)[1].splitlines()[2]
        assert f"WHY {title}?" in why
        assert reason not in why, f"the Why? of {title} repeats its reason"
        assert why.count("•") >= 2, f"the Why? of {title} gives reasons of its own"
