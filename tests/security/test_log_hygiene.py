"""Logs at every level hold no secret, token, signature, request body nor learner text."""

from __future__ import annotations

import json
import logging

import pytest

from tests.adapters.slack.harness import BOT_TOKEN, SECRET, signed_headers
from tests.adapters.teams.conftest import activity
from tests.adapters.teams.fakes import APP_PASSWORD
from tests.security.conftest import Server
from tests.security.state import rows

DM_TEXT = "my payroll id is 7731-PRIVATE-QUESTION"
TEAMS_TEXT = "teams text 5512-PRIVATE-QUESTION"
FEED_TOKEN = "feedtoken-9c1f0e"
CODE = "oauthcode-31337"


async def test_no_secret_reaches_any_log(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slack, teams = server.slack, server.teams
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    # A signed DM, the same body unsigned and with a wrong signature, and a malformed one.
    await slack.dm("U0ANA", DM_TEXT)
    body = json.dumps({"type": "event_callback", "event": {"text": DM_TEXT}})
    bad = signed_headers(body, secret="wrong")
    await slack.post(body, sign=False)
    await slack.post(body, sign=False, headers=bad)
    await slack.post("[" + json.dumps(DM_TEXT) + "]")
    # An admin URL whose path is a credential; a query string with an OAuth code.
    await slack.command("U0ANA", f"admin upload http://127.0.0.1:9/feed/{FEED_TOKEN}/a.md")
    async with slack.session.get(f"{server.url}/healthz?code={CODE}&state={CODE}") as r:
        assert r.status == 200
    # Teams: a trusted activity, and the same with a token for another audience.
    good = teams.fake.token()
    foreign = teams.fake.token(audience="someone-else")
    await teams.post(activity(teams.fake, text=TEAMS_TEXT), token=good)
    await teams.post(activity(teams.fake, text=TEAMS_TEXT), token=foreign)
    await slack.settle()
    assert slack.fake.named("chat.postMessage"), "the signed DM was answered"
    assert teams.fake.messages(), "the Teams message was answered"
    logged = caplog.text + "\n".join(repr(r.args) for r in caplog.records)
    for secret in (
        SECRET,
        BOT_TOKEN,
        APP_PASSWORD,
        good,
        foreign,
        bad["X-Slack-Signature"],
        DM_TEXT,
        TEAMS_TEXT,
        FEED_TOKEN,
        CODE,
    ):
        assert secret not in logged, secret
    assert "aiohttp.access" in {r.name for r in caplog.records}, "the access log was captured"


@pytest.mark.parametrize("path", ["/slack/events", "/api/messages"])
async def test_a_header_line_too_long_to_parse_is_a_400_logged_without_its_content(
    server: Server, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.DEBUG)
    before = rows(server.core)
    marker = "tokenprefix-0c7e" + "A" * 9_000
    headers = {"Authorization": f"Bearer {marker}", "X-Slack-Signature": f"v0={marker}"}
    async with server.slack.session.post(server.url + path, data=b"{}", headers=headers) as r:
        assert r.status == 400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "tokenprefix-0c7e" not in caplog.text
    assert "could not be parsed: LineTooLong" in caplog.text
    assert rows(server.core) == before
