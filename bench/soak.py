"""A local cluster under load, with kills: lost or duplicated answers and nudges.

Starts, on this machine: a fresh PostgreSQL database (`learnbot_soak_<pid>`, dropped at the
end), `chroma run` on a free port, two `learnbot serve` replicas (each also delivering
nudges, as in deploy/compose.yaml) behind a round-robin proxy, two `learnbot worker`s, and
the tests' fake Slack Web API and fake Bot Framework (tests/adapters/slack/fake_slack.py,
tests/adapters/teams/fakes.py), both answering some calls with 429 + Retry-After.

N simulated learners (a quarter on Teams) then write, click buttons and run commands for M
minutes: signed Slack events and interactions, and Bot Framework activities with tokens
signed by the fake's key, all through the proxy. Some learners are onboarded with every hour
a working one and get nudges planned into the outbox in waves during the run. Mid-run K
times a replica and a worker are killed (SIGKILL) and started again.

An answer is the bot's reply to one learner message (a DM in its own thread on Slack, an
activity on Teams, matched by its reply-to id, whether it came in the turn or proactively).
Each process incarnation talks to the fakes with a token of its own, so answers to one
message from two incarnations are a duplicate; within one incarnation an answer is one run of
posts and updates. A "Looking that up…" placeholder is no answer: one that only shows the
message was lost; one left beside an answer (its holder died, another answered) is counted in
`placeholders_stale`. Printed: one JSON line `{"learners", "messages", "answers_lost",
"answers_duplicated", "placeholders_stale", "nudges_due", "nudges_sent", "nudges_duplicated",
"nudges_resent_after_crash", "nudges_lost", "ack_p99_ms", "turn_p99_ms", "errors"}`; the exit
status is 1 when anything is lost or duplicated beyond README's promises (Slack nudges exactly
once, a Teams nudge resent at most once after a crash). `errors`: requests never acknowledged
(after Slack's retries; a Teams turn in flight at a killed replica is one) and processes that
exited on their own.

    python bench/soak.py [--learners 1000] [--minutes 5] [--kills 1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

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
DRAIN_SECONDS = 100.0
_teams_fake_url = ""


# -- the replica (run as `python bench/soak.py replica`) -------------------------------------


def mount_teams(web_app: web.Application, core: Any, *, insecure_dev: bool) -> bool:
    """The Teams endpoint as `learnbot serve` mounts it, trusting the fake's keys and tokens."""
    from bot.adapters.teams.endpoint import BotFrameworkCloud, mount
    from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT
    from tests.adapters.teams.fakes import _LocalCredentialsFactory as LocalCredentialsFactory

    url = _teams_fake_url
    openid = f"{url}/openid/.well-known/openidconfiguration"
    cloud = BotFrameworkCloud(
        channel_openid_metadata_url=openid,
        channel_token_issuer="https://botframework.local.test",
        emulator_openid_metadata_url=openid,
        login_url=f"{url}/login/",
    )

    @dataclass
    class Remote:
        url: str

    class OneTokenFactory(LocalCredentialsFactory):  # type: ignore[misc,valid-type]
        """One outbound token per process, so the fake can tell processes apart."""

        async def create_credentials(self, *args: Any, **kwargs: Any) -> Any:
            credentials = await super().create_credentials(*args, **kwargs)
            fetch = credentials.get_access_token
            credentials.get_access_token = lambda force_refresh=False: _token(fetch)
            return credentials

    factory = OneTokenFactory(Remote(url), APP_ID, APP_PASSWORD, TENANT)
    return mount(web_app, core, insecure_dev=insecure_dev, cloud=cloud, credentials_factory=factory)


_tokens: list[str] = []


def _token(fetch: Any) -> str:
    if not _tokens:
        _tokens.append(fetch())
    return _tokens[0]


def run_replica(port: int, teams_fake: str) -> None:
    """`learnbot serve` (with its in-process nudge worker), Teams aimed at the fake."""
    global _teams_fake_url
    import logging

    from bot.adapters.server import ServeOptions, build_web_app, serve_forever
    from bot.cli import open_app
    from bot.cli.serve import _start_worker, _warm_up

    _teams_fake_url = teams_fake
    core = open_app()
    logging.basicConfig(level=core.settings.log_level, format="%(asctime)s %(name)s: %(message)s")
    mounters = ("bot.adapters.slack.server:mount", "teams=__main__:mount_teams")
    web_app = build_web_app(core, options=ServeOptions(), mounters=mounters)
    _warm_up(core)
    stop_worker = _start_worker(core)
    try:
        asyncio.run(serve_forever(web_app, host="127.0.0.1", port=port, echo=print))
    finally:
        stop_worker()


