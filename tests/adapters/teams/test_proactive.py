"""Proactive sends through stored references: retries, dead recipients, threads and loops."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import chat_port, sdk_configuration
from bot.adapters.teams.port import TeamsChatPort
from bot.app import App, build_app
from bot.core.events import Channel, Identity
from bot.core.ports import Delivered, DeliveryFailed, RecipientGone
from bot.core.replies import Reply, Text, say
from bot.storage.conversations import ConversationRef, ConversationRepository
from tests.adapters.teams.conftest import (
    CHANNEL,
    PERSONAL_CONVERSATION,
    USER_AAD,
    USER_ID,
    BotServer,
    Sleeps,
    activity,
    teams_settings,
)
from tests.adapters.teams.fakes import TENANT, FakeBotFramework

ANA = Identity("teams", TENANT, USER_AAD)
NUDGE = say("Time for a 5-minute refresher on returns.")
PROACTIVE_PATH = f"/amer/v3/conversations/{PERSONAL_CONVERSATION}/activities"


async def first_contact(server: BotServer, fake: FakeBotFramework) -> TeamsChatPort:
    await server.send(activity(fake, text="/learn help"))
    fake.calls.clear()
    port = chat_port(server.web_app)
    assert port is not None
    return port


async def send(port: TeamsChatPort, reply: Reply = NUDGE, **kwargs: object) -> Delivered:
    """The nudge worker's way: a blocking send from a worker thread."""
    return await asyncio.to_thread(port.send, reply, identity=kwargs.pop("identity", ANA), **kwargs)  # type: ignore[arg-type]


async def test_a_nudge_goes_to_the_stored_personal_chat(
    server: BotServer, fake: FakeBotFramework
) -> None:
    port = await first_contact(server, fake)
    delivered = await send(port)
    (call,) = fake.calls
    assert call.path == PROACTIVE_PATH
    assert call.authorization.startswith("Bearer local-token-")
    assert call.body["text"] == NUDGE.blocks[0].text  # type: ignore[union-attr]
    assert call.body["channelData"] == {"tenant": {"id": TENANT}}
    assert call.body["recipient"]["id"] == USER_ID
    assert "replyToId" not in call.body
    assert delivered.platform == "teams"
    assert delivered.channel_id == PERSONAL_CONVERSATION
    assert delivered.message_id.startswith("activity-")


async def test_the_bot_framework_id_finds_the_same_chat(
    server: BotServer, fake: FakeBotFramework
) -> None:
    port = await first_contact(server, fake)
    await send(port, identity=Identity("teams", TENANT, USER_ID))
    assert [c.path for c in fake.calls] == [PROACTIVE_PATH]


async def test_update_replaces_the_message(server: BotServer, fake: FakeBotFramework) -> None:
    port = await first_contact(server, fake)
    delivered = await send(port)
    again = await asyncio.to_thread(port.update, delivered, say("Done for today."))
    assert again == delivered
    update = fake.calls[-1]
    assert update.method == "PUT"
    assert update.path == f"{PROACTIVE_PATH}/{delivered.message_id}"
    assert update.body["text"] == "Done for today."


async def test_429_then_success_is_retried_and_delivered_once(
    server: BotServer, fake: FakeBotFramework, sleeps: Sleeps
) -> None:
    port = await first_contact(server, fake)
    fake.fail_next(429, retry_after="2")
    delivered = await send(port)
    assert len(fake.calls) == 2, "one refused attempt, one delivery"
    assert delivered.message_id.startswith("activity-")
    assert len(sleeps.delays) == 1
    assert 2.0 <= sleeps.delays[0] <= 2.5, "Retry-After is honoured (plus a little jitter)"


@pytest.mark.parametrize("status", [412, 502, 504, 429])
async def test_retryable_statuses_back_off_then_fail_retryable(
    server: BotServer, fake: FakeBotFramework, sleeps: Sleeps, status: int
) -> None:
    port = await first_contact(server, fake)
    fake.fail_next(status, times=4)
    with pytest.raises(DeliveryFailed) as failed:
        await send(port)
    assert failed.value.retryable is True
    assert not isinstance(failed.value, RecipientGone)
    assert len(fake.calls) == 4, "exactly our attempts: the SDK's own retries are off"
    assert len(sleeps.delays) == 3
    assert all(0 <= d <= 0.5 * 2**i for i, d in enumerate(sleeps.delays)), "jittered backoff"


async def test_a_long_retry_after_is_left_to_the_caller(
    server: BotServer, fake: FakeBotFramework, sleeps: Sleeps
) -> None:
    port = await first_contact(server, fake)
    fake.fail_next(429, retry_after="120")
    with pytest.raises(DeliveryFailed) as failed:
        await send(port)
    assert (failed.value.retryable, failed.value.retry_after) == (True, 120.0)
    assert len(fake.calls) == 1
    assert sleeps.delays == []


