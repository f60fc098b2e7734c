"""Onboarding, help, profile edits and restarts, read as transcripts."""

from __future__ import annotations

from datetime import time, timedelta

from bot.app import build_app
from tests.conversations.transcript import Conversation


def test_first_contact_runs_onboarding_and_stores_the_profile(core) -> None:
    chat = Conversation(core)
    welcome = chat.say("hi")
    assert "Hi Ana!" in welcome
    assert "/learn forget-me" in welcome, "the privacy notice explains deletion"
    assert "[1] Let's start" in welcome
    assert "role" in chat.click("Let's start")
    assert "better at" in chat.say("Support agent")
    assert "prefer to learn" in chat.say("Skip")
    assert "session" in chat.click("Video")
    tz_prompt = chat.click("15 min")
    assert "Europe/Berlin" in tz_prompt, "the platform's time zone is offered as the default"
    assert "work" in chat.click("Yes, Europe/Berlin")
    done = chat.say("08:30-16:30")
    assert "All set, Ana!" in done

    profile = chat.profile
    assert profile.job_role == "Support agent"
    assert profile.preferred_format == "video"
    assert profile.session_minutes == 15
    assert profile.timezone == "Europe/Berlin"
    assert (profile.work_start, profile.work_end) == (time(8, 30), time(16, 30))
    assert profile.onboarded_at is not None


def test_typing_the_number_of_a_button_clicks_it(core) -> None:
    chat = Conversation(core)
    assert "[1] Let's start   [2] Not now" in chat.say("hi")
    assert "what is your role?" in chat.say("1")


def test_invalid_answer_is_explained_and_the_question_repeated(core) -> None:
    chat = Conversation(core)
    chat.say("hi")
    chat.click("Let's start")
    chat.say("Engineer")
    chat.say("Skip")
    chat.click("Text")
    chat.click("10 min")
    answer = chat.say("Mars/Olympus")
    assert "not a time zone I know" in answer
    assert "Is your time zone" in answer
    assert chat.profile.timezone == "UTC", "nothing wrong was stored"


def test_restart_in_the_middle_of_onboarding_continues_where_the_learner_was(
    sqlite_settings, clock
) -> None:
    first = Conversation(build_app(sqlite_settings, clock=clock))
    first.say("hello")
    first.click("Let's start")
    first.say("Store associate")
    # A new process: nothing in memory survives, only the database.
    second = Conversation(build_app(sqlite_settings, clock=clock))
    answer = second.say("Skip")
    assert "prefer to learn" in answer, "the goals step takes the answer after the restart"
    assert second.profile.job_role == "Store associate"


def test_not_now_ends_onboarding_and_it_can_be_restarted(core) -> None:
    chat = Conversation(core)
    chat.say("hi")
    assert "/learn start" in chat.click("Not now")
    assert "Hi Ana!" not in chat.say("what now?"), "declining is remembered"
    assert "Hi Ana!" in chat.say("/learn start")


def test_help_lists_only_commands_the_role_may_use(core) -> None:
    learner_help = Conversation(core, "ana").say("/learn help")
    assert "/learn profile" in learner_help
    assert "/learn help" in learner_help
    for line in learner_help.splitlines():
        if line.startswith("/learn"):
            assert ": " in line, "every command has a one-line description"


def test_unknown_command_gets_the_closest_suggestion(core) -> None:
    chat = Conversation(core)
    answer = chat.say("/learn profle")
    assert "I don't know /learn profle" in answer
    assert "Did you mean /learn profile?" in answer
    assert "Did you mean" not in chat.say("/learn xyzzy")


def test_profile_edit_changes_one_field_and_rejects_bad_values(core) -> None:
    chat = Conversation(core)
    assert "Updated your timezone" in chat.say("/learn profile set timezone america/new_york")
    assert "Updated your working hours" in chat.say("/learn profile set hours 7-15")
    assert "not a range of hours" in chat.say("/learn profile set hours soon")
    assert "no profile field 'colour'" in chat.say("/learn profile set colour blue")
    shown = chat.say("/learn profile")
    assert "Time zone: America/New_York" in shown
    assert "Working hours: 07:00-15:00" in shown


def flat(text: str) -> str:
    """The text with the terminal's line wrapping undone."""
    return " ".join(text.split())


