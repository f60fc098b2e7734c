"""The attacker's suite: learnbot's real web server with Slack and Teams mounted on one port,
the local fakes of both platforms (Slack Web API, Bot Connector with its JWKS), and the
hypothesis profile for the fuzzers (LEARNBOT_FUZZ_EXAMPLES examples per endpoint)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, settings

from bot.adapters.teams.endpoint import mount as mount_teams
from bot.app import App, build_app
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import SlackHarness
from tests.adapters.teams.conftest import BotServer
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT, FakeBotFramework

FUZZ_EXAMPLES = int(os.environ.get("LEARNBOT_FUZZ_EXAMPLES", "200"))
settings.register_profile(
    "learnbot-fuzz",
    max_examples=FUZZ_EXAMPLES,
    # A fixed seed in the normal run; `make fuzz` sets LEARNBOT_FUZZ_EXAMPLES and explores.
    derandomize="LEARNBOT_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def slack_fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    server.add_user("U0ANA", name="Ana", tz="Europe/Berlin", email="ana@example.com")
    server.add_user("U0BEN", name="Ben", tz="America/New_York", email="ben@example.com")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def teams_fake() -> Iterator[FakeBotFramework]:
    """One Microsoft side for the session (the SDK caches signing keys by URL)."""
    service = FakeBotFramework().start()
    yield service
    service.stop()


@dataclass
class Server:
    """One running `learnbot serve` app: Slack and Teams harnesses share its port and core."""

    slack: SlackHarness
    teams: BotServer
    core: App
    url: str


async def start_server(
    home: Path, clock: Any, slack_fake: FakeSlack, teams_fake: FakeBotFramework, **extra: Any
) -> tuple[Server, web.AppRunner]:
    from bot.adapters.server import ServeOptions, build_web_app, start

    settings = slack_settings(
        home,
        slack_fake,
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD=APP_PASSWORD,
        MICROSOFT_APP_TENANT_ID=TENANT,
        LEARNBOT_MAX_UPLOAD_MB=1,
        **extra,
    )
    core = build_app(settings, clock=clock)
    web_app = build_web_app(
        core,
        options=ServeOptions(slack_placeholder_after=5.0),
        mounters=("bot.adapters.slack.server:mount",),
    )
    # The real Teams mounter, pointed at the local Microsoft side instead of the cloud.
    assert mount_teams(
        web_app,
        core,
        insecure_dev=False,
        cloud=teams_fake.cloud,
        credentials_factory=teams_fake.credentials_factory(),
    )
    runner, port = await start(web_app, host="127.0.0.1", port=0)
    url = f"http://127.0.0.1:{port}"
    session = aiohttp.ClientSession()
    slack = SlackHarness(url, core, web_app, slack_fake, session)
    teams = BotServer(url, web_app, session, teams_fake)
    return Server(slack, teams, core, url), runner


@pytest.fixture
async def server(
    tmp_path: Path, clock: Any, slack_fake: FakeSlack, teams_fake: FakeBotFramework
) -> AsyncIterator[Server]:
    """The server on a SQLite file, one Slack workspace (SLACK_BOT_TOKEN), one Teams tenant."""
    running, runner = await start_server(tmp_path / "home", clock, slack_fake, teams_fake)
    yield running
    await running.slack.session.close()
    await runner.cleanup()
    teams_fake.reset()
