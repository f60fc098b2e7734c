"""Slack messages are processed exactly once: recorded as received before the ack, done
after the work; a crash in between is finished on the next start; retries are ignored once
done; a retry of a message that was never acknowledged is processed once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bot.adapters.slack.inbox import key_of
from bot.core import messages as msg
from bot.storage.db import database_now
from bot.storage.journal import DONE, RECEIVED
from bot.storage.tables import processed_events
from tests.adapters.slack.conftest import slack_settings, start_harness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import SlackHarness


def posts_to(fake: FakeSlack, channel: str) -> int:
    return sum(1 for c in fake.named("chat.postMessage") if c.params.get("channel") == channel)


async def replies_to_help(slack: SlackHarness) -> int:
    """How many posts one undisturbed processing of "help" makes (from another user)."""
    await slack.dm("U0BEN", "help")
    await slack.settle()
    return posts_to(slack.fake, "D0BEN")


async def test_a_retry_after_done_is_ignored(slack: SlackHarness) -> None:
    normal = await replies_to_help(slack)
    first = await slack.dm("U0ANA", "help", event_id="EvONCE1")
    await slack.settle()
    again = await slack.dm("U0ANA", "help", event_id="EvONCE1", retry=1)
    await slack.settle()
    assert (first.status, again.status) == (200, 200)
    assert posts_to(slack.fake, "D0ANA") == normal
    assert slack.core.services.events.status(key_of("EvONCE1")) == DONE


async def test_a_retry_while_the_first_is_still_worked_on_is_ignored(slack: SlackHarness) -> None:
    normal = await replies_to_help(slack)
    await slack.dm("U0ANA", "help", event_id="EvBUSY")
    await slack.dm("U0ANA", "help", event_id="EvBUSY", retry=1)  # before the first is done
    await slack.settle()
    assert posts_to(slack.fake, "D0ANA") == normal


async def test_a_message_never_acknowledged_is_processed_once_on_its_retry(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    normal = await replies_to_help(slack)
    events = slack.core.services.events
    real = events.receive
    calls = []

    def down_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(events, "receive", down_once)
    refused = await slack.dm("U0ANA", "help", event_id="EvNOACK")
    await slack.settle()
    assert refused.status != 200  # not acknowledged: Slack will send it again
    assert posts_to(slack.fake, "D0ANA") == 0
    retried = await slack.dm("U0ANA", "help", event_id="EvNOACK", retry=1)
    await slack.settle()
    assert retried.status == 200
    assert posts_to(slack.fake, "D0ANA") == normal
    assert events.status(key_of("EvNOACK")) == DONE


async def test_a_bug_after_receiving_is_logged_and_not_retried(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_args: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(slack.runtime.bridge, "_deliver", bug)
    await slack.dm("U0ANA", "help", event_id="EvBUG")
    await slack.settle()
    assert slack.core.services.events.status(key_of("EvBUG")) == DONE


async def test_a_crash_after_receiving_is_finished_once_on_the_next_start(
    tmp_path: Path, fake: FakeSlack, clock, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings = slack_settings(tmp_path / "home", fake)
    first, runner = await start_harness(settings, clock, fake)
    normal = await replies_to_help(first)
    bridge = first.runtime.bridge

    def crash(*_args: object) -> None:  # the database goes away mid-work
        raise OperationalError("UPDATE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(bridge, "_deliver", crash)
    await first.dm("U0ANA", "help", event_id="EvCRASH")
    await first.settle()
    events = first.core.services.events
    assert events.status(key_of("EvCRASH")) == RECEIVED
    assert posts_to(fake, "D0ANA") == 0
    await first.session.close()
    await runner.cleanup()

    _expire_lease(first, "EvCRASH")  # the dead holder's lease runs out
    clock.advance(timedelta(minutes=2))
    second, runner = await start_harness(settings, clock, fake)
    try:
        await second.settle()
        for _ in range(200):  # the start-up resume runs in the background
            if events.status(key_of("EvCRASH")) == DONE and not second.runtime.bridge.pending:
                break
            await second.settle()
        assert events.status(key_of("EvCRASH")) == DONE
        assert posts_to(fake, "D0ANA") == normal
        assert await second.runtime.bridge.resume() == 0
        await second.dm("U0ANA", "help", event_id="EvCRASH", retry=2)
        await second.settle()
        assert posts_to(fake, "D0ANA") == normal
    finally:
        await second.session.close()
        await runner.cleanup()


async def test_a_message_taken_over_after_a_crash_replaces_the_dead_holders_placeholder(
    tmp_path: Path, fake: FakeSlack, clock, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings = slack_settings(tmp_path / "home", fake)
    first, runner = await start_harness(settings, clock, fake, placeholder_after=0.0)
    normal = await replies_to_help(first)  # a placeholder, replaced by the answer
    bridge = first.runtime.bridge

    def crash(*_args: object) -> None:  # the holder dies after posting its placeholder
        raise OperationalError("UPDATE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(bridge, "_deliver", crash)
    await first.dm("U0ANA", "help", event_id="EvSLOW")
    await first.settle()
    events = first.core.services.events
    assert events.status(key_of("EvSLOW")) == RECEIVED
    (placeholder,) = [c for c in fake.named("chat.postMessage") if c.params["channel"] == "D0ANA"]
    assert placeholder.params["text"] == msg.LOOKING_UP
    await first.session.close()
    await runner.cleanup()

    _expire_lease(first, "EvSLOW")  # the dead holder's lease runs out
    clock.advance(timedelta(minutes=2))
    second, runner = await start_harness(settings, clock, fake, placeholder_after=0.0)
    try:
        for _ in range(200):  # the start-up resume runs in the background
            if events.status(key_of("EvSLOW")) == DONE and not second.runtime.bridge.pending:
                break
            await second.settle()
        assert events.status(key_of("EvSLOW")) == DONE
        # No second placeholder: the answer replaced the one the learner already sees.
        assert posts_to(fake, "D0ANA") == normal
        updates = [
            c.params["ts"] for c in fake.named("chat.update") if c.params["channel"] == "D0ANA"
        ]
        assert updates[0] == placeholder.response["ts"]
    finally:
        await second.session.close()
        await runner.cleanup()


def _expire_lease(harness: SlackHarness, event_id: str) -> None:
    """End the lease on a received event now, by the database's clock (which leases follow)."""
    with harness.core.services.engine.begin() as conn:
        past = database_now(conn) - timedelta(seconds=1)
        conn.execute(
            update(processed_events)
            .where(processed_events.c.key == key_of(event_id))
            .values(claimed_until=past)
        )
