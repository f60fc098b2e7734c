"""`learnbot serve` killed (SIGKILL) after a Slack message was received and acknowledged and
before its work was done: the next start processes it, once; Slack's retry is then ignored."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import build_app
from bot.settings import Settings
from bot.storage.journal import DONE, RECEIVED, EventLog
from bot.storage.tables import processed_events
from tests.adapters.slack.fake_slack import TEAM, FakeSlack
from tests.adapters.slack.harness import SECRET, signed_headers
from tests.faults.workers import kill, stop, wait_until, worker, worker_env


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(auto_users=True).start()
    yield server
    server.stop()


def dm(url: str, user: str, text: str, event_id: str, *, retry: int = 0) -> int:
    """POST a signed DM event to the server, as Slack would; returns the HTTP status."""
    body = json.dumps(
        {
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
                "ts": f"{time.time():.6f}",
                "team": TEAM,
            },
        }
    )
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    request = urllib.request.Request(url + "/slack/events", body.encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def served_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    raise AssertionError("the server did not start")


def posts_to(fake: FakeSlack, channel: str) -> int:
    return sum(1 for c in fake.named("chat.postMessage") if c.params.get("channel") == channel)


def test_a_message_whose_server_was_killed_is_processed_once_on_the_next_start(
    tmp_path: Path, db_url: str, fake: FakeSlack
) -> None:
    home = tmp_path / "home"
    values = {
        "LEARNBOT_HOME": str(home),
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
    }
    settings = Settings(**values, _env_file=None)  # type: ignore[arg-type]
    core = build_app(settings)
    events = EventLog(core.services.engine)
    env = worker_env(values)
    command = (sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0")
    command += ("--no-worker",)

    # 1. Received and acknowledged; the work waits on users.info, and the server is killed.
    fake.stall("users.info", 60)
    with worker(env, tmp_path, command) as first:
        url = served_url(first)
        assert dm(url, "U0ANA", "help", "EvKILLED") == 200
        wait_until(lambda: bool(fake.named("users.info")), timeout=30, what="work to start")
        kill(first)
    assert events.status("slack:EvKILLED") == RECEIVED
    assert posts_to(fake, "D0ANA") == 0
    fake.stall("users.info", 0)
    # The dead server's lease runs out (without waiting its minute).
    with core.services.engine.begin() as conn:
        conn.execute(
            update(processed_events)
            .where(processed_events.c.key == "slack:EvKILLED")
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )

    # 2. The next start finishes it; a retry of it afterwards is ignored.
    with worker(env, tmp_path, command) as second:
        url = served_url(second)
        wait_until(
            lambda: events.status("slack:EvKILLED") == DONE, timeout=60, what="the message done"
        )
        answered = posts_to(fake, "D0ANA")
        assert dm(url, "U0BEN", "help", "EvNORMAL") == 200  # the same message, undisturbed
        wait_until(lambda: events.status("slack:EvNORMAL") == DONE, timeout=60, what="normal")
        assert dm(url, "U0ANA", "help", "EvKILLED", retry=1) == 200
        time.sleep(1.0)
        stop(second)
    assert answered >= 1
    assert answered == posts_to(fake, "D0BEN")
    assert posts_to(fake, "D0ANA") == answered
    core.services.engine.dispose()
