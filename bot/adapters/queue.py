"""One line per learner: a person's events are worked on one at a time, in arrival order.

Slack and Teams hand every conversational event (a message, a `/learn` command, a button
click) to the core through this queue, so a burst from one person is answered in the order it
arrived and never interleaved: onboarding, a quiz or a dialog sees one event after the other.
A line holds at most `limit` events (the one being worked on included); an event beyond that
is dropped, and only the first one dropped asks for a "slow down" reply. The warning is given
again only after the line has emptied. Other people's lines are independent.

The queue lives on the server's event loop: `admit` is called on the loop when the event
arrives (before any await, so arrival order is kept), and `run` awaits the person's turn
without holding a worker thread, so a long line never starves the core's thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.core.events import Identity

T = TypeVar("T")
Key = tuple[str, str, str]


@dataclass
class _Line:
    """One person's line: the last turn handed out, how many are in it, and the warning."""

    tail: asyncio.Future[None] | None = None
    waiting: int = 0
    warned: bool = False


@dataclass(frozen=True)
class Turn:
    """A place in a person's line (`admitted`), or a refusal (`warn` for the first one)."""

    key: Key
    admitted: bool
    warn: bool = False
    before: asyncio.Future[None] | None = field(default=None, compare=False)
    done: asyncio.Future[None] | None = field(default=None, compare=False)


class LearnerQueue:
    """Bounded, ordered lines of work per identity (see the module docstring).

    Args:
        limit: The most events one person may have in line, the one in progress included.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a learner's queue holds at least one event")
        self.limit = limit
        self._lines: dict[Key, _Line] = {}

    def admit(self, identity: Identity) -> Turn:
        """Take a place in the person's line, or be refused when it is full (call on the loop)."""
        key = (identity.platform, identity.workspace, identity.user_id)
        line = self._lines.setdefault(key, _Line())
        if line.waiting >= self.limit:
            warn, line.warned = not line.warned, True
            return Turn(key, admitted=False, warn=warn)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        turn = Turn(key, admitted=True, before=line.tail, done=done)
        line.tail, line.waiting = done, line.waiting + 1
        return turn

    async def run(self, turn: Turn, work: Callable[[], Awaitable[T]]) -> T:
        """Wait for the turn, run `work`, then let the next event of the line go."""
        if not turn.admitted:
            raise ValueError("a refused event has no turn")
        before = turn.before
        try:
            if before is not None and not before.done():
                await asyncio.shield(before)
            return await work()
        finally:
            if before is not None and not before.done():
                # Cancelled while waiting: hand the turn on only after the one before.
                before.add_done_callback(lambda _: self._finish(turn))
            else:
                self._finish(turn)

    def waiting(self, identity: Identity) -> int:
        """How many events the person has in line (0 when none)."""
        line = self._lines.get((identity.platform, identity.workspace, identity.user_id))
        return 0 if line is None else line.waiting

    def _finish(self, turn: Turn) -> None:
        assert turn.done is not None
        if not turn.done.done():
            turn.done.set_result(None)
        line = self._lines.get(turn.key)
        if line is None:
            return
        line.waiting -= 1
        if line.waiting == 0:
            del self._lines[turn.key]