# -- infrastructure ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float, what: str, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up at {url}")


@contextmanager
def database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"learnbot_soak_{os.getpid()}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Proc:
    """One learnbot (or chroma) process that can be killed and started again."""

    name: str
    command: list[str]
    env: dict[str, str]
    logs: Path
    incarnation: int = 0
    proc: subprocess.Popen[bytes] | None = None
    killed: bool = False
    url: str = ""

    def start(self, **extra: str) -> None:
        self.incarnation += 1
        self.killed = False
        env = self.env | {"SLACK_BOT_TOKEN": f"xoxb-{self.name}-{self.incarnation}"} | extra
        log = open(self.logs / f"{self.name}-{self.incarnation}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.command, env=env, cwd=ROOT, stdout=log, stderr=log)

    def kill(self) -> None:
        assert self.proc is not None
        self.killed = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def exited_on_its_own(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None and not self.killed

    def peak_mb(self) -> int:
        """The process's peak resident memory (VmHWM), 0 when it is gone."""
        try:
            status = Path(f"/proc/{self.proc.pid if self.proc else 0}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        return 0

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Proxy:
    """Round-robin HTTP proxy: a refused connection goes to the next replica (nginx's
    `proxy_next_upstream error`); an upstream that fails mid-request is a 502."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.turn = itertools.count()
        self.session: aiohttp.ClientSession | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=200),
        )
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def forward(self, request: web.Request) -> web.Response:
        assert self.session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        first = next(self.turn)
        for n in range(len(self.upstreams)):
            upstream = self.upstreams[(first + n) % len(self.upstreams)]
            try:
                async with self.session.request(
                    request.method, upstream + request.path_qs, data=body, headers=headers
                ) as answer:
                    data = await answer.read()
                    kept = {"Content-Type": answer.headers.get("Content-Type", "text/plain")}
                    kept["X-Soak-Upstream"] = upstream
                    return web.Response(status=answer.status, body=data, headers=kept)
            except aiohttp.ClientConnectorError:
                continue
            except (TimeoutError, aiohttp.ClientError):
                return web.Response(status=502, text="upstream failed")
        return web.Response(status=502, text="no upstream")


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


def _fake_teams_class() -> Any:
    from tests.adapters.teams.fakes import FakeBotFramework

    class RefusalsKept(FakeBotFramework):  # type: ignore[misc,valid-type]
        """The fake Bot Framework, listing each recorded call once answered, with whether it
        was refused."""

        def __post_init__(self) -> None:
            super().__post_init__()
            self.settled: list[tuple[Any, bool]] = []

        async def _activity(self, request: web.Request) -> web.Response:
            answer = await super()._activity(request)
            # No await between recording the call and answering it: it is the last one.
            self.settled.append((self.calls[-1], answer.status >= 400))
            return answer

    return RefusalsKept


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


# -- nudges ----------------------------------------------------------------------------------


def seed_nudge_learners(settings: Any, fake: Any, slack_ids: list[int], teams_ids: list[int]):  # type: ignore[no-untyped-def]
    """Onboarded learners for whom every minute is a working one; Teams chats remembered."""
    from bot.app import build_app
    from bot.core.events import Identity, UserInfo
    from bot.storage.conversations import ConversationRef, ConversationRepository
    from tests.adapters.teams.fakes import TENANT
    from tests.faults.workers import ALWAYS

    core = build_app(settings)
    services = core.services
    now = datetime.now(UTC)
    chats = ConversationRepository(services.engine)
    learners = []
    for n in slack_ids:
        identity = Identity("slack", TEAM, slack_user(n))
        learners.append(services.learners.resolve(identity, UserInfo(f"S{n}"), now=now).id)
    for n in teams_ids:
        identity = Identity("teams", TENANT, teams_aad(n))
        learners.append(services.learners.resolve(identity, UserInfo(f"T{n}"), now=now).id)
        reference = {
            "bot": {"id": "28:bot", "name": "learnbot"},
            "user": {"id": f"29:soak-{n}", "aadObjectId": teams_aad(n)},
            "conversation": {"conversationType": "personal", "id": teams_chat(n)},
            "channelId": "msteams",
            "serviceUrl": fake.service_url,
        }
        chats.remember(
            ConversationRef(
                teams_chat(n),
                TENANT,
                "personal",
                fake.service_url,
                reference,
                f"29:soak-{n}",
                teams_aad(n),
            ),
            now=now,
        )
    for lid in learners:
        profile = services.profiles.get(lid).with_changes(onboarded_at=now, **ALWAYS)
        services.profiles.save(lid, profile, now=now)
    return core, learners


def plan_wave(core: Any, learners: list[str], wave: int) -> None:
    """Plan one nudge for each of `learners`, due in a few seconds (the outbox API the
    planning tick writes through)."""
    from nudges.planner import NEXT_STEP, PlannedNudge
    from nudges.service import nudge_service

    outbox = nudge_service(core.services).outbox
    now = datetime.now(UTC)
    at = now + timedelta(seconds=3)
    for lid in learners:
        plan = PlannedNudge(
            at, at, NEXT_STEP, f"soak-{wave}", None, f"Soak step {wave}", "why now", 5, 1.0
        )
        outbox.apply_plan(lid, [plan], now=now)


def nudge_rows(core: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from bot.storage.tables import outbox

    with core.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox))]


# -- the run ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def busy(replica: Proc, ledger: Ledger, stats: Stats, slack: Any, teams: Any) -> int:
    """Wait (up to 10 s) until `replica` holds an acknowledged, unanswered message, so the
    kill catches work in flight."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        ledger.scan(slack, teams)
        held = [
            k
            for k, u in list(stats.upstream.items())
            if u == replica.url and k in stats.sent and not ledger.answered(k)
        ]
        if held:
            return len(held)
        await asyncio.sleep(0.05)
    return 0


def phase(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(f"soak: {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


async def soak(args: argparse.Namespace, settings: Any, env: dict[str, str], tmp: Path) -> dict:  # type: ignore[type-arg]
    from tests.adapters.slack.fake_slack import FakeSlack

    RefusalsKept = _fake_teams_class()
    slack = FakeSlack(auto_users=True).start()
    teams_fake = RefusalsKept().start()
    env = env | {"SLACK_API_URL": slack.url}
    logs = tmp / "logs"
    logs.mkdir()
    n_teams = args.learners // 4
    teams_ns = list(range(n_teams))
    slack_ns = list(range(n_teams, args.learners))
    nudged_slack = slack_ns[:: max(1, len(slack_ns) // max(1, args.learners // 5))]
    nudged_teams = teams_ns[:: max(1, len(teams_ns) // max(1, args.learners // 15))]
    core, nudge_learners = await asyncio.to_thread(
        seed_nudge_learners, settings, teams_fake, nudged_slack, nudged_teams
    )
    python = sys.executable
    replicas = []
    for name in ("serve-a", "serve-b"):
        port = free_port()
        command = [python, str(Path(__file__)), "replica", "--port", str(port)]
        proc = Proc(name, [*command, "--teams-fake", teams_fake.url], env, logs)
        proc.url = f"http://127.0.0.1:{port}"
        replicas.append(proc)
    workers = [
        Proc(name, [python, "-m", "bot.cli", "worker"], env, logs)
        for name in ("worker-a", "worker-b")
    ]
    everyone = replicas + workers
    ledger, stats = Ledger(), Stats()
    proxy = Proxy([r.url for r in replicas])
    driver: Driver | None = None
    try:
        for proc in everyone:
            proc.start()
        for proc in replicas:
            await asyncio.to_thread(wait_http, proc.url + "/healthz", 180, proc.name, proc.proc)  # type: ignore[arg-type]
        await proxy.start()
        phase(args, "replicas up; learners start")
        driver = Driver(proxy.url, teams_fake, ledger, stats)
        seconds = args.minutes * 60
        begin = time.monotonic()
        end = begin + seconds
        gap = max(0.5, args.learners / args.rate)
        ramp = min(seconds * 0.3, 30.0)
        tasks = [
            asyncio.create_task(
                learner(
                    driver,
                    n,
                    teams=n < n_teams,
                    start=begin + ramp * n / max(1, args.learners),
                    end=end,
                    gap=gap,
                )
            )
            for n in range(args.learners)
        ]
        waves = 4
        wave_size = -(-len(nudge_learners) // waves)
        # Kills in the first 60% of the run, so a dead holder's events (60 s leases) come
        # back within the drain.
        kill_at = [begin + seconds * 0.6 * (k + 1) / (args.kills + 1) for k in range(args.kills)]
        wave_at = [begin + seconds * (w + 0.5) / (waves + 1) for w in range(waves)]
        rate_limit_every, next_limit = 5.0, begin + 5.0
        while time.monotonic() < end:
            ledger.scan(slack, teams_fake)
            now = time.monotonic()
            if wave_at and now >= wave_at[0]:
                w = waves - len(wave_at)
                wave_at.pop(0)
                chunk = nudge_learners[w * wave_size : (w + 1) * wave_size]
                await asyncio.to_thread(plan_wave, core, chunk, w)
            if kill_at and now >= kill_at[0]:
                kill_at.pop(0)
                k = args.kills - len(kill_at) - 1
                held = await busy(replicas[k % 2], ledger, stats, slack, teams_fake)
                phase(args, f"killing {replicas[k % 2].name} holding {held} unanswered message(s)")
                for proc in (replicas[k % 2], workers[k % 2]):
                    proc.kill()
                await asyncio.sleep(1.0)
                for proc in (replicas[k % 2], workers[k % 2]):
                    proc.start()
            if now >= next_limit:
                next_limit = now + rate_limit_every
                slack.fail("chat.postMessage", 429, retry_after=1)
                teams_fake.fail_next(429, retry_after="1")
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks)
        phase(args, "load over; draining")
        load_end = datetime.now(UTC)
        # Drain: every acknowledged message answered, every due nudge settled (or time out).
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            ledger.scan(slack, teams_fake)
            rows = await asyncio.to_thread(nudge_rows, core)
            open_rows = [
                r
                for r in rows
                if r["status"] in ("pending", "claimed", "retry") and r["due_at"] <= load_end
            ]
            if all(ledger.answered(k) for k in stats.sent) and not open_rows:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(3.0)  # late duplicates
        ledger.scan(slack, teams_fake)
        rows = await asyncio.to_thread(nudge_rows, core)
        phase(args, "drained")
        crashed = sum(1 for p in everyone if p.exited_on_its_own())
    finally:
        if driver is not None:
            await driver.session.close()
        await proxy.stop()
        phase(args, "peak memory (MB): " + ", ".join(f"{p.name} {p.peak_mb()}" for p in everyone))
        for proc in everyone:
            proc.terminate()
        await asyncio.gather(
            *(asyncio.to_thread(p.stop) for p in everyone),
            asyncio.to_thread(slack.stop),
            asyncio.to_thread(teams_fake.stop),
        )
        core.services.engine.dispose()
        phase(args, "cluster stopped")
    if args.keep:
        details = {
            "lost": {k: stats.what.get(k) for k in stats.sent if not ledger.answered(k)},
            "duplicated": {
                k: [stats.what.get(k), sorted(ledger.writers(k))]
                for k in stats.sent
                if len(ledger.writers(k)) > 1
            },
            "nudges": {k: v for k, v in ledger.nudges.items() if len(v) > 1},
            "failures": stats.failures,
            "slack": [
                [
                    c.method,
                    c.params.get("channel"),
                    c.params.get("thread_ts"),
                    c.params.get("ts"),
                    c.token,
                    str(c.params.get("text"))[:50],
                    c.at,
                    (c.response or {}).get("ts"),
                ]
                for c in slack.calls
                if c.method.startswith("chat.")
            ],
            "teams": [
                [c.conversation_id, c.activity_id, c.authorization[-12:]] for c in teams_fake.calls
            ],
        }
        (tmp / "details.json").write_text(json.dumps(details, indent=1, default=str))
    return report(args, load_end, stats, ledger, rows, crashed, logs)


def report(
    args: argparse.Namespace,
    load_end: datetime,
    stats: Stats,
    ledger: Ledger,
    rows: list[dict[str, Any]],
    crashed: int,
    logs: Path,
) -> dict[str, Any]:
    lost = [k for k in stats.sent if not ledger.answered(k)]
    duplicated = [k for k in stats.sent if len(ledger.writers(k)) > 1]
    turns = [ledger.first_seen[k] - t for k, t in stats.sent.items() if k in ledger.first_seen]
    due = [r for r in rows if r["status"] != "cancelled" and r["due_at"] <= load_end]
    sent = [r for r in due if ledger.nudges.get(r["id"])]
    nudge_lost = [
        {k: str(r[k]) for k in ("status", "attempts", "last_error", "due_at", "sent_at")}
        for r in due
        if not ledger.nudges.get(r["id"])
    ]
    nudge_dup = resent = 0
    for r in due:
        posts = ledger.nudges.get(r["id"], [])
        # Teams' promise: a nudge whose outcome was unknown is sent once more, marked.
        marked = len(posts) == 2 and posts[1][1] and not posts[0][1]
        if marked and posts[0][0].startswith("Bearer"):
            resent += 1
        else:
            nudge_dup += max(0, len(posts) - 1)
    if lost or duplicated or nudge_lost:
        sample = {"lost": lost[:5], "duplicated": duplicated[:5], "nudges_lost": nudge_lost[:5]}
        print(f"soak: examples {json.dumps(sample)}; logs in {logs}", file=sys.stderr)
    return {
        "learners": args.learners,
        "messages": len(stats.sent),
        "answers_lost": len(lost),
        "answers_duplicated": len(duplicated),
        "placeholders_stale": sum(1 for k in stats.sent if ledger.stale(k)),
        "nudges_due": len(due),
        "nudges_sent": len(sent),
        "nudges_duplicated": nudge_dup,
        "nudges_resent_after_crash": resent,
        "nudges_lost": len(nudge_lost),
        "ack_p99_ms": round(percentile(stats.acks, 0.99) * 1000, 1),
        "turn_p99_ms": round(percentile(turns, 0.99) * 1000, 1),
        "errors": stats.errors + crashed,
    }


def start_chroma(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log = open(tmp / "chroma.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/api/v2/heartbeat", 60, "chroma", proc)
    return proc, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="role")
    replica = sub.add_parser("replica")
    replica.add_argument("--port", type=int, required=True)
    replica.add_argument("--teams-fake", required=True)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--rate", type=float, default=12.0, help="learner actions per second")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the logs and data folder")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL URL whose server gets the soak's own database",
    )
    parser.add_argument(
        "--models-dir",
        default=str(ROOT / ".learnbot" / "models"),
        help="cache of the exported encoder, shared by every process",
    )
    args = parser.parse_args()
    if args.role == "replica":
        run_replica(args.port, args.teams_fake)
        return 0
    if args.learners < 1 or args.minutes <= 0 or args.kills < 0:
        parser.error("--learners and --minutes must be positive, --kills at least 0")
    from bot.settings import Settings
    from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT

    tmp = Path(tempfile.mkdtemp(prefix="learnbot-soak-"))
    chroma = None
    try:
        with database(args.postgres) as url:
            chroma, chroma_url = start_chroma(tmp)
            values = {
                "LEARNBOT_HOME": str(tmp / "home"),
                "LEARNBOT_MODELS_DIR": args.models_dir,
                "DATABASE_URL": url,
                "CHROMA_URL": chroma_url,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_BOT_TOKEN": "xoxb-soak",
                "MICROSOFT_APP_ID": APP_ID,
                "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
                "MICROSOFT_APP_TENANT_ID": TENANT,
                "LEARNBOT_DELIVERY_POLL_SECONDS": "1",
                "LEARNBOT_DELIVERY_LEASE_SECONDS": "20",
                "LEARNBOT_NUDGE_TICK_SECONDS": "30",
                "LEARNBOT_LOG_LEVEL": "WARNING",
            }
            base = {
                k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEARNBOT_"))
            }
            base.pop("DATABASE_URL", None)
            base.pop("CHROMA_URL", None)
            env = base | values | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
            env |= {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
            env |= {"OPENBLAS_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
            phase(args, "database and chroma up; loading the sample library")
            init = [sys.executable, "-m", "bot.cli", "init", "--sample"]
            subprocess.run(init, env=env, cwd=ROOT, check=True, capture_output=True)
            phase(args, "library loaded; starting the cluster")
            settings = Settings(**values, _env_file=None)  # type: ignore[arg-type]
            result = asyncio.run(soak(args, settings, env, tmp))
    finally:
        if chroma is not None:
            chroma.kill()  # its data is a temporary folder
            chroma.wait(20)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if not args.json:
        print(f"soak: {args.learners} learners, {args.minutes} min, {args.kills} kill(s)")
    print(json.dumps(result))
    bad = ("answers_lost", "answers_duplicated", "nudges_duplicated", "nudges_lost")
    return 1 if any(result[k] for k in bad) else 0


_ = threading  # the fakes run their servers on threads of their own

if __name__ == "__main__":
    sys.exit(main())
