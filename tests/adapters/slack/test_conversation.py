"""Learners talk to learnbot in Slack: DMs, /learn, mentions, onboarding buttons, placeholders."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.context import Lazy
from bot.core.events import Identity
from bot.core.ports import RecordingPort
from bot.core.replies import Direct, Reply, Text
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, message_text
from tests.adapters.slack.harness import SlackHarness, button
from tests.fakes import StandInLibrary, use_features


class BlockingLibrary:
    """A content library whose answers wait until the test lets them go."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.questions: list[str] = []

    def answer(self, text: str) -> str:
        self.questions.append(text)
        assert self.release.wait(10), "the test never released the answer"
        return f"**Answer** to: {text}"


async def test_a_dm_question_is_acknowledged_before_the_answer_is_worked_out(
    slack: SlackHarness,
) -> None:
    library = BlockingLibrary()
    use_features(slack.core.services, library=Lazy.ready(StandInLibrary(library.answer)))
    slack.onboard("U0ANA")
    response = await slack.dm("U0ANA", "How do I request leave?")
    # Slack has its 200 while the core is still held inside the question.
    assert response.status == 200
    await slack.fake.wait_for(lambda: library.questions == ["How do I request leave?"])
    assert slack.fake.named("chat.postMessage") == []
    library.release.set()
    await slack.settle()
    posts = slack.fake.named("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].params["channel"] == "D0ANA"
    assert "*Answer* to: How do I request leave?" in message_text(posts[0].params)
    assert posts[0].token == "xoxb-test"


async def test_slow_answers_get_a_placeholder_that_is_then_updated(
    tmp_path: Path, fake: FakeSlack, clock
) -> None:  # type: ignore[no-untyped-def]
    slack, runner = await start_harness(
        slack_settings(tmp_path / "home", fake), clock, fake, placeholder_after=0.05
    )
    try:
        library = BlockingLibrary()
        use_features(slack.core.services, library=Lazy.ready(StandInLibrary(library.answer)))
        slack.onboard("U0ANA")
        assert (await slack.dm("U0ANA", "What is the dress code?")).status == 200
        await fake.wait_for(lambda: bool(fake.named("chat.postMessage")))
        placeholder = fake.named("chat.postMessage")[0]
        assert placeholder.params["text"] == "Looking that up…"
        library.release.set()
        await slack.settle()
        updates = fake.named("chat.update")
        assert len(updates) == 1
        assert updates[0].params["channel"] == "D0ANA"
        assert updates[0].params["ts"] == placeholder.response["ts"]
        assert "dress code" in message_text(updates[0].params)
        assert len(fake.named("chat.postMessage")) == 1
    finally:
        await slack.session.close()
        await runner.cleanup()


async def test_learn_help_slash_command_answers_in_the_dm(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    response = await slack.command("U0ANA", "help")
    assert response.status == 200
    assert response.text == ""
    await slack.settle()
    opened = slack.fake.named("conversations.open")
    assert [c.params["users"] for c in opened] == ["U0ANA"]
    (post,) = slack.fake.named("chat.postMessage")
    assert post.params["channel"] == "D0ANA"
    text = message_text(post.params)
    assert "Here is what you can ask me" in text
    assert "/learn profile" in text


async def test_slash_command_in_a_channel_says_where_the_answer_goes(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    response = await slack.command("U0ANA", "help", channel="C0GENERAL")
    assert response.status == 200
    assert response.text == "I'll answer in our direct messages."
    await slack.settle()
    assert slack.fake.named("chat.postMessage")[0].params["channel"] == "D0ANA"


async def test_a_mention_is_answered_in_its_thread(slack: SlackHarness) -> None:
    slack.onboard("U0BEN")
    assert (await slack.mention("U0BEN", "what is onboarding?", ts="1700.000042")).status == 200
    await slack.settle()
    (post,) = slack.fake.named("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["thread_ts"] == "1700.000042"
    assert "learning library is empty" in message_text(post.params)


async def test_onboarding_clicks_through_with_block_actions(slack: SlackHarness) -> None:
    fake = slack.fake
    await slack.dm("U0ANA", "hi")
    await slack.settle()
    welcome = fake.named("chat.postMessage")[-1].params
    assert "I'm *learnbot*" in message_text(welcome)
    assert (
        await slack.click("U0ANA", button(welcome, "Let's start"), channel="D0ANA")
    ).status == 200
    await slack.settle()
    role_prompt = fake.named("chat.postMessage")[-1].params
    assert "what is your role" in message_text(role_prompt)
    await slack.dm("U0ANA", "Support agent")
    await slack.settle()
    goals = fake.named("chat.postMessage")[-1].params
    await slack.click("U0ANA", button(goals, "Skip"), channel="D0ANA")
    await slack.settle()
    formats = fake.named("chat.postMessage")[-1].params
    await slack.click("U0ANA", button(formats, "Video"), channel="D0ANA")
    await slack.settle()
    learner = slack.core.services.learners.find(Identity("slack", TEAM, "U0ANA"))
    assert learner is not None
    profile = slack.core.services.profiles.get(learner.id)
    assert profile.job_role == "Support agent"
    assert profile.preferred_format == "video"
    # users.info reported Berlin; onboarding offers it as the time zone.
    session = fake.named("chat.postMessage")[-1].params
    await slack.click("U0ANA", button(session, "15"), channel="D0ANA")
    await slack.settle()
    tz = fake.named("chat.postMessage")[-1].params
    assert "Europe/Berlin" in message_text(tz)


async def test_someone_elses_dialog_button_is_refused_to_the_clicker_only(
    slack: SlackHarness,
) -> None:
    fake = slack.fake
    await slack.dm("U0ANA", "hi")
    await slack.settle()
    welcome = fake.named("chat.postMessage")[-1].params
    start = button(welcome, "Let's start")
    await slack.click("U0BEN", start, channel="C0GENERAL")
    await slack.settle()
    (refusal,) = fake.named("chat.postEphemeral")
    assert refusal.params["user"] == "U0BEN"
    assert "belongs to someone else" in message_text(refusal.params)
    ana = slack.core.services.learners.find(Identity("slack", TEAM, "U0ANA"))
    assert ana is not None
    dialog = slack.core.services.dialogs.active(ana.id)
    assert dialog is not None
    assert dialog.step == 0


async def test_a_huge_message_gets_a_clear_answer(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    response = await slack.dm("U0ANA", "why " * 10_000)
    assert response.status == 200
    await slack.settle()
    (post,) = slack.fake.named("chat.postMessage")
    assert "39,999 characters long; I read at most 4,000" in message_text(post.params)


async def test_a_replacing_reply_updates_the_clicked_message_and_direct_replies_go_to_a_dm(
    slack: SlackHarness,
) -> None:
    from bot.core.replies import Direct

    coach = Identity("slack", TEAM, "U0BEN")

    def answer(ctx, event):  # type: ignore[no-untyped-def]
        return [
            Reply((Text(f"You chose {event.value}."),), replace=True),
            Reply((Text("Ana finished a check."),), to=Direct(coach)),
        ]

    slack.core.router.actions["quiz"] = answer
    slack.onboard("U0ANA")
    element = {"action_id": "quiz.answer#b2", "value": "q7:b"}
    await slack.click("U0ANA", element, channel="D0ANA", message_ts="1700000009.000100")
    await slack.settle()
    (update,) = slack.fake.named("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D0ANA", "1700000009.000100")
    assert "You chose q7:b." in message_text(update.params)
    (post,) = slack.fake.named("chat.postMessage")
    assert post.params["channel"] == "D0BEN"


async def test_direct_replies_to_other_platforms_use_their_port_and_failures_stop_nothing(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    teams_coach = Identity("teams", "tenant-1", "aad-coach")
    nowhere = Identity("terminal", "local", "zoe")
    gone = Identity("slack", TEAM, "U0GONE")
    teams = RecordingPort(platform="teams")
    slack.core.services.chat_ports.add(teams)

    def answer(ctx, event):  # type: ignore[no-untyped-def]
        return [
            Reply((Text("Ana needs help."),), to=Direct(teams_coach)),
            Reply((Text("Zoe, secret note."),), to=Direct(nowhere)),
            Reply((Text("Ana finished."),), to=Direct(gone)),
            Reply((Text("Your coach was told."),)),
        ]

    slack.core.router.actions["quiz"] = answer
    slack.onboard("U0ANA")
    slack.fake.fail("conversations.open", 200, error="account_inactive")
    element = {"action_id": "quiz.answer#b2", "value": "q7:b"}
    await slack.click("U0ANA", element, channel="D0ANA", message_ts="1700000009.000100")
    await slack.settle()
    assert [(who, text_of(reply)) for who, _, reply in teams.sent] == [
        (teams_coach, "Ana needs help.")
    ]
    posted = slack.fake.posted_texts()
    assert not any("needs help" in t or "secret note" in t or "Ana finished" in t for t in posted)
    (post,) = slack.fake.named("chat.postMessage")
    assert post.params["channel"] == "D0ANA"
    assert "Your coach was told." in message_text(post.params)
    assert "no chat port for a direct message to a terminal user" in caplog.text
    assert "zoe" not in caplog.text
    assert "secret note" not in caplog.text


def text_of(reply: Reply) -> str:
    return " ".join(b.text for b in reply.blocks if isinstance(b, Text))
