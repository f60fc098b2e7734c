"""A `learnbot worker` killed (SIGKILL) after Slack accepted a nudge and before the mark:
the restarted worker finds it in the conversation history; every nudge is posted once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.events import Identity
from bot.settings import Settings
from nudges.outbox import CLAIMED, SENT
from tests.adapters.slack.fake_slack import TEAM, FakeSlack
from tests.faults.workers import kill, rows_now, seed, stop, wait_until, worker, worker_env

USERS = ("U0ANA", "U0BEN", "U0CAT")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(auto_users=True).start()
    yield server
    server.stop()


def test_a_worker_killed_between_acceptance_and_mark_never_posts_twice(
    tmp_path: Path, db_url: str, fake: FakeSlack
) -> None:
    home = tmp_path / "home"
    settings = Settings(LEARNBOT_HOME=home, DATABASE_URL=db_url, _env_file=None)
    rows = seed(settings, [Identity("slack", TEAM, u) for u in USERS])
    ids = [r.id for r in rows]
    assert len(ids) == 3
    env = worker_env(
        {
            "LEARNBOT_HOME": str(home),
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": fake.url,
        }
    )

    # 1. Slack accepts the first nudge; the worker waits (test hook) and is killed there.
    with worker(env | {"LEARNBOT_TEST_PAUSE_AFTER_SEND": "60"}, tmp_path) as first:
        wait_until(lambda: bool(fake.named("chat.postMessage")), timeout=60, what="a post")
        kill(first)
    (accepted,) = fake.named("chat.postMessage")
    key = accepted.params["metadata"]["event_payload"]["key"]
    left = {r.id: r for r in rows_now(settings, ids)}
    (maybe_sent,) = [r for r in left.values() if r.intent_key == key]
    assert maybe_sent.status == CLAIMED
    assert maybe_sent.message_id is None

    # 2. A new worker settles it from conversations.history and sends the other two.
    with worker(env, tmp_path) as second:
        wait_until(
            lambda: all(r.status == SENT for r in rows_now(settings, ids)),
            timeout=60,
            what="every nudge marked sent",
        )
        out = stop(second)
    assert "learnbot worker stopped." in out

    posts = fake.named("chat.postMessage")
    keys = [p.params["metadata"]["event_payload"]["key"] for p in posts]
    final = rows_now(settings, ids)
    assert len(posts) == 3
    assert sorted(keys) == sorted(r.intent_key for r in final)
    assert len(fake.keyed_posts(key)) == 1
    assert {p.params["channel"] for p in posts} == {"D0ANA", "D0BEN", "D0CAT"}
    settled = next(r for r in final if r.id == maybe_sent.id)
    assert settled.message_id == accepted.response["ts"]
    assert not settled.resent
    assert fake.named("conversations.history")
