"""The Teams server killed (SIGKILL) after an activity was recorded and acknowledged and before
its turn was done: the next start runs it once, through the real botbuilder SDK against the
local Bot Connector; Bot Framework's redelivery of it is then ignored."""

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
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import build_app
from bot.settings import Settings
from bot.storage.journal import DONE, RECEIVED, EventLog
from bot.storage.tables import processed_events
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT, Call, FakeBotFramework
from tests.faults.workers import kill, stop, wait_until, worker, worker_env

BOT_ID = f"28:{APP_ID}"


@pytest.fixture
def fake() -> Iterator[FakeBotFramework]:
    server = FakeBotFramework().start()
    yield server
    server.stop()


def message(fake: FakeBotFramework, n: int, activity_id: str, text: str) -> dict[str, Any]:
    """A personal-chat message from user `n`, shaped like Teams' own."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
        "from": {"id": f"29:user-{n}", "name": f"Learner {n}", "aadObjectId": f"aad-user-{n}"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": chat(n)},
        "recipient": {"id": BOT_ID, "name": "learnbot"},
        "channelData": {"tenant": {"id": TENANT}},
        "text": text,
        "textFormat": "plain",
    }


def chat(n: int) -> str:
    return f"a:personal-chat-{n}"


def post(url: str, fake: FakeBotFramework, body: dict[str, Any]) -> int:
    """POST the activity with a channel token, as Bot Framework would; the HTTP status."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {fake.token(service_url=body['serviceUrl'])}",
    }
    request = urllib.request.Request(
        url + "/api/messages", json.dumps(body).encode(), headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def served_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    raise AssertionError("the server did not start")


def posts_to(fake: FakeBotFramework, n: int) -> list[Call]:
    return [c for c in fake.messages() if c.conversation_id == chat(n)]


def key(n: int, activity_id: str) -> str:
    import hashlib

    return f"teams:{hashlib.sha256(chat(n).encode()).hexdigest()[:24]}:{activity_id}"


def test_an_activity_whose_server_was_killed_is_answered_once_on_the_next_start(
    tmp_path: Path, db_url: str, fake: FakeBotFramework
) -> None:
    values = {
        "LEARNBOT_HOME": str(tmp_path / "home"),
        "DATABASE_URL": db_url,
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TENANT_ID": TENANT,
    }
    core = build_app(Settings(**values, _env_file=None))  # type: ignore[arg-type]
    events = EventLog(core.services.engine)
    env = worker_env(values)
    command = (sys.executable, "-m", "tests.faults.teams_server", fake.url)

    # 1. Recorded and acknowledged; the turn waits on the roster (first contact), and the
    #    server is killed.
    fake.member_delay = 60
    with worker(env, tmp_path, command) as first:
        url = served_url(first)
        started = time.monotonic()
        assert post(url, fake, message(fake, 0, "1001", "help")) == 200
        assert time.monotonic() - started < 10, "acknowledged without waiting for the turn"
        wait_until(lambda: bool(fake.member_lookups), timeout=30, what="the turn to start")
        kill(first)
    assert events.status(key(0, "1001")) == RECEIVED
    assert posts_to(fake, 0) == []
    fake.member_delay = 0
    # The dead server's lease runs out (without waiting its minute).
    with core.services.engine.begin() as conn:
        conn.execute(
            update(processed_events)
            .where(processed_events.c.key == key(0, "1001"))
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )

    # 2. The next start runs it; the same message from someone else is answered alike, and a
    #    redelivery of the first is ignored.
    with worker(env, tmp_path, command) as second:
        url = served_url(second)
        wait_until(lambda: events.status(key(0, "1001")) == DONE, timeout=60, what="resumed")
        answered = len(posts_to(fake, 0))
        assert post(url, fake, message(fake, 1, "2001", "help")) == 200
        wait_until(lambda: events.status(key(1, "2001")) == DONE, timeout=60, what="normal")
        assert post(url, fake, message(fake, 0, "1001", "help")) == 200
        time.sleep(1.0)
        stop(second)
    assert answered >= 1
    assert len(posts_to(fake, 0)) == answered, "the redelivery was not answered again"
    assert answered == len(posts_to(fake, 1))
    assert all(c.activity_id == "1001" for c in posts_to(fake, 0)), "replies to the message"
    core.services.engine.dispose()
