"""The Slack app manifest and the bolt app's listeners agree."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.adapters.slack.bolt import EVENTS
from bot.adapters.slack.inbound import COMMAND
from bot.adapters.slack.oauth import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from bot.adapters.slack.server import EVENTS_PATH
from tests.adapters.slack.fake_slack import TEAM
from tests.adapters.slack.harness import SlackHarness, signed_headers

MANIFEST = Path(__file__).resolve().parents[3] / "manifest" / "slack" / "manifest.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_subscribed_events_are_exactly_the_ones_listened_to(manifest: dict[str, Any]) -> None:
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)


def test_the_slash_command_is_the_one_the_app_handles(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [COMMAND]
    assert commands[0]["url"] == f"https://YOUR-HOST{EVENTS_PATH}"


def test_scopes_urls_home_and_interactivity(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert manifest["oauth_config"]["redirect_urls"] == [f"https://YOUR-HOST{REDIRECT_PATH}"]
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == f"https://YOUR-HOST{EVENTS_PATH}"
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": f"https://YOUR-HOST{EVENTS_PATH}",
    }
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"]
    assert INSTALL_PATH == "/slack/install"


def _event(kind: str) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "user": "U0ANA", "channel": "D0ANA", "ts": "1.1"}
    if kind == "message":
        event["channel_type"] = "im"
    return event


async def _dispatch(slack: SlackHarness, body: str, content_type: str) -> int:
    headers = {
        "content-type": [content_type],
        **{k.lower(): [v] for k, v in signed_headers(body).items()},
    }
    request = AsyncBoltRequest(body=body, headers=headers)
    return (await slack.runtime.bolt.async_dispatch(request)).status


async def test_each_manifest_event_has_a_listener_and_others_do_not(
    slack: SlackHarness, manifest: dict[str, Any]
) -> None:
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "event_id": f"Ev{name}",
                "event_time": int(time.time()),
                "event": _event(EVENTS[name]),
            }
        )
        assert await _dispatch(slack, body, "application/json") == 200, name
    stray = json.dumps(
        {"type": "event_callback", "team_id": TEAM, "event": _event("reaction_added")}
    )
    assert await _dispatch(slack, stray, "application/json") == 404
    await slack.settle()


async def test_the_manifest_command_has_a_listener(
    slack: SlackHarness, manifest: dict[str, Any]
) -> None:
    form = {
        "team_id": TEAM,
        "user_id": "U0ANA",
        "channel_id": "D0ANA",
        "text": "help",
        "trigger_id": "t",
    }
    for command in manifest["features"]["slash_commands"]:
        body = urlencode({**form, "command": command["command"]})
        assert await _dispatch(slack, body, "application/x-www-form-urlencoded") == 200
    other = urlencode({**form, "command": "/other"})
    assert await _dispatch(slack, other, "application/x-www-form-urlencoded") == 404
    await slack.settle()
