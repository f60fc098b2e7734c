"""A Teams nudge worker killed (SIGKILL) after the Bot Connector accepted a nudge and before
the mark: bots cannot read Teams history, so the nudge is sent once more, marked as a resend,
and never a third time."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import messages as msg
from bot.core.events import Identity
from bot.settings import Settings
from bot.storage.conversations import ConversationRef, ConversationRepository
from nudges.outbox import CLAIMED, DEAD, SENT
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, TENANT, Call, FakeBotFramework
from tests.faults.workers import kill, rows_now, seed, stop, wait_until, worker, worker_env

USERS = ("6b703ce3-0000-4fe6-b90c-dc5f03657a01", "6b703ce3-0000-4fe6-b90c-dc5f03657a02")


@pytest.fixture
def fake() -> Iterator[FakeBotFramework]:
    server = FakeBotFramework().start()
    yield server
    server.stop()


def conversation(n: int) -> str:
    return f"a:personal-chat-{n}"


def remember_chats(settings: Settings, fake: FakeBotFramework) -> None:
    from bot.app import build_app

    core = build_app(settings)
    repo = ConversationRepository(core.services.engine)
    for n, aad in enumerate(USERS):
        user_id = f"29:user-{n}"
        reference = {
            "bot": {"id": "28:bot", "name": "learnbot"},
            "user": {"id": user_id, "aadObjectId": aad},
            "conversation": {"conversationType": "personal", "id": conversation(n)},
            "channelId": "msteams",
            "serviceUrl": fake.service_url,
        }
        ref = ConversationRef(
            conversation(n), TENANT, "personal", fake.service_url, reference, user_id, aad
        )
        repo.remember(ref, now=datetime.now(UTC))
    core.services.engine.dispose()


def posts_to(fake: FakeBotFramework, n: int) -> list[Call]:
    return [c for c in fake.messages() if c.conversation_id == conversation(n)]


def says_resent(call: Call) -> bool:
    return msg.NUDGE_RESENT in json.dumps(call.body)


@pytest.fixture
def setup(tmp_path: Path, db_url: str, fake: FakeBotFramework):  # type: ignore[no-untyped-def]
    """Settings, the rows' ids, the workers' environment and command, for `count` learners."""
    return lambda count: _setup(tmp_path, db_url, fake, count)


def _setup(tmp_path: Path, db_url: str, fake: FakeBotFramework, count: int):  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    values = {
        "LEARNBOT_HOME": str(home),
        "DATABASE_URL": db_url,
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TENANT_ID": TENANT,
    }
    settings = Settings(**values, _env_file=None)  # type: ignore[arg-type]
    rows = seed(settings, [Identity("teams", TENANT, aad) for aad in USERS[:count]])
    remember_chats(settings, fake)
    command = (sys.executable, "-m", "tests.faults.teams_worker", fake.url)
    return settings, [r.id for r in rows], worker_env(values), command


def killed_after_acceptance(env, cwd, command, fake, before: int) -> None:  # type: ignore[no-untyped-def]
    with worker(env | {"LEARNBOT_TEST_PAUSE_AFTER_SEND": "60"}, cwd, command) as proc:
        wait_until(lambda: len(fake.messages()) > before, timeout=60, what="an accepted post")
        kill(proc)


def test_a_nudge_with_an_unknown_outcome_is_resent_once_with_a_note(
    tmp_path: Path, fake: FakeBotFramework, setup
) -> None:  # type: ignore[no-untyped-def]
    settings, ids, env, command = setup(2)
    killed_after_acceptance(env, tmp_path, command, fake, 0)
    (accepted,) = fake.messages()
    left = rows_now(settings, ids)
    maybe = next(r for r in left if r.intent_key)
    assert maybe.status == CLAIMED

    with worker(env, tmp_path, command) as again:
        wait_until(
            lambda: all(r.status == SENT for r in rows_now(settings, ids)),
            timeout=60,
            what="every nudge marked sent",
        )
        assert "teams nudge worker stopped" in stop(again)

    final = {r.id: r for r in rows_now(settings, ids)}
    n = next(i for i, _ in enumerate(USERS) if posts_to(fake, i)[0] is accepted)
    first, second = posts_to(fake, n)
    assert not says_resent(first)
    assert says_resent(second)
    assert final[maybe.id].resent
    (other,) = posts_to(fake, 1 - n)
    assert not says_resent(other)
    assert len(fake.messages()) == 3


def test_a_resend_that_dies_too_is_never_sent_a_third_time(
    tmp_path: Path, fake: FakeBotFramework, setup
) -> None:  # type: ignore[no-untyped-def]
    settings, ids, env, command = setup(1)
    killed_after_acceptance(env, tmp_path, command, fake, 0)
    killed_after_acceptance(env, tmp_path, command, fake, 1)  # the resend is accepted, then kill
    first, resend = fake.messages()
    assert not says_resent(first)
    assert says_resent(resend)

    with worker(env, tmp_path, command) as last:
        wait_until(
            lambda: all(r.status in (SENT, DEAD) for r in rows_now(settings, ids)),
            timeout=60,
            what="every nudge settled",
        )
        stop(last)

    (row,) = rows_now(settings, ids)
    assert row.status == DEAD
    assert row.resent
    assert len(fake.messages()) == 2
