"""The soak's learners and what the fakes saw: signed Slack and Bot Framework traffic, and
the ledger of answers and nudges (see bench/soak.py)."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "soak-signing-secret"
TEAM = "T0LEARN"
QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "bot/sample/questions.jsonl").read_text().splitlines()
    if line.strip()
]
TEAMS_COMMANDS = ("quiz", "path", "help", "profile", "progress")
SLACK_COMMANDS = ("quiz", "path", "help", "progress")
# Buttons a simulated learner never presses: leaving the run would make its later messages
# unanswerable by design.
AVOID = ("forget", "delete", "stop", "remove")

# -- what the fakes saw ----------------------------------------------------------------------


@dataclass
class Ledger:
    """Replies and nudges seen at the fakes, indexed as they arrive."""

    slack_seen: int = 0
    teams_seen: int = 0
    # message key -> the bot's messages for it: id -> (who wrote it last, still a placeholder)
    answers: dict[str, dict[str, tuple[str, bool]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    first_seen: dict[str, float] = field(default_factory=dict)
    buttons: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    nudges: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    placeholders: dict[str, str] = field(default_factory=dict)

    def note_answer(self, key: str, message: str, who: str, text: str) -> None:
        from bot.core import messages as msg

        placeholder = text == msg.LOOKING_UP
        self.answers[key][message] = (who, placeholder)
        if not placeholder:
            self.first_seen.setdefault(key, time.monotonic())

    def answered(self, key: str) -> bool:
        """Whether the message got an answer (a placeholder never replaced is none)."""
        return any(not waiting for _, waiting in self.answers.get(key, {}).values())

    def writers(self, key: str) -> set[str]:
        """The process incarnations whose answers the learner sees for one message: more
        than one means it was answered twice."""
        return {who for who, waiting in self.answers.get(key, {}).values() if not waiting}

    def stale(self, key: str) -> bool:
        """An answered message beside a "Looking that up…" that nobody replaced."""
        found = self.answers.get(key, {}).values()
        return self.answered(key) and any(waiting for _, waiting in found)

    def scan(self, slack: Any, teams: Any) -> None:
        with slack._lock:
            calls = slack.calls[self.slack_seen :]
        for call in calls:
            if not call.response and time.monotonic() - call.at < 2.0:
                break  # still being answered (a refusal never gets a response)
            self.slack_seen += 1
            self._slack(call)
        settled = teams.settled[self.teams_seen :]
        self.teams_seen += len(settled)
        for t, refused in settled:
            if not refused:
                self._teams(t)

    def _slack(self, call: Any) -> None:
        params = call.params
        if call.method not in ("chat.postMessage", "chat.update") or not call.response.get("ok"):
            return  # refused (429): not a post
        channel = str(params.get("channel") or "")
        nudge = _slack_nudge(params)
        if nudge:
            self.nudges[nudge].append((call.token, False))
            return
        if call.method == "chat.postMessage":
            key = str(params.get("thread_ts") or "")
            ts = str((call.response or {}).get("ts") or "")
            if key.startswith("9"):
                self.note_answer(key, ts, call.token, str(params.get("text") or ""))
                self.placeholders[ts] = key
        else:
            ts = str(params.get("ts") or "")
            key = self.placeholders.get(ts, ts)
            if key.startswith("9"):
                self.note_answer(key, ts, call.token, str(params.get("text") or ""))
        found = _slack_buttons(params)
        if found and channel.startswith("D"):
            self.buttons["U" + channel[1:]] = found

    def _teams(self, t: Any) -> None:
        if t.method != "POST":
            return
        body = t.body if isinstance(t.body, dict) else {}
        nudge = _teams_nudge(body)
        if nudge:
            from bot.core import messages as msg

            self.nudges[nudge].append((t.authorization, msg.NUDGE_RESENT in json.dumps(body)))
            return
        key = t.activity_id or str(body.get("replyToId") or "")
        if key:
            self.note_answer("teams:" + key, str(id(t)), t.authorization, "")
        found = _teams_buttons(body)
        if found:
            self.buttons[t.conversation_id] = found


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _slack_buttons(params: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (str(e["action_id"]), e.get("value", ""))
        for e in _walk(params.get("blocks") or [])
        if e.get("type") == "button" and "action_id" in e
    ]


def _slack_nudge(params: dict[str, Any]) -> str:
    for action, value in _slack_buttons(params):
        if action.startswith("nudge.start"):
            return str(value)
    return ""


def _teams_buttons(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (str(e["data"].get("action")), e["data"])
        for e in _walk(body.get("attachments") or [])
        if e.get("type") == "Action.Submit" and isinstance(e.get("data"), dict)
    ]


def _teams_nudge(body: dict[str, Any]) -> str:
    for action, data in _teams_buttons(body):
        if action == "nudge.start":
            return str(data.get("value"))
    return ""


# -- the learners ----------------------------------------------------------------------------


@dataclass
class Stats:
    sent: dict[str, float] = field(default_factory=dict)  # acknowledged message key -> time
    what: dict[str, str] = field(default_factory=dict)  # key -> who and what (for --keep)
    acks: list[float] = field(default_factory=list)
    errors: int = 0
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    upstream: dict[str, str] = field(default_factory=dict)  # key -> replica that acked it


class Driver:
    """Signs and sends what the learners do; reads the ledger for their buttons."""

    def __init__(self, url: str, teams_fake: Any, ledger: Ledger, stats: Stats) -> None:
        self.url = url
        self.fake = teams_fake
        self.ledger = ledger
        self.stats = stats
        self.ids = itertools.count(1)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    def key(self) -> str:
        return f"9{int(time.time())}.{next(self.ids):06d}"

    async def _post(self, path: str, body: bytes, headers: dict[str, str], key: str = "") -> int:
        start = time.monotonic()
        try:
            async with self.session.post(self.url + path, data=body, headers=headers) as r:
                await r.read()
                status = r.status
                self.stats.upstream[key] = r.headers.get("X-Soak-Upstream", "")
        except (TimeoutError, aiohttp.ClientError) as err:
            self.stats.failures[f"{path} {type(err).__name__}"] += 1
            return 599
        self.stats.acks.append(time.monotonic() - start)
        if not 200 <= status < 300:
            self.stats.failures[f"{path} {status}"] += 1
        return status

    async def slack(self, body: str, content_type: str, event_id: str = "", key: str = "") -> bool:
        """Post as Slack does: retried (same event id) up to three times on failure."""
        from tests.adapters.slack.harness import signed_headers

        for attempt in range(4):
            headers = {"Content-Type": content_type, **signed_headers(body, secret=SECRET)}
            if attempt and event_id:
                headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_error"}
            if 200 <= await self._post("/slack/events", body.encode(), headers, key) < 300:
                return True
            if not event_id:
                break
            await asyncio.sleep(1.0 * (attempt + 1))
        self.stats.errors += 1
        return False

    async def slack_dm(self, user: str, text: str) -> None:
        key = self.key()
        event_id = f"Ev{key.replace('.', '')}"
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0LEARN",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": key,
                "thread_ts": key,
                "team": TEAM,
            },
        }
        sent = time.monotonic()
        if await self.slack(json.dumps(body), "application/json", event_id, key):
            self.stats.sent[key] = sent
            self.stats.what[key] = f"{user} {text}"

    async def slack_click(self, user: str, action: str, value: Any) -> None:
        key = self.key()
        channel = "D" + user[1:]
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0LEARN",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": key,
                "channel_id": channel,
                "thread_ts": key,
            },
            "trigger_id": f"tr{key}",
            "team": {"id": TEAM, "domain": "learn"},
            "channel": {"id": channel},
            "message": {"ts": key, "thread_ts": key},
            "state": {"values": {}},
            "response_url": "https://hooks.slack.com/actions/T/1/x",
            "actions": [
                {
                    "action_id": action,
                    "block_id": "blk",
                    "type": "button",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        await self.slack(urlencode({"payload": json.dumps(payload)}), FORM)

    async def slack_command(self, user: str, text: str) -> None:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "learn",
            "channel_id": "D" + user[1:],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/learn",
            "text": text,
            "api_app_id": "A0LEARN",
            "response_url": "https://hooks.slack.com/commands/T/1/x",
            "trigger_id": f"tr{self.key()}",
        }
        await self.slack(urlencode(form), FORM)

    async def teams(self, n: int, *, text: str | None = None, value: Any = None) -> None:
        """Post an activity as Bot Framework does (no retry); text messages expect an answer."""
        from tests.adapters.teams.fakes import APP_ID, TENANT

        activity_id = f"{next(self.ids)}{n:05d}"
        body: dict[str, Any] = {
            "type": "message",
            "id": activity_id,
            "timestamp": datetime.now(UTC).isoformat(),
            "channelId": "msteams",
            "serviceUrl": self.fake.service_url,
            "from": {"id": f"29:soak-{n}", "name": f"Learner {n}", "aadObjectId": teams_aad(n)},
            "conversation": {
                "conversationType": "personal",
                "tenantId": TENANT,
                "id": teams_chat(n),
            },
            "recipient": {"id": f"28:{APP_ID}", "name": "learnbot"},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
        }
        if text is not None:
            body |= {"text": text, "textFormat": "plain"}
        if value is not None:
            body["value"] = value
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.fake.token(service_url=self.fake.service_url)}",
        }
        sent = time.monotonic()
        key = "teams:" + activity_id
        status = await self._post("/api/messages", json.dumps(body).encode(), headers, key)
        if 200 <= status < 300:
            if text is not None:
                self.stats.sent["teams:" + activity_id] = sent
                self.stats.what["teams:" + activity_id] = f"{n} {text}"
        else:
            self.stats.errors += 1


FORM = "application/x-www-form-urlencoded"


def teams_aad(n: int) -> str:
    return f"6b703ce3-0000-4fe6-b90c-{n:012d}"


def teams_chat(n: int) -> str:
    return f"a:soak-chat-{n}"


def slack_user(n: int) -> str:
    return f"U0S{n:06d}"


async def pause(rng: random.Random, gap: float, end: float) -> None:
    """A learner's thinking time (exponential, mean `gap`), never past the end."""
    await asyncio.sleep(min(rng.expovariate(1 / gap), max(0.0, end - time.monotonic())))


async def learner(driver: Driver, n: int, *, teams: bool, start: float, end: float, gap: float):  # type: ignore[no-untyped-def]
    """One learner: says hello, then asks, clicks and runs commands until the end."""
    rng = random.Random(n)
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    me = teams_chat(n) if teams else slack_user(n)
    first = True
    while time.monotonic() < end:
        buttons = [
            b for b in driver.ledger.buttons.pop(me, []) if not any(w in b[0] for w in AVOID)
        ]
        roll = rng.random()
        if first:
            text = "hi"
        elif buttons and roll < 0.45:
            action, value = rng.choice(buttons)
            if teams:
                await driver.teams(n, value=value)
            else:
                await driver.slack_click(me, action, value)
            await pause(rng, gap, end)
            continue
        elif roll < 0.6:
            command = rng.choice(TEAMS_COMMANDS if teams else SLACK_COMMANDS)
            if teams:
                await driver.teams(n, text=command)
            else:
                await driver.slack_command(me, command)
            await pause(rng, gap, end)
            continue
        else:
            text = rng.choice(QUESTIONS)
        first = False
        if teams:
            await driver.teams(n, text=text)
        else:
            await driver.slack_dm(me, text)
        await pause(rng, gap, end)
