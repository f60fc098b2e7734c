"""The per-learner line: arrival order, a bound with one warning, independence, recovery."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.queue import LearnerQueue
from bot.core.events import Identity

ANA = Identity("slack", "T1", "U0ANA")
BEN = Identity("teams", "tenant", "aad-ben")


async def test_events_of_one_person_run_one_at_a_time_in_arrival_order() -> None:
    queue = LearnerQueue(5)
    ran: list[int] = []
    running = 0
    most = 0

    async def work(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01 * (5 - n))  # the first takes longest
        ran.append(n)
        running -= 1
        return n

    turns = [queue.admit(ANA) for _ in range(5)]
    results = await asyncio.gather(
        *(queue.run(t, lambda n=n: work(n)) for n, t in reversed(list(enumerate(turns))))
    )
    assert ran == [0, 1, 2, 3, 4]
    assert most == 1
    assert sorted(results) == [0, 1, 2, 3, 4]
    assert queue.waiting(ANA) == 0


async def test_beyond_the_limit_only_the_first_refusal_warns_until_the_line_empties() -> None:
    queue = LearnerQueue(2)
    first, second = queue.admit(ANA), queue.admit(ANA)
    refused = [queue.admit(ANA) for _ in range(4)]
    assert (first.admitted, second.admitted) == (True, True)
    assert [(t.admitted, t.warn) for t in refused] == [(False, True)] + [(False, False)] * 3
    assert queue.admit(BEN).admitted, "another person has a line of their own"

    async def nothing() -> None:
        return None

    await queue.run(first, nothing)
    again = queue.admit(ANA)
    assert again.admitted, "a place freed up"
    assert not queue.admit(ANA).warn, "still the same burst: no second warning"
    await queue.run(second, nothing)
    await queue.run(again, nothing)
    assert queue.waiting(ANA) == 0
    for _ in range(2):
        queue.admit(ANA)
    assert queue.admit(ANA).warn, "a new burst after the line emptied is warned again"


async def test_a_failing_or_cancelled_event_hands_the_turn_on() -> None:
    queue = LearnerQueue(3)
    first, second, third = (queue.admit(ANA) for _ in range(3))
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        raise RuntimeError("a bug in the core")

    async def done() -> str:
        return "third"

    failing = asyncio.ensure_future(queue.run(first, slow))
    waiting = asyncio.ensure_future(queue.run(second, done))
    last = asyncio.ensure_future(queue.run(third, done))
    await asyncio.sleep(0.01)
    waiting.cancel()
    release.set()
    with pytest.raises(RuntimeError):
        await failing
    assert await last == "third"
    assert waiting.cancelled()
    assert queue.waiting(ANA) == 0


def test_a_queue_holds_at_least_one_event() -> None:
    with pytest.raises(ValueError):
        LearnerQueue(0)
