"""Slack acknowledgement latency under a burst, then steady load, against `learnbot serve`.

The server runs in its own process on loopback, with SLACK_API_URL pointing at the fake
Slack Web API (another process, tests/adapters/slack/fake_slack.py). The load: a burst of
150 simultaneous signed requests (two thirds DM questions, one third dialog button clicks),
then 20 requests per second for 10 s. It reports acknowledgement latency (p50/p99/max, and
how many took over 3 s) and whether every answer was delivered to the Web API afterwards.

Usage:
    .venv/bin/python bench/bench_slack_ack.py                 # the real `learnbot serve`
    .venv/bin/python bench/bench_slack_ack.py --slow-ms 400   # each question takes 400 ms
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
TEAM = "T0LEARN"
BURST = 150
RATE = 20
SECONDS = 10


def _run_fake(queue: Any, stop: Any) -> None:
    from tests.adapters.slack.fake_slack import FakeSlack

    fake = FakeSlack(auto_users=True).start()
    queue.put(fake.url)
    stop.wait()
    fake.stop()


def _child_server(port_file: str, slow_ms: int) -> None:
    """`learnbot serve`, with a content library that takes `slow_ms` per question."""
    from bot.adapters.server import ServeOptions, build_web_app, serve_forever
    from bot.app import build_app
    from bot.context import Lazy
    from bot.settings import load_settings
    from tests.fakes import StandInLibrary, use_features

    def slow_answer(text: str) -> str:
        time.sleep(slow_ms / 1000)
        return f"An answer to: {text}"

    core = build_app(load_settings())
    use_features(core.services, library=Lazy.ready(StandInLibrary(slow_answer)))
    web_app = build_web_app(core, options=ServeOptions())

    def echo(line: str) -> None:
        print(line, flush=True)
        if line.startswith("learnbot is serving"):
            Path(port_file).write_text(line)

    asyncio.run(serve_forever(web_app, host="127.0.0.1", port=0, echo=echo))


def _seed(env: dict[str, str], clickers: list[str], askers: list[str]) -> dict[str, str]:
    """Onboarded askers, and clickers each waiting at an onboarding welcome; their button values."""
    from bot.app import build_app
    from bot.context import Context
    from bot.core.events import Channel, Event, Identity, UserInfo
    from bot.settings import Settings

    settings = Settings(LEARNBOT_HOME=env["LEARNBOT_HOME"], _env_file=None)
    core = build_app(settings)
    services, now = core.services, core.services.clock.now()
    values = {}
    for user in askers + clickers:
        identity = Identity("slack", TEAM, user)
        learner = services.learners.resolve(identity, UserInfo(), now=now)
        if user in askers:
            profile = services.profiles.get(learner.id).with_changes(onboarded_at=now)
            services.profiles.save(learner.id, profile, now=now)
            continue
        ctx = Context(Event(identity, Channel("D" + user[1:])), learner, services, now)
        core.router.dialogs.start(ctx, "onboarding")
        record = services.dialogs.active(learner.id)
        assert record is not None
        values[user] = f"{record.id}:0:go"
    services.engine.dispose()
    return values


def _signed(body: str) -> dict[str, str]:
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
    }


def _question(user: str, n: int) -> tuple[str, str]:
    body = {
        "type": "event_callback",
        "team_id": TEAM,
        "event_id": f"EvBench{n:06d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user[1:],
            "user": user,
            "text": f"How do I request leave? ({n})",
            "ts": f"{time.time():.6f}",
        },
    }
    return json.dumps(body), "application/json"


def _click(user: str, value: str) -> tuple[str, str]:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "D" + user[1:],
        },
        "actions": [{"action_id": "dlg#b1", "value": value, "type": "button", "action_ts": "1"}],
        "trigger_id": "t",
        "api_app_id": "A0LEARN",
    }
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"


async def _send(
    session: aiohttp.ClientSession, url: str, body: str, kind: str
) -> tuple[float, int]:
    headers = {"Content-Type": kind, **_signed(body)}
    start = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        return time.perf_counter() - start, response.status


async def _load(url: str, requests: list[tuple[str, str]]) -> list[tuple[float, int]]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        burst = await asyncio.gather(*(_send(session, url, b, k) for b, k in requests[:BURST]))
        steady = []
        start = time.perf_counter()
        for i, (body, kind) in enumerate(requests[BURST:]):
            delay = start + i / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            steady.append(asyncio.ensure_future(_send(session, url, body, kind)))
        return list(burst) + list(await asyncio.gather(*steady))


def _delivered(api_url: str) -> tuple[dict[str, int], int]:
    """Answers per channel (a post, or a placeholder's update) and how many placeholders."""
    import urllib.request

    with urllib.request.urlopen(api_url.replace("/api/", "/_record")) as response:
        calls = json.loads(response.read())["calls"]
    per_channel: dict[str, int] = {}
    placeholders = 0
    for method, channel, ok, text in calls:
        if not ok or method not in ("chat.postMessage", "chat.update"):
            continue
        if method == "chat.postMessage" and text.startswith("Looking that up"):
            placeholders += 1
            continue
        per_channel[channel] = per_channel.get(channel, 0) + 1
    return per_channel, placeholders


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--slow-ms", type=int, default=0, help="Make every question take this long."
    )
    parser.add_argument("--child-server", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_server:
        _child_server(args.child_server, args.slow_ms)
        return

    ctx = multiprocessing.get_context("spawn")
    queue, stop = ctx.Queue(), ctx.Event()
    fake = ctx.Process(target=_run_fake, args=(queue, stop), daemon=True)
    fake.start()
    api_url = queue.get(timeout=30)
    total = BURST + RATE * SECONDS
    users = [f"U{n:05d}" for n in range(total)]
    clickers = users[::3]
    askers = [u for u in users if u not in set(clickers)]
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "LEARNBOT_HOME": home,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": api_url,
            "PYTHONPATH": str(ROOT),
            "LEARNBOT_LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_URL", None)
        values = _seed(env, clickers, askers)
        port_file = Path(home) / "port.txt"
        if args.slow_ms:
            command = [
                sys.executable,
                __file__,
                "--child-server",
                str(port_file),
                "--slow-ms",
                str(args.slow_ms),
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
            ]
        server = subprocess.Popen(
            command, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert server.stdout is not None
        line = ""
        for line in server.stdout:
            if "serving on" in line:
                break
        port = re.search(r":(\d+) ", line)
        assert port, line
        url = f"http://127.0.0.1:{port.group(1)}/slack/events"
        requests = [
            _click(u, values[u]) if u in values else _question(u, n) for n, u in enumerate(users)
        ]
        started = time.perf_counter()
        results = asyncio.run(_load(url, requests))
        load_done = time.perf_counter()
        delivered: dict[str, int] = {}
        placeholders = 0
        while time.perf_counter() - load_done < 120:
            delivered, placeholders = _delivered(api_url)
            if sum(delivered.values()) >= total:
                break
            time.sleep(0.2)
        all_delivered = time.perf_counter() - started
        server.terminate()
        server.communicate(timeout=60)
    stop.set()
    fake.join(10)
    _report(args, results, delivered, total, all_delivered)
    print(f"placeholders posted ('Looking that up…', later updated): {placeholders}")


def _report(
    args: Any,
    results: list[tuple[float, int]],
    delivered: dict[str, int],
    total: int,
    all_delivered: float,
) -> None:
    burst = [r[0] * 1000 for r in results[:BURST]]
    steady = [r[0] * 1000 for r in results[BURST:]]
    every = burst + steady
    statuses = sorted({r[1] for r in results})
    print(
        f"requests: {len(results)} (burst {BURST}, then {RATE}/s for {SECONDS} s);"
        f" statuses {statuses}"
    )
    print(
        f"questions take {args.slow_ms} ms in the core"
        if args.slow_ms
        else "questions: answered at once by a stand-in library"
    )
    for name, values in (("burst", burst), ("steady", steady), ("all", every)):
        print(
            f"ack {name:<6} p50 {statistics.median(values):7.1f} ms"
            f"  p99 {_pct(values, 0.99):7.1f} ms"
            f"  max {max(values):7.1f} ms  over 3 s: {sum(v > 3000 for v in values)}"
        )
    doubles = sum(1 for count in delivered.values() if count > 1)
    print(
        f"answers delivered: {sum(delivered.values())} of {total}"
        f" (channels with more than one: {doubles});"
        f" all delivered {all_delivered:.1f} s after the first request"
    )


if __name__ == "__main__":
    main()