def test_typed_goals_become_competencies_and_skip_means_none(core) -> None:
    from bot.sample.loader import load_framework

    load_framework(core)
    chat = Conversation(core)
    chat.say("hi")
    chat.click("Let's start")
    chat.say("Support agent")
    refused = chat.say("security awareness, public speaking")
    assert "I don't know the goal 'public speaking'" in flat(refused)
    assert chat.profile.goals == (), "nothing stored from a refused answer"
    chat.say("security awareness, COMPLIANCE")
    assert chat.profile.goals == ("security-awareness", "compliance")

    other = Conversation(core, "ben")
    other.say("hi")
    other.click("Let's start")
    other.say("Store associate")
    other.say("skip")
    assert other.profile.goals == ()


def test_goals_set_from_the_profile_command_become_competencies_too(core) -> None:
    from bot.sample.loader import load_framework

    load_framework(core)
    chat = Conversation(core)
    refused = chat.say("/learn profile set goals Security awareness, COMPLIANCE, negotiation")
    assert "I don't know the goal 'negotiation'" in flat(refused)
    assert chat.profile.goals == ()
    chat.say("/learn profile set goals Security awareness, COMPLIANCE")
    assert chat.profile.goals == ("security-awareness", "compliance")


def test_a_role_granted_to_a_terminal_user_survives_the_next_session(core) -> None:
    Conversation(core, "root", role="admin")
    Conversation(core, "ana")
    admin = Conversation(core, "root", role="admin")
    admin.say("/learn admin grant ana manager")
    again = Conversation(core, "ana")
    assert again.session.chat.identity.user_id == "ana"
    learner = core.services.learners.find(again.session.chat.identity)
    assert learner is not None
    assert learner.has_role("manager")


def test_a_greeting_is_told_apart_from_a_question() -> None:
    from bot.dialogs.onboarding import is_question

    for greeting in ("hi", "Hello there", "hey!", "", "  ", "help", "hi learnbot"):
        assert not is_question(greeting), greeting
    for question in ("When do we get paid?", "payday?", "how do I claim expenses"):
        assert is_question(question), question


def _message(core, text: str) -> str:  # type: ignore[no-untyped-def]
    """A direct message from Ana on Slack (no numbered buttons to pick), answered as text."""
    from bot.core.events import Channel, Identity, MessageReceived, UserInfo
    from tests.conversations.admin_helpers import text_of

    event = MessageReceived(
        Identity("slack", "T1", "U0ANA"), Channel("D1"), UserInfo("Ana"), text=text
    )
    return text_of(core.router.handle(event))


def test_questions_sent_during_onboarding_are_answered_not_taken_as_answers(make_core) -> None:  # type: ignore[no-untyped-def]
    from bot.context import Lazy
    from tests.fakes import StandInLibrary

    core = make_core(library=Lazy.ready(StandInLibrary(lambda q: f"Answer to: {q}")))
    chat = Conversation(core)
    chat.say("hi")
    chat.click("Let's start")
    burst = [
        "How do I request leave?",
        "What is the expense limit?",
        "Where is the wiki?",
        "is there a parking lot",
    ]
    for question in burst:
        core.services.clock.advance(timedelta(seconds=1))  # one "asked" activity per instant
        assert f"Answer to: {question}" in chat.say(question)
    assert chat.profile.job_role == "", "no question became the role"
    assert "better at" in chat.say("Support agent"), "the role step still waits for its answer"
    assert chat.profile.job_role == "Support agent"
    core.services.clock.advance(timedelta(seconds=1))
    assert "Answer to: Which goals exist?" in chat.say("Which goals exist?")
    assert chat.profile.goals == ()
    assert "prefer to learn" in chat.say("Skip")


def test_the_welcome_takes_yes_or_not_now_in_words_and_repeats_itself_otherwise(core) -> None:  # type: ignore[no-untyped-def]
    chat = Conversation(core)
    chat.say("hi")
    assert "[1] Let's start   [2] Not now" in chat.say("hello again")
    assert "what is your role?" in chat.say("yes")
    other = Conversation(core, "ben")
    other.say("hi")
    assert "/learn start" in other.say("not now")


def test_a_bare_number_with_no_button_is_never_an_answer(core) -> None:  # type: ignore[no-untyped-def]
    assert "Hi Ana!" in _message(core, "hi")
    assert "Hi Ana!" in _message(core, "1"), "the welcome is shown again"
    assert "no button with that number" in _message(core, "1")
    assert "role" in _message(core, "yes")
    answer = _message(core, "1")
    assert "There is no button with that number here." in answer
    assert "what is your role?" in answer
    learner = core.services.learners.find(_slack_ana())
    assert core.services.profiles.get(learner.id).job_role == "", "no 'Role: 1'"


def _slack_ana():  # type: ignore[no-untyped-def]
    from bot.core.events import Identity

    return Identity("slack", "T1", "U0ANA")
