"""Fixtures for the Teams adapter: the local Microsoft side, a core with Teams settings, and
learnbot's web server with `/api/messages` mounted, reached over real HTTP."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import ENDPOINT_KEY, TeamsEndpoint, mount
from bot.app import App, build_app
from bot.settings import Settings
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT, FakeBotFramework

USER_ID = "29:1CFIxRJBLjT_io3iNsDZxMk_4YPWQmr3DZUM1I6ihf5L2ocCDqg9S1vkHK6kRdGfK1P_2LFE2nQ"
USER_AAD = "6b703ce3-6d14-4fe6-b90c-dc5f03657ae4"
PERSONAL_CONVERSATION = "a:1VF4K2uXl-hg-wn2SSWJZYK7Cqox93Xp82wekVXkbOSaJo1L8hynrdoc"
CHANNEL = "19:097e6717fd7245bdbeba6baa13840db8@thread.skype"
BOT_ID = f"28:{APP_ID}"
_ids = itertools.count(1000)


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeBotFramework]:
    """One local Microsoft side for the session (one signing key: the SDK caches keys by URL)."""
    service = FakeBotFramework().start()
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def _clean_fake(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "fake" in request.fixturenames:
        request.getfixturevalue("fake").reset()


@dataclass
class Sleeps:
    """A RetryPolicy sleep that records instead of waiting."""

    delays: list[float]

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps([])


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0, sleep=sleeps)


def teams_settings(home: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "LEARNBOT_HOME": home,
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "LEARNBOT_MAX_UPLOAD_MB": 1,
        **extra,
    }
    return Settings(**values, _env_file=None)


@pytest.fixture
def teams_core(tmp_path: Path, clock) -> App:  # type: ignore[no-untyped-def]
    # contoso.example people are one learner on Slack and Teams (the linking tests say so).
    settings = teams_settings(tmp_path / "home", LEARNBOT_LINK_DOMAINS="contoso.example")
    return build_app(settings, clock=clock)


@dataclass
class BotServer:
    """learnbot's aiohttp app with the Teams endpoint, listening on a real port."""

    url: str
    web_app: web.Application
    session: aiohttp.ClientSession
    fake: FakeBotFramework

    @property
    def endpoint(self) -> TeamsEndpoint:
        return self.web_app[ENDPOINT_KEY]

    async def post(
        self,
        body: Any,
        *,
        token: str | None = None,
        auth: str | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        settle: bool = True,
    ) -> aiohttp.ClientResponse:
        """POST to the endpoint; with `settle`, return once the turns it started are done."""
        headers = {"Content-Type": content_type}
        if auth is not None:
            headers["Authorization"] = auth
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.session.post(f"{self.url}/api/messages", data=data, headers=headers) as r:
            await r.read()
        if settle:
            await self.endpoint.turns.settle()
        return r

    async def send(self, body: dict[str, Any], *, settle: bool = True) -> aiohttp.ClientResponse:
        """POST with a valid token for the activity's service URL."""
        token = self.fake.token(service_url=body["serviceUrl"])
        return await self.post(body, token=token, settle=settle)


async def start_server(
    core: App, fake: FakeBotFramework, *, retry: RetryPolicy, insecure_dev: bool = False
) -> tuple[BotServer, web.AppRunner]:
    web_app = web.Application()
    mounted = mount(
        web_app,
        core,
        insecure_dev=insecure_dev,
        cloud=fake.cloud,
        credentials_factory=fake.credentials_factory() if core.settings.microsoft_app_id else None,
        retry=retry,
    )
    assert mounted
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    session = aiohttp.ClientSession()
    return BotServer(f"http://127.0.0.1:{port}", web_app, session, fake), runner


@pytest.fixture
async def server(
    teams_core: App, fake: FakeBotFramework, retry: RetryPolicy
) -> AsyncIterator[BotServer]:
    bot_server, runner = await start_server(teams_core, fake, retry=retry)
    yield bot_server
    await bot_server.session.close()
    await runner.cleanup()


def activity(
    fake: FakeBotFramework,
    *,
    kind: str = "message",
    text: str | None = "hello",
    personal: bool = True,
    tenant: str = TENANT,
    **extra: Any,
) -> dict[str, Any]:
    """A Teams activity shaped like the recordings in ../shared/data/chat-payloads/teams."""
    conversation: dict[str, Any] = (
        {"conversationType": "personal", "tenantId": tenant, "id": PERSONAL_CONVERSATION}
        if personal
        else {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant,
            "id": f"{CHANNEL};messageid=1571537152320",
        }
    )
    body: dict[str, Any] = {
        "type": kind,
        "id": str(next(_ids)),
        "timestamp": "2026-11-23T09:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
        "from": {"id": USER_ID, "name": "Dave Taniguchi", "aadObjectId": USER_AAD},
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "learnbot"},
        "entities": [{"locale": "en-US", "type": "clientInfo", "timezone": "Europe/Berlin"}],
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-US",
    }
    if text is not None and kind == "message":
        body["text"] = text
        body["textFormat"] = "plain"
    body.update(extra)
    return body
