"""Teams turns off the request path: the request is answered at once, the turn runs after it
and answers proactively (with the typing indicator when slow), and a redelivered activity is
answered once."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from bot.adapters.teams.delivery import RetryPolicy
from bot.app import build_app
from bot.context import Lazy
from bot.core.clock import SystemClock
from bot.core.events import Identity, UserInfo
from bot.storage.journal import DONE
from tests.adapters.teams.conftest import (
    PERSONAL_CONVERSATION,
    USER_AAD,
    activity,
    start_server,
    teams_settings,
)
from tests.adapters.teams.fakes import TENANT, FakeBotFramework
from tests.fakes import StandInLibrary, use_features


class HeldLibrary:
    """Answers once the test lets it."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.go = threading.Event()

    def answer(self, text: str) -> str:
        self.asked.set()
        assert self.go.wait(30), "the test never let the answer go"
        return f"Answer to: {text}"


async def test_a_slow_turn_is_acknowledged_at_once_then_answered_with_typing_first(
    tmp_path: Path, fake: FakeBotFramework, retry: RetryPolicy
) -> None:
    core = build_app(teams_settings(tmp_path / "home"), clock=SystemClock())
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
        body = activity(fake, text="How long is the notice period?")
        response = await server.send(body, settle=False)
        assert response.status == 200
        assert await asyncio.to_thread(library.asked.wait, 10)
        assert fake.messages() == [], "acknowledged before anything was answered"
        for _ in range(100):  # the typing indicator comes while the answer is held
            if fake.typing:
                break
            await asyncio.sleep(0.1)
        assert fake.typing == [PERSONAL_CONVERSATION]
        library.go.set()
        await server.endpoint.turns.settle()
        (answer,) = fake.messages()
        assert "Answer to: How long is the notice period?" in json.dumps(answer.body)
        assert answer.activity_id == body["id"], "a reply to the learner's message"

        again = await server.send(body)  # Bot Framework delivers the same activity again
        assert again.status == 200
        assert len(fake.messages()) == 1
    finally:
        await server.session.close()
        await runner.cleanup()
    statuses = [
        services.events.status(k) for k in [f"teams:{_digest(PERSONAL_CONVERSATION)}:{body['id']}"]
    ]
    assert statuses == [DONE]


async def test_a_fast_turn_shows_no_typing_indicator(
    tmp_path: Path, fake: FakeBotFramework, retry: RetryPolicy
) -> None:
    core = build_app(teams_settings(tmp_path / "home"), clock=SystemClock())
    use_features(core.services, library=Lazy.ready(StandInLibrary(lambda q: "Quick answer.")))
    server, runner = await start_server(core, fake, retry=retry)
    try:
        assert (await server.send(activity(fake, text="help"))).status == 200
    finally:
        await server.session.close()
        await runner.cleanup()
    assert fake.messages()
    assert fake.typing == []


def _digest(conversation: str) -> str:
    import hashlib

    return hashlib.sha256(conversation.encode()).hexdigest()[:24]
