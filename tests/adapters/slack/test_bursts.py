"""A burst of direct messages from one person: answered in order up to the queue, then one
"slow down" reply, never silence."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.context import Lazy
from bot.core import messages as msg
from bot.core.clock import SystemClock
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import FakeSlack, message_text
from tests.adapters.slack.harness import SlackHarness
from tests.fakes import StandInLibrary, use_features

BURST = 50
LIMIT = 20  # LEARNBOT_LEARNER_QUEUE's default


class CountingLibrary:
    """Answers each question, noting the order and how many run at the same time."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.first = threading.Event()
        self.go = threading.Event()
        self._lock = threading.Lock()

    def answer(self, text: str) -> str:
        with self._lock:
            self.questions.append(text)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.first.set()
        assert self.go.wait(20), "the test never let the answers go"
        with self._lock:
            self.running -= 1
        return f"Answer to: {text}"


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[SlackHarness]:
    """The server with a running clock: each answer is logged at its own instant."""
    harness, runner = await start_harness(
        slack_settings(tmp_path / "home", fake), SystemClock(), fake
    )
    yield harness
    await harness.session.close()
    await runner.cleanup()


def _posts(slack: SlackHarness, channel: str) -> list[str]:
    calls = slack.fake.named("chat.postMessage") + slack.fake.named("chat.update")
    calls.sort(key=lambda c: c.at)
    texts = [message_text(c.params) for c in calls if c.params.get("channel") == channel]
    return [t for t in texts if msg.LOOKING_UP not in t]


async def test_a_burst_of_dms_is_answered_in_order_up_to_the_queue_then_told_to_slow_down(
    slack: SlackHarness,
) -> None:
    library = CountingLibrary()
    use_features(slack.core.services, library=Lazy.ready(StandInLibrary(library.answer)))
    slack.onboard("U0ANA")
    questions = [f"What does policy number {n} say?" for n in range(1, BURST + 1)]
    sent = await asyncio.gather(*(slack.dm("U0ANA", q) for q in questions))
    assert {r.status for r in sent} == {200}, "every event is acknowledged at once"
    library.go.set()
    await slack.settle(timeout=60)

    posts = _posts(slack, "D0ANA")
    answers = [p for p in posts if "Answer to:" in p]
    slow_downs = [p for p in posts if msg.SLOW_DOWN.format(limit=LIMIT)[:40] in p]
    assert len(answers) == LIMIT, f"{len(answers)} answers"
    assert len(slow_downs) == 1, "one slow-down reply, not one per extra message"
    assert len(posts) == LIMIT + 1, "nothing else was posted, and nothing left unanswered"
    assert library.most_at_once == 1, "one learner's messages are worked on one at a time"
    answered = [a.split("Answer to: ", 1)[1].split("?")[0] + "?" for a in answers]
    assert answered == library.questions, "answers are posted in the order they were taken"
    assert len(set(answered)) == LIMIT
    assert set(answered) <= set(questions)


async def test_a_smaller_queue_from_settings_and_a_new_burst_once_worked_off(
    tmp_path: Path, fake: FakeSlack
) -> None:
    settings = slack_settings(tmp_path / "home", fake, LEARNBOT_LEARNER_QUEUE="3")
    slack, runner = await start_harness(settings, SystemClock(), fake)
    try:
        library = CountingLibrary()
        library.go.set()
        use_features(slack.core.services, library=Lazy.ready(StandInLibrary(library.answer)))
        slack.onboard("U0ANA")
        slack.onboard("U0BEN")
        await asyncio.gather(*(slack.dm("U0ANA", f"Question {n}?") for n in range(6)))
        await slack.dm("U0BEN", "Is Ben held up by Ana's burst?")
        await slack.settle(timeout=60)
        assert any("Ben held up" in p for p in _posts(slack, "D0BEN")), "Ben has his own line"
        posts = _posts(slack, "D0ANA")
        slow_down = msg.SLOW_DOWN.format(limit=3)
        assert sum("Answer to: Question" in p for p in posts) == 3
        assert sum(slow_down in p for p in posts) == 1
        await slack.dm("U0ANA", "One more question?")
        await slack.settle()
        posts = _posts(slack, "D0ANA")
        assert "Answer to: One more question?" in posts[-1], "answered once the line emptied"
        assert sum(slow_down in p for p in posts) == 1
    finally:
        await slack.session.close()
        await runner.cleanup()
