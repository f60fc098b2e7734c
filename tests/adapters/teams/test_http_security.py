"""The endpoint over real HTTP refuses what it must: unsigned or foreign tokens, other tenants,
malformed bodies, a missing or inconsistent configuration; and it logs no secrets nor text."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from msrest.pipeline.universal import HTTPLogger

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import mount
from bot.app import App, build_app
from bot.core.errors import UserError
from bot.core.events import Identity
from bot.core.replies import say
from tests.adapters.teams.conftest import (
    USER_AAD,
    BotServer,
    activity,
    start_server,
    teams_settings,
)
from tests.adapters.teams.fakes import OTHER_TENANT, TENANT, FakeBotFramework


async def test_no_authorization_header_is_401(server: BotServer, fake: FakeBotFramework) -> None:
    response = await server.post(activity(fake))
    assert response.status == 401
    assert fake.calls == []


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Bearer a.b.c", "Bearer", "Basic dXNlcjpwYXNz", "Bearer  ", "garbage"],
)
async def test_a_token_that_is_not_a_jwt_is_401(
    server: BotServer, fake: FakeBotFramework, header: str
) -> None:
    response = await server.post(activity(fake), auth=header)
    assert response.status == 401
    assert fake.calls == []


async def test_a_wrong_audience_is_401(server: BotServer, fake: FakeBotFramework) -> None:
    token = fake.token(audience="99999999-9999-4999-8999-999999999999")
    assert (await server.post(activity(fake), token=token)).status == 401


async def test_a_service_url_claim_that_differs_from_the_activity_is_401(
    server: BotServer, fake: FakeBotFramework
) -> None:
    token = fake.token(service_url="https://smba.trafficmanager.net/amer/")
    response = await server.post(activity(fake), token=token)
    assert response.status == 401
    assert fake.calls == [], "nothing is sent to a service URL the token does not vouch for"


@pytest.mark.parametrize(
    "kwargs",
    [{"foreign_key": True}, {"issuer": "https://evil.example"}, {"expires_in": -3600}],
    ids=["unknown-signing-key", "wrong-issuer", "expired"],
)
async def test_untrusted_tokens_are_401(
    server: BotServer, fake: FakeBotFramework, kwargs: dict[str, object]
) -> None:
    assert (await server.post(activity(fake), token=fake.token(**kwargs))).status == 401  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b'{"type": "message", "text": ', "application/json", 400),
        (b"\xff\xfe not utf-8", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b'{"type": "message", "entities": "not-a-list"}', "application/json", 400),
        (b'{"type": "message", "text": "hi"}', "application/json", 400),
        (b'{"type": "message", "serviceUrl": "file:///etc"}', "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
    ],
    ids=[
        "truncated-json",
        "not-utf8",
        "json-array",
        "no-type",
        "bad-field-type",
        "no-service-url",
        "bad-service-url",
        "form",
    ],
)
async def test_a_malformed_body_is_a_client_error_never_500(
    server: BotServer, fake: FakeBotFramework, raw: bytes, content_type: str, status: int
) -> None:
    response = await server.post(None, raw=raw, token=fake.token(), content_type=content_type)
    assert response.status == status


async def test_secrets_and_request_text_are_not_logged(
    server: BotServer, fake: FakeBotFramework, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = fake.token(audience="99999999-9999-4999-8999-999999999999")
    await server.post(activity(fake, text="my secret question"), token=bad)
    await server.send(activity(fake, text="my secret question"))
    assert bad not in caplog.text
    assert "my secret question" not in caplog.text
    assert "local-test-password" not in caplog.text


async def test_sdk_http_logging_at_debug_writes_no_message_text(
    tmp_path: Path,
    clock,  # type: ignore[no-untyped-def]
    fake: FakeBotFramework,
    retry: RetryPolicy,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The connector's msrest pipeline logs whole bodies at DEBUG when HTTP logging is on.
    monkeypatch.setattr(
        HTTPLogger,
        "__init__",
        lambda self, enable_http_logger=True: setattr(self, "enable_http_logger", True),
    )
    core = build_app(teams_settings(tmp_path / "home"), clock=clock)
    core.router.actions["test.echo"] = lambda ctx, event: [say("the reply text 7f3a")]
    bot_server, runner = await start_server(core, fake, retry=retry)
    caplog.set_level(logging.DEBUG)
    try:
        assert (
            await bot_server.send(
                activity(fake, text=None, value={"action": "test.echo", "value": ""})
            )
        ).status == 200
    finally:
        await bot_server.session.close()
        await runner.cleanup()
    (reply,) = fake.calls
    assert "the reply text 7f3a" in str(reply.body)
    assert "the reply text 7f3a" not in caplog.text
    for name in ("msrest", "msrest.http_logger", "botbuilder", "botframework", "msal", "urllib3"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name


@pytest.fixture
async def allow_list_server(
    tmp_path: Path,
    clock,
    fake: FakeBotFramework,
    retry: RetryPolicy,  # type: ignore[no-untyped-def]
) -> AsyncIterator[tuple[BotServer, App]]:
    settings = teams_settings(
        tmp_path / "home", LEARNBOT_TEAMS_ALLOWED_TENANTS=f" {TENANT.upper()} "
    )
    core = build_app(settings, clock=clock)
    bot_server, runner = await start_server(core, fake, retry=retry)
    yield bot_server, core
    await bot_server.session.close()
    await runner.cleanup()


async def test_an_unknown_tenant_is_refused_and_nothing_is_stored(
    allow_list_server: tuple[BotServer, App], fake: FakeBotFramework
) -> None:
    server, core = allow_list_server
    response = await server.send(activity(fake, tenant=OTHER_TENANT))
    assert response.status == 403
    assert fake.calls == []
    assert core.services.conversations.count() == 0
    assert core.services.learners.find(Identity("teams", OTHER_TENANT, USER_AAD)) is None
    assert (await server.send(activity(fake, text="/learn help"))).status == 200, "listed tenant"


async def test_insecure_dev_mode_accepts_emulator_traffic_without_tokens(
    tmp_path: Path,
    clock,
    fake: FakeBotFramework,
    retry: RetryPolicy,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    from bot.settings import Settings

    core = build_app(Settings(LEARNBOT_HOME=tmp_path / "home", _env_file=None), clock=clock)
    caplog.set_level(logging.WARNING)
    server, runner = await start_server(core, fake, retry=retry, insecure_dev=True)
    try:
        assert "AUTHENTICATION OFF" in caplog.text
        response = await server.post(activity(fake, text="/learn help"))
        assert response.status == 200
        (reply,) = fake.calls
        assert reply.authorization == "", "no app id: no bot token either"
    finally:
        await server.session.close()
        await runner.cleanup()


def test_without_an_app_id_the_endpoint_is_not_mounted(
    tmp_path: Path,
    clock,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    from bot.settings import Settings

    core = build_app(Settings(LEARNBOT_HOME=tmp_path / "home", _env_file=None), clock=clock)
    web_app = web.Application()
    caplog.set_level(logging.WARNING)
    assert mount(web_app, core, insecure_dev=False) is False
    assert [
        r for r in web_app.router.routes() if r.resource and r.resource.canonical == "/api/messages"
    ] == []
    assert "MICROSOFT_APP_ID is not set" in caplog.text


@pytest.mark.parametrize(
    ("extra", "needs"),
    [
        ({"MICROSOFT_APP_TENANT_ID": None}, "MICROSOFT_APP_TENANT_ID"),
        ({"MICROSOFT_APP_PASSWORD": None}, "MICROSOFT_APP_PASSWORD"),
        ({"MICROSOFT_APP_TYPE": "Sometimes"}, "not one of"),
    ],
)
def test_inconsistent_teams_settings_stop_the_mount_with_a_clear_error(
    tmp_path: Path,
    clock,
    extra: dict[str, object],
    needs: str,  # type: ignore[no-untyped-def]
) -> None:
    core = build_app(teams_settings(tmp_path / "home", **extra), clock=clock)
    with pytest.raises(UserError, match=needs):
        mount(web.Application(), core, insecure_dev=False)


ODD_VALUES = [None, "x", 5, [1], {"id": 5}]
ENVELOPE_FIELDS = [
    "id",
    "from",
    "recipient",
    "conversation",
    "channelData",
    "entities",
    "attachments",
    "value",
    "text",
    "replyToId",
    "membersAdded",
    "action",
    "name",
    "locale",
]


@pytest.mark.parametrize("kind", ["message", "conversationUpdate"])
async def test_odd_field_shapes_are_never_a_500_nor_a_crashed_turn(
    server: BotServer, fake: FakeBotFramework, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.ERROR)
    statuses = set()
    for field in ENVELOPE_FIELDS:
        for odd in ODD_VALUES:
            body = activity(fake, kind=kind, text="hi")
            body[field] = odd
            statuses.add((await server.send(body)).status)
    assert statuses <= {200, 400}
    assert "Teams turn failed" not in caplog.text
