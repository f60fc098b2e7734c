"""The endpoint over real HTTP: tokens signed with local keys, replies to a local connector."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from msrest.pipeline.universal import HTTPLogger

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import mount
from bot.adapters.teams.inbound import FILE_DOWNLOAD_INFO
from bot.app import App, build_app
from bot.core.errors import UserError
from bot.core.events import Identity
from bot.core.messages import INTERNAL_ERROR
from bot.core.ports import ChatPorts, RecordingPort
from bot.core.replies import Direct, Reply, Text, say
from bot.storage.conversations import ConversationRepository
from tests.adapters.teams.conftest import (
    PERSONAL_CONVERSATION,
    USER_AAD,
    BotServer,
    activity,
    start_server,
    teams_settings,
)
from tests.adapters.teams.fakes import APP_ID, OTHER_TENANT, TENANT, FakeBotFramework


def stored(core: App) -> ConversationRepository:
    return ConversationRepository(core.services.engine)


async def test_a_message_is_answered_through_the_connector_with_a_bot_token(
    server: BotServer, fake: FakeBotFramework
) -> None:
    body = activity(fake, text="/learn help")
    response = await server.send(body)
    assert response.status == 200
    (reply,) = fake.calls
    assert reply.method == "POST"
    assert reply.path == f"/amer/v3/conversations/{PERSONAL_CONVERSATION}/activities/{body['id']}"
    assert reply.authorization.startswith("Bearer local-token-")
    assert reply.body["replyToId"] == body["id"]
    assert "/learn profile" in str(reply.body["attachments"][0]["content"])
    assert fake.token_requests, "the bot asked for a token with its credentials"
    for token_request in fake.token_requests:
        assert token_request["client_id"] == APP_ID
        assert token_request["scope"] == "https://api.botframework.com/.default"


async def test_the_first_message_stores_the_conversation_reference(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    await server.send(activity(fake, text="/learn help"))
    ref = stored(teams_core).personal(TENANT, USER_AAD)
    assert ref is not None
    assert ref.conversation_id == PERSONAL_CONVERSATION
    assert ref.service_url == fake.service_url
    assert "activityId" not in ref.reference


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


async def test_an_unhandled_invoke_is_200_with_a_polite_answer(
    server: BotServer, fake: FakeBotFramework
) -> None:
    body = activity(fake, kind="invoke", text=None, name="composeExtension/fetchTask", value={})
    headers = {"Authorization": f"Bearer {fake.token()}", "Content-Type": "application/json"}
    async with server.session.post(f"{server.url}/api/messages", json=body, headers=headers) as r:
        assert r.status == 200
        answer = await r.json()
    assert answer["composeExtension"]["type"] == "message"
    body = activity(fake, kind="invoke", text=None, name="signin/verifyState", value={})
    assert (await server.send(body)).status == 200


async def test_a_file_above_the_cap_is_refused_without_downloading(
    server: BotServer, fake: FakeBotFramework
) -> None:
    url = fake.host("big.pdf", b"x" * 2_000_000)
    attachment = {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": "big.pdf",
        "content": {"downloadUrl": url, "uniqueId": "1", "fileType": "pdf", "size": 2_000_000},
    }
    response = await server.send(activity(fake, text="", attachments=[attachment]))
    assert response.status == 200
    assert fake.downloads == []
    (reply,) = fake.calls
    assert "up to 1 MB" in reply.body["text"]


async def test_a_file_from_a_learner_is_refused_by_the_router_without_downloading(
    server: BotServer, fake: FakeBotFramework
) -> None:
    url = fake.host("notes.md", b"# Notes\n")
    attachment = {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": "notes.md",
        "content": {"downloadUrl": url, "uniqueId": "3", "fileType": "md", "size": 8},
    }
    response = await server.send(activity(fake, text="", attachments=[attachment]))
    assert response.status == 200
    assert fake.downloads == []
    replies = " ".join(str(call.body) for call in fake.calls)
    assert "Only admins can add files" in replies


async def test_a_file_off_the_download_allow_list_is_refused_without_a_request(
    server: BotServer, fake: FakeBotFramework
) -> None:
    url = fake.host("busy.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    attachment = {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": "busy.ics",
        "content": {"downloadUrl": url, "uniqueId": "2", "fileType": "ics", "size": 30},
    }
    response = await server.send(activity(fake, text="", attachments=[attachment]))
    assert response.status == 200
    assert fake.downloads == []
    replies = " ".join(str(call.body) for call in fake.calls)
    assert "only download files stored in SharePoint or OneDrive" in replies


async def test_a_bug_in_a_turn_is_answered_politely_not_with_500(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    def broken(ctx: object, event: object) -> list[Reply]:
        raise RuntimeError("a bug")

    teams_core.router.actions["test.broken"] = broken
    body = activity(fake, text=None, value={"action": "test.broken", "value": ""})
    assert (await server.send(body)).status == 200
    (reply,) = fake.calls
    assert reply.body["text"] == INTERNAL_ERROR


async def test_a_direct_reply_to_someone_else_goes_to_their_stored_chat(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    coach = Identity("teams", TENANT, "aad-coach")
    coach_chat = activity(fake, text="/learn help")
    coach_chat["from"] = {"id": "29:coach", "name": "Coach", "aadObjectId": "aad-coach"}
    coach_chat["conversation"] = {"conversationType": "personal", "id": "a:coach-chat"}
    await server.send(coach_chat)
    fake.calls.clear()
    teams_core.router.actions["test.notify"] = lambda ctx, event: [
        Reply((Text("Ana needs help."),), to=Direct(coach))
    ]
    await server.send(activity(fake, text=None, value={"action": "test.notify", "value": ""}))
    (sent,) = fake.calls
    assert sent.path == "/amer/v3/conversations/a:coach-chat/activities"
    assert sent.body["text"] == "Ana needs help."


async def test_direct_replies_to_other_platforms_use_their_port_and_failures_stop_nothing(
    server: BotServer,
    fake: FakeBotFramework,
    teams_core: App,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack_coach = Identity("slack", "T0ACME", "U0COACH")
    nowhere = Identity("terminal", "local", "zoe")
    unknown = Identity("teams", TENANT, "aad-never-seen")
    slack = RecordingPort(platform="slack")
    teams_core.services.extras.setdefault("chat_ports", ChatPorts()).add(slack)
    teams_core.router.actions["test.notify"] = lambda ctx, event: [
        Reply((Text("Teams stranger note."),), to=Direct(unknown)),
        Reply((Text("Ana needs help."),), to=Direct(slack_coach)),
        Reply((Text("Zoe secret note."),), to=Direct(nowhere)),
        Reply((Text("Your coach was told."),)),
    ]
    await server.send(activity(fake, text=None, value={"action": "test.notify", "value": ""}))
    assert [(who, reply.blocks) for who, _, reply in slack.sent] == [
        (slack_coach, (Text("Ana needs help."),))
    ]
    (sent,) = fake.calls
    assert sent.path.startswith(f"/amer/v3/conversations/{PERSONAL_CONVERSATION}/activities")
    assert sent.body["text"] == "Your coach was told."
    assert "no chat port for a direct message to a terminal user" in caplog.text
    assert "zoe" not in caplog.text
    assert "secret note" not in caplog.text


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
    assert stored(core).count() == 0
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


async def test_first_contact_reads_the_email_that_links_a_slack_learner(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    from bot.core.events import UserInfo

    learners = teams_core.services.learners
    now = teams_core.services.clock.now()
    slack = learners.resolve(
        Identity("slack", "T1", "U1"), UserInfo("Dave", "dave@contoso.example"), now=now
    )
    body = activity(fake, text="/learn help")
    fake.members[body["from"]["id"]] = {
        "name": "Dave Taniguchi",
        "email": "Dave@Contoso.example",
        "userPrincipalName": "dave@contoso.example",
        "aadObjectId": USER_AAD,
        "userRole": "user",
    }
    await server.send(body)
    await server.send(activity(fake, text="/learn help"))
    teams = learners.find(Identity("teams", TENANT, USER_AAD))
    assert teams is not None
    assert teams.id == slack.id, "one learner across Slack and Teams"
    assert len(fake.member_lookups) == 1, "the roster is asked once, at first contact"


async def test_a_guest_is_marked_and_a_failed_roster_lookup_does_not_block(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    guest = activity(fake, text="/learn help")
    guest["from"] = {"id": "29:guest", "name": "Gia", "aadObjectId": "aad-guest"}
    fake.members["29:guest"] = {
        "name": "Gia",
        "userPrincipalName": "gia_ext#EXT#@contoso.example",
        "userRole": "guest",
    }
    await server.send(guest)
    learner = teams_core.services.learners.find(Identity("teams", TENANT, "aad-guest"))
    assert learner is not None
    assert learner.is_guest
    unknown = activity(fake, text="/learn help")
    unknown["from"] = {"id": "29:nobody", "name": "No Roster", "aadObjectId": "aad-nobody"}
    assert (await server.send(unknown)).status == 200
    assert teams_core.services.learners.find(Identity("teams", TENANT, "aad-nobody")) is not None
    assert len(fake.messages()) == 2, "both were answered"


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
