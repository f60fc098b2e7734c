"""Attacker requests to POST /slack/events over real HTTP: signatures, body shapes, replays,
other workspaces. Every refusal is a 4xx, reaches no listener and changes no table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.fake_slack import TEAM
from tests.adapters.slack.harness import SECRET, signed_headers
from tests.security.conftest import Server
from tests.security.state import rows

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
EVENT = json.dumps(
    {
        "team_id": TEAM,
        "api_app_id": "A0LEARN",
        "type": "event_callback",
        "event_id": "EvATTACK1",
        "event_time": 1,
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ANA",
            "user": "U0ANA",
            "text": "hello",
            "ts": "1.000001",
        },
    }
).encode()


def now() -> str:
    return str(int(time.time()))


def good(body: bytes) -> dict[str, str]:
    return signed_headers(body.decode("utf-8", "replace"))


def at(ts: str) -> Callable[[bytes], dict[str, str]]:
    """Headers signed correctly for `ts`, whatever it is."""

    def sign(body: bytes) -> dict[str, str]:
        return signed_headers(body.decode("utf-8", "replace"), timestamp=ts)

    return sign


def only(**headers: str) -> Callable[[bytes], dict[str, str]]:
    return lambda body: headers


def wrong_secret(body: bytes) -> dict[str, str]:
    return signed_headers(body.decode(), secret="not-" + SECRET)


def other_body(body: bytes) -> dict[str, str]:
    return signed_headers(body.decode().replace("hello", "HELLO"))


def bad_prefix(body: bytes) -> dict[str, str]:
    headers = good(body)
    headers["X-Slack-Signature"] = "v1=" + headers["X-Slack-Signature"][3:]
    return headers


def huge_signature(body: bytes) -> dict[str, str]:
    headers = good(body)
    headers["X-Slack-Signature"] += "0" * 200
    return headers


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


@dataclass(frozen=True)
class Case:
    """One attacker request and what learnbot must answer."""

    name: str
    body: bytes
    headers: Callable[[bytes], dict[str, str]]
    status: int
    content_type: str = JSON


CASES = [
    # Signatures
    Case("no-signature-headers", EVENT, only(), 401),
    Case("timestamp-only", EVENT, only(**{"X-Slack-Request-Timestamp": "1"}), 401),
    Case(
        "signature-only", EVENT, lambda b: {"X-Slack-Signature": good(b)["X-Slack-Signature"]}, 401
    ),
    Case("wrong-secret", EVENT, wrong_secret, 401),
    Case("signature-of-another-body", EVENT, other_body, 401),
    Case("six-minutes-old", EVENT, lambda b: at(str(int(time.time()) - 360))(b), 401),
    Case("six-minutes-ahead", EVENT, lambda b: at(str(int(time.time()) + 360))(b), 401),
    Case("huge-timestamp", EVENT, at("9" * 40), 401),
    Case("negative-timestamp", EVENT, at("-1"), 401),
    Case("float-timestamp", EVENT, lambda b: at(now() + ".5")(b), 401),
    Case("superscript-digit-timestamp", EVENT, at("²" * 10), 401),
    Case(
        "fullwidth-digit-timestamp",
        EVENT,
        lambda b: at(now().translate({48 + i: 0xFF10 + i for i in range(10)}))(b),
        401,
    ),
    Case("signature-v1-prefix", EVENT, bad_prefix, 401),
    Case("signature-over-200-chars", EVENT, huge_signature, 401),
    Case("not-utf8-body", b"\xff\xfe{}", lambda b: at(now())(b), 401),
    Case("empty-unsigned", b"", only(), 401),
    # Body shapes, correctly signed
    Case("json-array", b"[1, 2, 3]", good, 400),
    Case("json-string", b'"event_callback"', good, 400),
    Case("json-null", b"null", good, 400),
    Case("json-number", b"1e400", good, 400),
    Case("truncated-json", EVENT[:40], good, 400),
    Case("deeply-nested-json", b"[" * 100_000 + b"]" * 100_000, good, 400),
    Case("form-payload-not-json", form(payload="{not json"), good, 400, FORM),
    Case("form-payload-array", form(payload="[]"), good, 400, FORM),
    Case("form-two-payloads", b"payload=%7B%7D&payload=%7B%7D", good, 400, FORM),
    Case(
        "event-is-a-string",
        json.dumps({"type": "event_callback", "team_id": TEAM, "event": "x"}).encode(),
        good,
        400,
    ),
    Case(
        "user-is-a-number", form(payload=json.dumps({"type": "evil", "user": 1})), good, 400, FORM
    ),
    Case(
        "actions-not-a-list",
        form(
            payload=json.dumps(
                {
                    "type": "block_actions",
                    "actions": "x",
                    "user": {"id": "U0ANA"},
                    "team": {"id": TEAM},
                }
            )
        ),
        good,
        400,
        FORM,
    ),
    Case(
        "actions-of-strings",
        form(
            payload=json.dumps(
                {
                    "type": "block_actions",
                    "actions": ["x"],
                    "user": {"id": "U0ANA"},
                    "team": {"id": TEAM},
                }
            )
        ),
        good,
        400,
        FORM,
    ),
    Case(
        "unknown-payload-type",
        form(payload=json.dumps({"type": "evil", "user": {"id": "U0ANA"}, "team": {"id": TEAM}})),
        good,
        200,
        FORM,
    ),
    Case("command-without-fields", form(command="/learn"), good, 200, FORM),
    Case("body-over-1-mb", b'{"a": "' + b"x" * (1024 * 1024 + 10) + b'"}', good, 413),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_bad_slack_request_is_refused_and_changes_nothing(
    server: Server, case: Case
) -> None:
    slack = server.slack
    before = rows(server.core)
    response = await _post(server, case)
    assert response[0] == case.status, response
    await slack.settle()
    assert rows(server.core) == before
    assert slack.fake.named("chat.postMessage") == []
    assert slack.fake.named("chat.postEphemeral") == []


async def _post(server: Server, case: Case) -> tuple[int, str]:
    headers = {"Content-Type": case.content_type, **case.headers(case.body)}
    async with server.slack.session.post(
        server.url + "/slack/events", data=case.body, headers=headers
    ) as r:
        return r.status, await r.text()
