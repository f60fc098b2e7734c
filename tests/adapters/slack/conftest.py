"""Fixtures: the fake Slack Web API, and `learnbot serve`'s web app running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import BOT_TOKEN, SECRET, SlackHarness


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    server.add_user("U0ANA", name="Ana", tz="Europe/Berlin", email="ana@example.com")
    server.add_user("U0BEN", name="Ben", tz="America/New_York", email="ben@example.com")
    yield server
    server.stop()


def slack_settings(home: Path, fake: FakeSlack, db_url: str | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    from bot.settings import Settings

    values: dict[str, Any] = {
        "LEARNBOT_HOME": home,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake.url,
        "_env_file": None,
    }
    if db_url:
        values["DATABASE_URL"] = db_url
    values.update(extra)
    return Settings(**values)


async def start_harness(settings, clock, fake: FakeSlack, *, placeholder_after: float = 5.0):  # type: ignore[no-untyped-def]
    from bot.adapters.server import ServeOptions, build_web_app, start
    from bot.app import build_app

    core = build_app(settings, clock=clock)
    web_app = build_web_app(core, options=ServeOptions(slack_placeholder_after=placeholder_after))
    runner, port = await start(web_app, host="127.0.0.1", port=0)
    session = aiohttp.ClientSession()
    harness = SlackHarness(f"http://127.0.0.1:{port}", core, web_app, fake, session)
    return harness, runner


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlack, clock) -> AsyncIterator[SlackHarness]:  # type: ignore[no-untyped-def]
    """The server on a SQLite file, one workspace (SLACK_BOT_TOKEN)."""
    harness, runner = await start_harness(slack_settings(tmp_path / "home", fake), clock, fake)
    yield harness
    await harness.session.close()
    await runner.cleanup()