async def test_a_client_error_is_not_retried(server: BotServer, fake: FakeBotFramework) -> None:
    port = await first_contact(server, fake)
    fake.fail_next(400)
    with pytest.raises(DeliveryFailed) as failed:
        await send(port)
    assert failed.value.retryable is False
    assert len(fake.calls) == 1


@pytest.mark.parametrize("status", [403, 404])
async def test_403_and_404_mark_the_reference_dead_without_retrying(
    server: BotServer, fake: FakeBotFramework, teams_core: App, status: int
) -> None:
    port = await first_contact(server, fake)
    fake.fail_next(status)
    with pytest.raises(RecipientGone):
        await send(port)
    assert len(fake.calls) == 1
    repo = ConversationRepository(teams_core.services.engine)
    ref = repo.get(PERSONAL_CONVERSATION)
    assert ref is not None
    assert ref.dead
    with pytest.raises(RecipientGone):
        await send(port)
    assert len(fake.calls) == 1, "a dead chat is not tried again"

    await server.send(activity(fake, text="/learn help"))  # the learner writes again
    assert repo.get(PERSONAL_CONVERSATION).dead is False  # type: ignore[union-attr]


async def test_uninstall_marks_the_chat_dead(
    server: BotServer, fake: FakeBotFramework, teams_core: App
) -> None:
    port = await first_contact(server, fake)
    removal = activity(fake, kind="installationUpdate", text=None, action="remove")
    assert (await server.send(removal)).status == 200
    with pytest.raises(RecipientGone):
        await send(port)
    assert fake.calls == []


async def test_no_stored_chat_is_a_permanent_failure(
    server: BotServer, fake: FakeBotFramework
) -> None:
    port = chat_port(server.web_app)
    assert port is not None
    with pytest.raises(DeliveryFailed) as failed:
        await send(port, identity=Identity("teams", TENANT, "never-wrote"))
    assert failed.value.retryable is False
    with pytest.raises(DeliveryFailed):
        await send(port, identity=Identity("slack", "T1", "U1"))
    assert fake.calls == []


async def test_a_channel_thread_reply_goes_into_the_thread(
    server: BotServer, fake: FakeBotFramework
) -> None:
    added = activity(fake, kind="conversationUpdate", text=None, personal=False)
    added["membersAdded"] = [{"id": added["recipient"]["id"]}]
    await server.send(added)
    port = chat_port(server.web_app)
    assert port is not None
    channel = Channel(CHANNEL, is_direct=False, thread_id="1571537152320")
    await send(port, Reply((Text("Weekly team report is ready."),)), channel=channel)
    (call,) = fake.calls
    assert call.path == f"/amer/v3/conversations/{CHANNEL};messageid=1571537152320/activities"


async def test_send_on_the_event_loop_thread_is_refused(
    server: BotServer, fake: FakeBotFramework
) -> None:
    port = await first_contact(server, fake)
    with pytest.raises(RuntimeError, match="asend"):
        port.send(NUDGE, identity=ANA)
    await port.asend(NUDGE, identity=ANA)
    assert len(fake.calls) == 1


def test_without_a_server_loop_the_port_runs_its_own(
    tmp_path: Path,
    clock,
    fake: FakeBotFramework,  # type: ignore[no-untyped-def]
) -> None:
    core = build_app(teams_settings(tmp_path / "home"), clock=clock)
    repo = ConversationRepository(core.services.engine)
    reference = {
        "bot": {"id": "28:bot", "name": "learnbot"},
        "user": {"id": USER_ID, "aadObjectId": USER_AAD},
        "conversation": {"conversationType": "personal", "id": PERSONAL_CONVERSATION},
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
    }
    ref = ConversationRef(
        PERSONAL_CONVERSATION, TENANT, "personal", fake.service_url, reference, USER_ID, USER_AAD
    )
    repo.remember(ref, now=clock.now())
    auth = ConfigurationBotFrameworkAuthentication(
        sdk_configuration(core.settings, fake.cloud),
        credentials_factory=fake.credentials_factory(),
    )
    port = TeamsChatPort(
        adapter=CloudAdapter(auth),
        app_id=core.settings.microsoft_app_id or "",
        conversations=repo,
        clock=core.services.clock,
        retry=RetryPolicy(sleep=Sleeps([])),
    )
    try:
        delivered = port.send(NUDGE, identity=ANA)
        assert delivered.channel_id == PERSONAL_CONVERSATION
        assert [c.path for c in fake.calls] == [PROACTIVE_PATH]
    finally:
        port.close()
