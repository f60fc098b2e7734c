"""Slack's platform contract: verified requests, 401 for bad ones, retries processed once, 429s."""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.core.events import Identity
from tests.adapters.slack.fake_slack import TEAM
from tests.adapters.slack.harness import SlackHarness, signed_headers

SECRET_WORDS = "my-private-question-about-salary"


def _dm_body(text: str = SECRET_WORDS) -> str:
    return json.dumps(
        {
            "team_id": TEAM,
            "type": "event_callback",
            "event_id": "EvBAD0001",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0ANA",
                "user": "U0ANA",
                "text": text,
                "ts": "1700.1",
            },
        }
    )


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param(
            {
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "0" * 64,
            },
            id="wrong-signature",
        ),
        pytest.param(signed_headers(_dm_body(), secret="another-secret"), id="other-secret"),
        pytest.param(
            signed_headers(_dm_body(), timestamp=str(int(time.time()) - 6 * 60)),
            id="older-than-5-min",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=abc"},
            id="non-numeric-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=abc"},
            id="negative-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "1" * 40, "X-Slack-Signature": "v0=abc"},
            id="huge-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=abc"},
            id="400-digit-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "1" * 5000, "X-Slack-Signature": "v0=abc"},
            id="5000-digit-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "²", "X-Slack-Signature": "v0=abc"},
            id="superscript-digit-timestamp",
        ),
        pytest.param(
            {"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠", "X-Slack-Signature": "v0=abc"},
            id="arabic-indic-digits",
        ),
    ],
)
async def test_bad_signatures_get_401_and_the_body_is_never_logged(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await slack.post(_dm_body(), headers=headers, sign=False)
    assert response.status == 401
    await slack.settle()
    assert slack.fake.named("chat.postMessage") == []
    assert SECRET_WORDS not in caplog.text
    assert "EvBAD0001" not in caplog.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param("[1,2]", "application/json", id="json-list"),
        pytest.param("null", "application/json", id="json-null"),
        pytest.param('"x"', "application/json", id="json-string"),
        pytest.param("payload=[]", "application/x-www-form-urlencoded", id="form-payload-list"),
        pytest.param("payload=null", "application/x-www-form-urlencoded", id="form-payload-null"),
        pytest.param("payload={", "application/x-www-form-urlencoded", id="form-payload-broken"),
        pytest.param(
            "payload=%7B%7D&payload=%7B%7D",
            "application/x-www-form-urlencoded",
            id="form-two-payloads",
        ),
    ],
)
async def test_a_signed_body_of_the_wrong_shape_gets_400_not_500(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.ERROR)
    response = await slack.post(body, content_type=content_type)
    assert response.status == 400
    assert "Traceback" not in caplog.text
    await slack.settle()
    assert slack.fake.named("chat.postMessage") == []


async def test_a_signed_replay_with_an_old_timestamp_is_refused(slack: SlackHarness) -> None:
    body = _dm_body()
    old = signed_headers(body, timestamp=str(int(time.time()) - 301))
    assert (await slack.post(body, headers=old, sign=False)).status == 401


async def test_invalid_utf8_and_malformed_json_never_give_500(slack: SlackHarness) -> None:
    garbage = "{not json"
    response = await slack.post(garbage)
    assert response.status == 400
    async with slack.session.post(
        slack.url + "/slack/events",
        data=b"\xff\xfe{}",
        headers={"Content-Type": "application/json"},
    ) as raw:
        assert raw.status == 401


async def test_a_good_request_does_not_log_what_the_user_wrote(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.onboard("U0ANA")
    assert (await slack.dm("U0ANA", SECRET_WORDS)).status == 200
    await slack.settle()
    assert slack.fake.named("chat.postMessage")
    assert SECRET_WORDS not in caplog.text
    assert "xoxb-test" not in caplog.text


async def test_a_retried_event_is_processed_once(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    first = await slack.dm("U0ANA", "first question", event_id="EvRETRY01")
    retried = await slack.dm("U0ANA", "first question", event_id="EvRETRY01", retry=1)
    again = await slack.dm("U0ANA", "first question", event_id="EvRETRY01", retry=2)
    assert (first.status, retried.status, again.status) == (200, 200, 200)
    await slack.settle()
    assert len(slack.fake.named("chat.postMessage")) == 1


async def test_a_retry_whose_original_never_arrived_is_processed(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    response = await slack.dm("U0ANA", "lost original", event_id="EvLOST0001", retry=1)
    assert response.status == 200
    await slack.settle()
    assert len(slack.fake.named("chat.postMessage")) == 1


async def test_rate_limited_post_is_retried_after_retry_after_without_double_posting(
    slack: SlackHarness,
) -> None:
    slack.onboard("U0ANA")
    slack.fake.fail("chat.postMessage", 429, times=2, retry_after=0)
    assert (await slack.dm("U0ANA", "when is payday?")).status == 200
    await slack.settle()
    posts = slack.fake.named("chat.postMessage")
    assert len(posts) == 3  # two refused with 429, the third accepted
    accepted = [p for p in posts if p.response.get("ok")]
    assert len(accepted) == 1


async def test_server_errors_are_retried(slack: SlackHarness) -> None:
    slack.onboard("U0ANA")
    slack.fake.fail("chat.postMessage", 503, times=1)
    assert (await slack.dm("U0ANA", "where is the handbook?")).status == 200
    await slack.settle()
    posts = slack.fake.named("chat.postMessage")
    assert [bool(p.response.get("ok")) for p in posts] == [False, True]


async def test_unknown_payload_kinds_are_acknowledged_and_ignored(slack: SlackHarness) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "EvODD",
            "event": {"type": "reaction_added", "user": "U0ANA", "reaction": "tada"},
        }
    )
    response = await slack.post(body)
    assert response.status == 200
    await slack.settle()
    assert slack.fake.named("chat.postMessage") == []


async def test_url_verification_echoes_the_challenge(slack: SlackHarness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    response = await slack.post(body)
    assert response.status == 200
    assert "c-123" in response.text


async def test_healthz_reports_the_database_and_platforms(slack: SlackHarness) -> None:
    async with slack.session.get(slack.url + "/healthz") as r:
        assert r.status == 200
        assert await r.json() == {
            "status": "ok",
            "database": "ok",
            "index": "empty",
            "slack": True,
            "teams": False,
        }


async def test_single_workspace_mode_serves_only_the_tokens_own_workspace(
    slack: SlackHarness,
) -> None:
    slack.onboard("U0ADMIN", roles=frozenset({"admin"}))
    evil = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ADMIN",
        "user": "U0ADMIN",
        "text": "/learn admin modules",
        "ts": f"{time.time():.6f}",
        "team": "T0EVIL",
    }
    response = await slack.event(evil, team="T0EVIL")
    assert response.status == 200
    await slack.settle()
    assert slack.fake.named("chat.postMessage") == [], "nothing answered in another workspace"
    assert slack.core.services.learners.find(Identity("slack", "T0EVIL", "U0ADMIN")) is None
    assert (await slack.dm("U0ADMIN", "hello again")).status == 200
    await slack.settle()
    assert slack.fake.named("chat.postMessage"), "the token's own workspace is still served"
