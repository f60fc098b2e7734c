"""A burst of Teams messages from one person: every request is answered 200 at once (the turns
run after it); answered one at a time up to the line, then one "slow down" reply."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from bot.adapters.teams.delivery import RetryPolicy
from bot.app import build_app
from bot.context import Lazy
from bot.core import messages as msg
from bot.core.clock import SystemClock
from bot.core.events import Identity, UserInfo
from tests.adapters.teams.conftest import USER_AAD, activity, start_server, teams_settings
from tests.adapters.teams.fakes import TENANT, FakeBotFramework
from tests.fakes import StandInLibrary, use_features


class HeldLibrary:
    """Answers once the test lets it, noting the questions in the order they were asked."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.asked = threading.Event()
        self.go = threading.Event()

    def answer(self, text: str) -> str:
        self.questions.append(text)
        self.asked.set()
        assert self.go.wait(20), "the test never let the answers go"
        return f"Answer to: {text}"


async def test_a_burst_in_teams_gets_its_line_answered_in_order_and_one_slow_down(
    tmp_path: Path, fake: FakeBotFramework, retry: RetryPolicy
) -> None:
    core = build_app(
        teams_settings(tmp_path / "home", LEARNBOT_LEARNER_QUEUE=2), clock=SystemClock()
    )
    library = HeldLibrary()
    use_features(core.services, library=Lazy.ready(StandInLibrary(library.answer)))
    services = core.services
    now = services.clock.now()
    learner = services.learners.resolve(Identity("teams", TENANT, USER_AAD), UserInfo(), now=now)
    services.profiles.save(
        learner.id, services.profiles.get(learner.id).with_changes(onboarded_at=now), now=now
    )
    server, runner = await start_server(core, fake, retry=retry)
    try:
        first = await server.send(activity(fake, text="Question 1?"), settle=False)
        assert await asyncio.to_thread(library.asked.wait, 10)
        rest = [
            await server.send(activity(fake, text=f"Question {n}?"), settle=False)
            for n in range(2, 6)
        ]
        assert library.questions == ["Question 1?"]  # all answered 200 while the first works
        library.go.set()
        await server.endpoint.turns.settle()
        responses = [first, *rest]
    finally:
        await server.session.close()
        await runner.cleanup()
    assert {r.status for r in responses} == {200}
    sent = [json.dumps(c.body) for c in fake.calls if c.method == "POST"]
    answers = [s for s in sent if "Answer to: Question" in s]
    slow_downs = [s for s in sent if msg.SLOW_DOWN.format(limit=2)[:50] in s]
    assert len(answers) == 2
    assert len(slow_downs) == 1
    assert len(sent) == 3
    assert library.questions[0] == "Question 1?"
    assert len(library.questions) == 2
    assert f"Answer to: {library.questions[1]}" in answers[1], "answered in the order taken"
