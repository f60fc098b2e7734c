"""Drives `learnbot serve` over real HTTP with signed Slack requests; reads the fake's record."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.server import RUNTIME
from bot.app import App
from bot.core.events import Identity, UserInfo
from tests.adapters.slack.fake_slack import TEAM, FakeSlack

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"


def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: str | None = None
) -> dict[str, str]:
    """The X-Slack-* headers Slack would send with `body`."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


@dataclass
class Response:
    """What the server answered."""

    status: int
    text: str
    elapsed: float


@dataclass
class SlackHarness:
    """A running server, its core, the fake Web API, and helpers to send payloads."""

    url: str
    core: App
    web_app: web.Application
    fake: FakeSlack
    session: aiohttp.ClientSession
    counter: int = 0
    sent_ids: list[str] = field(default_factory=list)

    @property
    def runtime(self):  # type: ignore[no-untyped-def]
        return self.web_app[RUNTIME]

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        path: str = "/slack/events",
    ) -> Response:
        all_headers = {"Content-Type": content_type}
        if sign:
            all_headers.update(signed_headers(body))
        all_headers.update(headers or {})
        start = time.perf_counter()
        async with self.session.post(self.url + path, data=body.encode(), headers=all_headers) as r:
            text = await r.text()
        return Response(r.status, text, time.perf_counter() - start)

    def next_id(self, prefix: str = "Ev") -> str:
        self.counter += 1
        return f"{prefix}{self.counter:06d}"

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        team: str = TEAM,
    ) -> Response:
        body = {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A0LEARN",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.next_id(),
            "event_time": int(time.time()),
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return await self.post(json.dumps(body), headers=headers)

    async def dm(self, user: str, text: str, **kwargs: Any) -> Response:
        return await self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
                "team": TEAM,
            },
            **kwargs,
        )

    async def mention(
        self, user: str, text: str, *, channel: str = "C0GENERAL", ts: str = "1700.000001"
    ) -> Response:
        return await self.event(
            {
                "type": "app_mention",
                "channel": channel,
                "user": user,
                "text": f"<@UBOT0001> {text}",
                "ts": ts,
                "team": TEAM,
            }
        )

    async def command(
        self, user: str, text: str, *, channel: str | None = None, team: str = TEAM
    ) -> Response:
        form = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "learn",
            "channel_id": channel or "D" + user[1:],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/learn",
            "text": text,
            "api_app_id": "A0LEARN",
            "response_url": "https://hooks.slack.com/commands/T/1/x",
            "trigger_id": self.next_id("tr"),
        }
        return await self.post(urlencode(form), content_type="application/x-www-form-urlencoded")

    async def click(
        self,
        user: str,
        element: dict[str, Any],
        *,
        channel: str,
        message_ts: str = "1700000001.000100",
        state: dict[str, Any] | None = None,
        team: str = TEAM,
    ) -> Response:
        action = {
            "action_id": element["action_id"],
            "block_id": "blk",
            "type": element.get("type", "button"),
            "value": element.get("value", ""),
            "action_ts": f"{time.time():.6f}",
        }
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": team},
            "api_app_id": "A0LEARN",
            "token": "legacy",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "trigger_id": self.next_id("tr"),
            "team": {"id": team, "domain": "learn"},
            "channel": {"id": channel},
            "message": {"ts": message_ts},
            "state": {"values": state or {}},
            "response_url": "https://hooks.slack.com/actions/T/1/x",
            "actions": [action],
        }
        form = urlencode({"payload": json.dumps(payload)})
        return await self.post(form, content_type="application/x-www-form-urlencoded")

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until every acknowledged payload has been worked off."""
        deadline = time.monotonic() + timeout
        await asyncio.sleep(0.02)
        while self.runtime.bridge.pending:
            if time.monotonic() > deadline:
                raise AssertionError("slack work did not finish")
            await asyncio.sleep(0.01)

    def onboard(self, user: str, *, roles: frozenset[str] = frozenset()) -> str:
        """Create a learner who finished onboarding (and holds `roles`); returns its id."""
        services = self.core.services
        now = services.clock.now()
        learner = services.learners.resolve(Identity("slack", TEAM, user), UserInfo(), now=now)
        profile = services.profiles.get(learner.id).with_changes(onboarded_at=now)
        services.profiles.save(learner.id, profile, now=now)
        if roles:
            services.learners.set_roles(learner.id, roles, now=now)
        return learner.id


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every interactive element of a posted message."""
    found = []
    for block in params.get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found.append(element)
    return found


def button(params: dict[str, Any], label: str) -> dict[str, Any]:
    """The button whose label starts with `label`."""
    for element in buttons(params):
        if element.get("type") == "button" and element["text"]["text"].startswith(label):
            return element
    raise AssertionError(f"no button {label!r} in {[b.get('text') for b in buttons(params)]}")
