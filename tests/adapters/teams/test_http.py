"""The endpoint over real HTTP: tokens signed with local keys, replies to a local connector."""

from __future__ import annotations

import pytest

from bot.adapters.teams.inbound import FILE_DOWNLOAD_INFO
from bot.app import App
from bot.core.events import Identity
from bot.core.messages import INTERNAL_ERROR
from bot.core.ports import RecordingPort
from bot.core.replies import Direct, Reply, Text
from tests.adapters.teams.conftest import (
    PERSONAL_CONVERSATION,
    USER_AAD,
    BotServer,
    activity,
)
from tests.adapters.teams.fakes import APP_ID, TENANT, FakeBotFramework


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
    ref = teams_core.services.conversations.personal(TENANT, USER_AAD)
    assert ref is not None
    assert ref.conversation_id == PERSONAL_CONVERSATION
    assert ref.service_url == fake.service_url
    assert "activityId" not in ref.reference


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
    teams_core.services.chat_ports.add(slack)
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


async def test_first_contact_reads_the_email_that_links_a_slack_learner_of_an_allowed_domain(
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


async def test_the_same_email_of_a_domain_not_allowed_stays_two_learners(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    from bot.core.events import UserInfo

    learners = teams_core.services.learners
    now = teams_core.services.clock.now()
    slack = learners.resolve(
        Identity("slack", "T1", "U1"), UserInfo("Dave", "dave@fabrikam.example"), now=now
    )
    body = activity(fake, text="/learn help")
    fake.members[body["from"]["id"]] = {
        "name": "Dave Taniguchi",
        "email": "dave@fabrikam.example",
        "aadObjectId": USER_AAD,
        "userRole": "user",
    }
    await server.send(body)
    teams = learners.find(Identity("teams", TENANT, USER_AAD))
    assert teams is not None
    assert teams.id != slack.id, "fabrikam.example is not in LEARNBOT_LINK_DOMAINS"
    assert teams.email == "dave@fabrikam.example"


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
