"""Teams turns off the request path: record, acknowledge, then run and answer proactively.

Teams gives the bot about 15 s to answer a request, and a question can take longer (a cold
model, a slow database). So a message, conversation update or installation update is only
checked and recorded on the request path: the endpoint stores the conversation reference,
records the activity as **received** in the event log (`processed_events`, the table Slack's
inbox uses, keys `teams:<conversation digest>:<activity id>`) under a lease, gives its events
their places in the sender's line, and answers 200. The turn then runs as a task: a
proactive turn opened on the activity itself (`process_proactive` with the bot's own claims,
so replies, updates of the clicked card and the roster lookup go through the connector as in
a request turn), with the typing indicator after `TYPING_AFTER_S`; then the activity is
recorded **done** and its stored copy dropped.

On start and every lease, `resume` claims activities received and not done whose holder's
lease ran out (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two replicas never take the same one)
and runs them; a redelivery of a done activity, or of one whose holder is alive, is ignored.
Invokes are not recorded: they need their answer in the HTTP response and stay on the path.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.teams.bot import REMEMBERED, LearnbotBot, Placed
from bot.adapters.teams.inbound import where_of
from bot.core.clock import Clock
from bot.storage.journal import Claim, EventLog

log = logging.getLogger(__name__)
KEY_PREFIX = "teams:"
DEFERRED = REMEMBERED


@dataclass(frozen=True)
class TurnOptions:
    """How long a received activity is held before another replica may take it over
    (renewed every third of it while the turn runs), how old one may be to be run again
    after a restart, and how long shutdown waits for running turns."""

    lease: timedelta = timedelta(seconds=60)
    max_age: timedelta = timedelta(hours=1)
    drain_timeout: float = 20.0


def deferred(activity: Activity) -> bool:
    """Whether the activity is recorded and run after the acknowledgement."""
    return activity.type in DEFERRED


def key_of(activity: Activity) -> str:
    """The event log key: the conversation (hashed) and the activity id; an activity without
    an id gets a fresh key (recorded for the crash case, nothing to deduplicate on)."""
    digest = hashlib.sha256(where_of(activity).conversation_id.encode()).hexdigest()[:24]
    return f"{KEY_PREFIX}{digest}:{activity.id or 'new-' + uuid.uuid4().hex}"


class Turns:
    """Records deferred activities, runs their turns as tasks, and resumes unfinished ones.

    Args:
        adapter: The endpoint's CloudAdapter (its turn error handler applies here too).
        bot: The turn handler.
        events: The event log (received -> done).
        clock: The time for the log.
        app_id: The bot's Microsoft App ID, the claims the proactive turn runs under.
        options: Lease and drain settings.
    """

    def __init__(
        self,
        *,
        adapter: CloudAdapter,
        bot: LearnbotBot,
        events: EventLog,
        clock: Clock,
        app_id: str,
        options: TurnOptions | None = None,
    ) -> None:
        self._adapter = adapter
        self._bot = bot
        self._events = events
        self._clock = clock
        self._app_id = app_id
        self.options = options or TurnOptions()
        self._tasks: set[asyncio.Task[None]] = set()

    async def accept(self, activity: Activity) -> bool:
        """Record the activity and start its turn; False when it is a redelivery of one done
        or held by a live replica. Raises SQLAlchemyError when it cannot be recorded (the
        endpoint then answers 503 and Bot Framework sends it again)."""
        await asyncio.to_thread(self._bot.remember, activity)
        payload = activity.serialize()
        claim = await asyncio.to_thread(
            partial(
                self._events.receive,
                key_of(activity),
                payload,
                now=self._clock.now(),
                lease=self.options.lease,
            )
        )
        if claim is None:
            log.info("teams activity already processed or in progress; skipped")
            return False
        self._spawn(claim, activity)
        return True

    async def resume(self) -> int:
        """Run activities received and not done whose holder is gone; returns how many."""
        now = self._clock.now()
        claims = await asyncio.to_thread(
            partial(
                self._events.unfinished,
                prefix=KEY_PREFIX,
                now=now,
                lease=self.options.lease,
                since=now - self.options.max_age,
            )
        )
        for claim in claims:
            log.info("teams: running an activity received before a restart")
            self._spawn(claim, Activity.deserialize(claim.payload))
        return len(claims)

    async def resume_forever(self) -> None:
        """On start, then every lease: `resume` (errors logged, never raised)."""
        while True:
            try:
                await self.resume()
            except SQLAlchemyError as err:
                log.warning("teams: unfinished activities not resumed (%s)", type(err).__name__)
            await asyncio.sleep(self.options.lease.total_seconds())

    @property
    def pending(self) -> int:
        """Turns started and not finished."""
        return len(self._tasks)

    async def settle(self) -> None:
        """Wait until every started turn has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def drain(self) -> None:
        """Wait (bounded) for running turns; what is left stays received for the next start."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.options.drain_timeout)

    def _spawn(self, claim: Claim, activity: Activity) -> None:
        placed = self._bot.place(activity)
        task = asyncio.ensure_future(self._run(claim, activity, placed))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            log.error("teams turn failed: %s", type(err).__name__, exc_info=err)

    async def _run(self, claim: Claim, activity: Activity, placed: list[Placed]) -> None:
        failed: list[SQLAlchemyError] = []

        async def logic(context: TurnContext) -> None:
            try:
                await self._bot.run(context, placed)
            except SQLAlchemyError as err:  # the database is away: kept for `resume`
                failed.append(err)

        renewing = asyncio.ensure_future(self._renew(claim))
        try:
            claims = self._adapter.create_claims_identity(self._app_id)
            await self._adapter.process_proactive(claims, activity, None, logic)
        except Exception as err:  # noqa: BLE001 - opening the turn failed (token, credentials)
            log.warning("teams: a turn could not be opened (%s); kept", type(err).__name__)
            return
        finally:
            renewing.cancel()
            await self._bot.release(placed)
        if failed:
            log.warning("teams: a turn met a database error (%s); kept", type(failed[0]).__name__)
            return
        if not await asyncio.to_thread(self._events.done, claim):
            log.warning("teams: the claim on an activity was lost before it was done")

    async def _renew(self, claim: Claim) -> None:
        lease = self.options.lease
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            now = self._clock.now()
            try:
                await asyncio.to_thread(partial(self._events.renew, claim, now=now, lease=lease))
            except SQLAlchemyError as err:
                log.warning("teams: a lease was not renewed (%s)", type(err).__name__)
