"""The Slack chat port against the fake Web API: sends, updates, error mapping, pacing, caches."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.slack.clients import Clients, UserDirectory
from bot.adapters.slack.port import SlackChatPort, where
from bot.adapters.slack.web import SDK_LOGGER, Pacer, make_async_client, make_client
from bot.core.events import Channel, Identity
from bot.core.ports import DeliveryFailed, RecipientGone
from bot.core.replies import Attachment, Direct, Reply, Text, say
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, message_text

ANA = Identity("slack", TEAM, "U0ANA")


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def port(fake: FakeSlack) -> SlackChatPort:
    return SlackChatPort(
        clients=Clients(base_url=fake.url, token="xoxb-test"), pacer=Pacer(interval=0.0)
    )


def test_send_opens_the_dm_once_and_update_replaces_the_message(
    port: SlackChatPort, fake: FakeSlack
) -> None:
    sent = port.send(say("Time for a 5-minute refresher"), identity=ANA)
    again = port.send(say("Another one"), identity=ANA)
    assert len(fake.named("conversations.open")) == 1
    assert where(sent) == (TEAM, "D0ANA")
    assert sent.message_id != again.message_id
    port.update(sent, say("Done, thanks!"))
    (update,) = fake.named("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D0ANA", sent.message_id)
    assert "Done, thanks!" in message_text(update.params)


def test_direct_targets_win_over_the_given_channel(port: SlackChatPort, fake: FakeSlack) -> None:
    ben = Identity("slack", TEAM, "U0BEN")
    port.send(
        Reply((Text("For your coach"),), to=Direct(ben)), identity=ANA, channel=Channel("C0GENERAL")
    )
    assert fake.named("chat.postMessage")[0].params["channel"] == "D0BEN"


def test_threaded_channel_and_uploads(port: SlackChatPort, fake: FakeSlack) -> None:
    reply = Reply(
        (Text("Report attached"), Attachment("team.csv", b"name,score\nana,3\n", "text/csv"))
    )
    port.send(
        reply, identity=ANA, channel=Channel("C0GENERAL", is_direct=False, thread_id="1700.1")
    )
    assert fake.named("chat.postMessage")[0].params["thread_ts"] == "1700.1"
    (complete,) = fake.named("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C0GENERAL"
    assert fake.uploads == [b"name,score\nana,3\n"]


@pytest.mark.parametrize(
    "error",
    [
        "channel_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "token_revoked",
    ],
)
def test_unreachable_recipients_are_recipient_gone(
    port: SlackChatPort, fake: FakeSlack, error: str
) -> None:
    fake.fail("chat.postMessage", 200, error=error)
    with pytest.raises(RecipientGone):
        port.send(say("hi"), identity=ANA, channel=Channel("C0OLD"))


def test_rate_limits_that_outlast_the_retries_are_retryable_with_retry_after(
    port: SlackChatPort, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", 429, times=10, retry_after=0)
    with pytest.raises(DeliveryFailed) as caught:
        port.send(say("hi"), identity=ANA, channel=Channel("C1"))
    assert not isinstance(caught.value, RecipientGone)
    assert caught.value.retryable is True
    assert caught.value.retry_after == 0.0
    assert len(fake.named("chat.postMessage")) == 4  # the first try and three retries


def test_ratelimited_error_code_and_server_errors_are_retryable(
    port: SlackChatPort, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", 200, error="ratelimited")
    with pytest.raises(DeliveryFailed) as limited:
        port.send(say("hi"), identity=ANA, channel=Channel("C1"))
    assert limited.value.retryable is True
    fake.fail("chat.postMessage", 502, times=1)
    with pytest.raises(DeliveryFailed) as bad_gateway:
        port.send(say("hi"), identity=ANA, channel=Channel("C1"))
    assert bad_gateway.value.retryable is True


def test_other_api_errors_are_not_retryable(port: SlackChatPort, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", 200, error="msg_too_long")
    with pytest.raises(DeliveryFailed) as caught:
        port.send(say("hi"), identity=ANA, channel=Channel("C1"))
    assert caught.value.retryable is False


def test_an_unreachable_api_is_a_retryable_failure() -> None:
    port = SlackChatPort(
        clients=Clients(base_url="http://127.0.0.1:9/api/", token="xoxb-x"), pacer=Pacer(interval=0)
    )
    with pytest.raises(DeliveryFailed) as caught:
        port.send(say("hi"), identity=ANA, channel=Channel("C1"))
    assert caught.value.retryable is True


def test_a_workspace_without_installation_is_recipient_gone(fake: FakeSlack) -> None:
    clients = Clients(base_url=fake.url, lookup=lambda team: "xoxb-a" if team == "TA" else None)
    port = SlackChatPort(clients=clients, pacer=Pacer(interval=0))
    port.send(say("hi"), identity=Identity("slack", "TA", "U1"), channel=Channel("C1"))
    assert fake.named("chat.postMessage")[0].token == "xoxb-a"
    with pytest.raises(RecipientGone):
        port.send(say("hi"), identity=Identity("slack", "TB", "U1"), channel=Channel("C1"))


def test_pacer_allows_a_burst_then_one_message_per_second_per_channel() -> None:
    time = FakeTime()
    pacer = Pacer(interval=1.0, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        pacer.wait("D1")
    pacer.wait("D2")
    assert time.slept == [1.0, 1.0]
    time.now += 10
    for _ in range(3):
        pacer.wait("D1")
    assert time.slept == [1.0, 1.0]


def test_users_info_is_cached_per_user(fake: FakeSlack) -> None:
    clock = FakeTime()
    users = UserDirectory(Clients(base_url=fake.url, token="xoxb-test"), ttl=60, clock=clock.clock)
    first = users.info(ANA)
    users.info(ANA)
    assert (first.display_name, first.email, first.timezone) == (
        "Ana",
        "ana@example.com",
        "Europe/Berlin",
    )
    assert len(fake.named("users.info")) == 1
    clock.now += 61
    users.info(ANA)
    assert len(fake.named("users.info")) == 2
    fake.add_user("U0GUEST", name="Gus", guest=True, admin=False)
    fake.add_user("U0BOSS", name="Bo", admin=True)
    assert users.info(Identity("slack", TEAM, "U0GUEST")).is_guest is True
    assert users.info(Identity("slack", TEAM, "U0BOSS")).is_admin is True
    assert users.info(Identity("slack", TEAM, "U0UNKNOWN")).display_name == ""


def test_a_port_for_proactive_sends_is_built_from_settings(tmp_path, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.slack.runtime import slack_chat_port
    from bot.settings import Settings
    from bot.storage.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    assert slack_chat_port(Settings(LEARNBOT_HOME=tmp_path, _env_file=None), engine) is None
    single = Settings(
        LEARNBOT_HOME=tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake.url, _env_file=None
    )
    port = slack_chat_port(single, engine)
    assert port is not None
    port.send(say("Your weekly summary"), identity=ANA)
    assert fake.named("chat.postMessage")[0].params["channel"] == "D0ANA"
    multi = Settings(
        LEARNBOT_HOME=tmp_path,
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="s",
        SLACK_API_URL=fake.url,
        _env_file=None,
    )
    uninstalled = slack_chat_port(multi, engine)
    assert uninstalled is not None
    with pytest.raises(RecipientGone):
        uninstalled.send(say("hi"), identity=ANA)


@pytest.mark.parametrize("make", [make_client, make_async_client])
def test_every_client_is_built_with_the_same_retries_base_url_and_quiet_logger(make) -> None:  # type: ignore[no-untyped-def]
    client = make("xoxb-x", "http://127.0.0.1:9/api")
    assert client.base_url == "http://127.0.0.1:9/api/"
    assert client.logger.name == SDK_LOGGER
    assert client.logger.level == logging.WARNING
    retries = {type(h).__name__.removeprefix("Async"): h for h in client.retry_handlers}
    assert retries["RateLimitErrorRetryHandler"].max_retry_count > 1
    assert retries["ServerErrorRetryHandler"].max_retry_count >= 1
    assert retries["ConnectionErrorRetryHandler"].max_retry_count >= 1


def test_a_keyed_reply_carries_its_key_in_metadata_and_is_found_in_history(
    port: SlackChatPort, fake: FakeSlack
) -> None:
    from datetime import UTC, datetime, timedelta

    since = datetime.now(UTC) - timedelta(minutes=1)
    port.send(say("no key"), identity=ANA)
    sent = port.send(Reply((Text("Review: Tickets"),), key="k-123"), identity=ANA)
    (keyed,) = [c for c in fake.named("chat.postMessage") if c.params.get("metadata")]
    assert keyed.params["metadata"] == {
        "event_type": "learnbot_nudge",
        "event_payload": {"key": "k-123"},
    }
    assert port.find_sent("k-123", identity=ANA, since=since) == sent
    assert port.find_sent("k-other", identity=ANA, since=since) is None
    (history, *_) = fake.named("conversations.history")
    assert history.params["channel"] == "D0ANA"
    assert str(history.params["include_all_metadata"]).lower() in ("true", "1")
