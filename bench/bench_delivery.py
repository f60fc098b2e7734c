"""Delivery throughput against a local fake platform that enforces the platforms' rate limits.

The fake server answers HTTP 429 with Retry-After when a Slack channel gets more than one
message per second, or a Teams tenant more than 50 requests per second. Nudges go from the
outbox (a SQLite file) through the real delivery worker and a real HTTP client port, once
with pacing (token buckets per channel / tenant) and once without (429s and retries only).

    python bench/bench_delivery.py [--nudges 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from bot.app import build_app
from bot.core.events import Channel, Identity, UserInfo
from bot.core.ports import ChatPorts, Delivered, DeliveryFailed
from bot.core.replies import Reply
from bot.settings import Settings
from learning.profile import Profile
from nudges.delivery import DeliveryConfig, DeliveryStats
from nudges.pacing import Pacer
from nudges.planner import PlannedNudge
from nudges.service import nudge_service

LIMITS = {"slack": (1, 1.0), "teams": (50, 1.0)}  # (requests, per seconds) per channel / tenant


class FakePlatform(BaseHTTPRequestHandler):
    """POST /slack/<channel> and /teams/<tenant>/<user>: 200, or 429 over the limit."""

    windows: ClassVar[dict[str, deque[float]]] = defaultdict(deque)
    lock = threading.Lock()
    counts: ClassVar[dict[str, int]] = defaultdict(int)
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        platform, key = self.path.strip("/").split("/", 2)[:2]
        limit, per = LIMITS[platform]
        now = time.monotonic()
        with self.lock:
            window = self.windows[f"{platform}:{key}"]
            while window and now - window[0] >= per:
                window.popleft()
            limited = len(window) >= limit
            if not limited:
                window.append(now)
            self.counts["429" if limited else "200"] += 1
            retry = per - (now - window[0]) if limited else 0.0
        body = json.dumps({"ok": not limited, "ts": f"{now:.6f}"}).encode()
        self.send_response(429 if limited else 200)
        if limited:
            self.send_header("Retry-After", f"{max(1, round(retry))}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class HttpPort:
    """A chat port that posts over HTTP like the Slack Web API or the Bot Framework connector."""

    platform: str
    host: str
    port: int
    _local: threading.local = field(default_factory=threading.local)

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            self._local.conn = conn
        return conn

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        key = identity.user_id if self.platform == "slack" else identity.workspace
        path = f"/{self.platform}/{key}/{identity.user_id}"
        body = json.dumps({"text": reply.fallback}).encode()
        conn = self._conn()
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            self._local.conn = None
            raise DeliveryFailed(type(err).__name__, retryable=True) from err
        if response.status == 429:
            retry = float(response.getheader("Retry-After", "1"))
            raise DeliveryFailed("rate limited", retryable=True, retry_after=retry)
        if response.status >= 500:
            raise DeliveryFailed(f"HTTP {response.status}", retryable=True)
        return Delivered(self.platform, key, json.loads(data)["ts"])

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        return sent


class RealClock:
    """The system clock (rate limits are about real seconds)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def scenario(
    platform: str, nudges: int, *, paced: bool, server: tuple[str, int]
) -> dict[str, float]:
    """Deliver `nudges` nudges on one platform and measure."""
    home = Path(tempfile.mkdtemp(prefix="lb-bench-"))
    core = build_app(Settings(LEARNBOT_HOME=home, _env_file=None), clock=RealClock())  # type: ignore[arg-type]
    services = core.services
    now = services.clock.now()
    # Slack: three nudges per DM channel; Teams: everyone in two tenants.
    per_learner = 3 if platform == "slack" else 1
    learners = nudges // per_learner
    nudges = learners * per_learner
    profile = Profile(
        timezone="UTC",
        work_days="1234567",
        work_start=now.time().replace(hour=0, minute=0),
        work_end=now.time().replace(hour=23, minute=59),
        quiet_start=now.time().replace(hour=0, minute=0),
        quiet_end=now.time().replace(hour=0, minute=0),
        nudges_per_day=20,
        nudges_per_week=100,
    )
    outbox = nudge_service(services).outbox
    for i in range(learners):
        workspace = "T1" if platform == "slack" else f"tenant-{i % 2}"
        learner = services.learners.resolve(
            Identity(platform, workspace, f"U{i}"), UserInfo(), now=now
        )
        services.profiles.save(learner.id, profile, now=now)
        plan = [
            PlannedNudge(now, now, "next_step", f"m{k}", f"m{k}", "Module", "why", 5, 1.0)
            for k in range(per_learner)
        ]
        outbox.apply_plan(learner.id, plan, now=now - timedelta(hours=1))
    service = nudge_service(services)
    service.services.chat_ports = ChatPorts({platform: HttpPort(platform, *server)})
    delivery = service.delivery(config=DeliveryConfig(min_gap=timedelta(0), max_attempts=20))
    if not paced:
        delivery.pacer = Pacer({}, clock=time.monotonic)
    FakePlatform.counts.clear()
    started = time.perf_counter()
    total = DeliveryStats()
    deadline = started + 300
    while total.sent + total.dead < nudges and time.perf_counter() < deadline:
        stats = delivery.run_once()
        total.add(stats)
        if stats.claimed == 0:
            time.sleep(0.01)
    elapsed = time.perf_counter() - started
    services.engine.dispose()
    return {
        "sent": total.sent,
        "dead": total.dead,
        "seconds": elapsed,
        "per_second": total.sent / elapsed,
        "http_429": FakePlatform.counts["429"],
        "retries": total.retried,
        "deferred": total.deferred,
    }


def main() -> None:
    """Run the four scenarios and print one line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--nudges", type=int, default=1000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePlatform)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    address = ("127.0.0.1", server.server_address[1])
    print(
        f"{args.nudges:,} nudges per scenario; limits: Slack 1/s per channel, Teams 50/s per tenant"
    )
    for platform, note in (("slack", "3 per DM channel"), ("teams", "2 tenants")):
        for paced in (True, False):
            r = scenario(platform, args.nudges, paced=paced, server=address)
            print(
                f"{platform:<5} {note:<16} {'paced' if paced else 'unpaced':<8} "
                f"{r['sent']:>5} sent in {r['seconds']:5.1f} s = {r['per_second']:6.1f}/s, "
                f"{r['http_429']:>4} HTTP 429, {r['retries']:>4} retries, "
                f"{r['deferred']:>4} held back by pacing, {r['dead']} dead"
            )
    server.shutdown()


if __name__ == "__main__":
    main()
