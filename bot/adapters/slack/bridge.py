"""After the acknowledgement: deduplicate, translate, run the core in a thread, deliver replies.

Bolt listeners acknowledge first and hand the payload to `Bridge.spawn(...)`; everything
here runs after Slack already has its 200. The core is synchronous, so it runs in a small
thread pool of its own (the default executor stays free for aiohttp's own work).

Messages and mentions are processed exactly once across crashes and replicas: before the
acknowledgement `receive` records the message as received (its normalized event, see
`bot.adapters.slack.inbox`) and claims it under a lease; `process` runs it, renewing the
lease, and records it as done. `resume` (on start, then now and then) processes messages
received and not done whose holder's lease ran out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.queue import LearnerQueue
from bot.adapters.slack import inbound, inbox
from bot.adapters.slack.clients import UserDirectory
from bot.adapters.slack.delivery import deliver, post_placeholder
from bot.adapters.slack.files import FileFetcher
from bot.adapters.slack.home import HomePublisher
from bot.adapters.slack.port import SlackChatPort
from bot.adapters.slack.uploads import prepare_upload
from bot.adapters.slack.workspace import WorkspaceRemoval, apply_user_change
from bot.app import App
from bot.core import messages as msg
from bot.core.events import Event, Identity, UserInfo
from bot.core.ports import Delivered, DeliveryFailed
from bot.core.replies import Reply, say
from bot.storage.journal import Claim

log = logging.getLogger(__name__)
T = TypeVar("T")
Translate = Callable[[dict[str, Any], Identity, Any], Event | None]


@dataclass(frozen=True)
class BridgeOptions:
    """Tuning knobs: when to show a placeholder, how many core threads, the drain timeout."""

    placeholder_after: float = 1.0
    workers: int = 8
    drain_timeout: float = 20.0
    # Work waits (at most this long) while acknowledgements are being written: during a
    # burst the core's threads would otherwise take the interpreter lock from the loop.
    ack_priority_s: float = 0.5
    # How long a received message is held by this process before another may take it over
    # (renewed every third of it while the core works).
    event_lease: timedelta = inbox.LEASE


class Bridge:
    """Turns acknowledged Slack payloads into core events and delivers what the core says."""

    def __init__(
        self,
        *,
        core: App,
        port: SlackChatPort,
        users: UserDirectory,
        files: FileFetcher,
        home: HomePublisher,
        removal: WorkspaceRemoval,
        options: BridgeOptions | None = None,
        queue: LearnerQueue | None = None,
    ) -> None:
        self.core = core
        self.port = port
        self.users = users
        self.files = files
        self.home = home
        self.removal = removal
        self.options = options or BridgeOptions()
        self.queue = queue or LearnerQueue(core.settings.learner_queue)
        self._pool = ThreadPoolExecutor(self.options.workers, thread_name_prefix="slack-core")
        self._tasks: set[asyncio.Task[None]] = set()
        self._acking = 0
        self._no_acks: asyncio.Event | None = None

    # -- acknowledgements first -------------------------------------------------------

    def _event(self) -> asyncio.Event:
        if self._no_acks is None:
            self._no_acks = asyncio.Event()
            self._no_acks.set()
        return self._no_acks

    @contextlib.contextmanager
    def acknowledging(self) -> Iterator[None]:
        """Mark a request as being acknowledged (work started meanwhile waits for it)."""
        self._acking += 1
        self._event().clear()
        try:
            yield
        finally:
            self._acking -= 1
            if self._acking == 0:
                self._event().set()

    async def _after_acks(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event().wait(), self.options.ack_priority_s)

    # -- task bookkeeping -------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work after the acknowledgement, tracked so shutdown can wait for it."""
        task = asyncio.ensure_future(self._deferred(work))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def _deferred(self, work: Coroutine[Any, Any, None]) -> None:
        await self._after_acks()
        await work

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            log.error("slack work failed: %s", type(err).__name__, exc_info=err)

    @property
    def pending(self) -> int:
        """Acknowledged payloads still being worked on."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait for in-flight work (bounded), then stop the thread pool."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.options.drain_timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _thread(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args))

    # -- entry points (each called after ack) -----------------------------------------

    # Messages, commands and clicks take their place in the sender's line when they arrive
    # (these are called on the loop by the listeners), so they are answered in that order.

    def message(self, body: dict[str, Any], claim: Claim) -> Coroutine[Any, Any, None]:
        """A direct message or a mention, recorded as received (`claim`), in the sender's line.

        One dropped because the sender's line is full is recorded as done, so it is not
        picked up again after a restart.
        """
        work = partial(self.process, claim)
        if not _for_the_core(body):
            return work()
        return self._in_line(
            body, work, inbound.message_event, None, dropped=partial(self._drop, claim)
        )

    async def _drop(self, claim: Claim) -> None:
        if claim.key:
            await asyncio.to_thread(self.core.services.events.done, claim)

    async def receive(self, body: dict[str, Any], *, retry: str | None = None) -> Claim | None:
        """Record a message or mention as received (call before acknowledging it).

        Returns the claim to `process`, or None when there is nothing to do: not a message
        for the bot, already done, or being processed by another holder. Raises when the
        record cannot be written, so Slack is not acknowledged and sends it again.
        """
        return await asyncio.to_thread(self._receive, body, retry)

    async def process(self, claim: Claim) -> None:
        """Run a received message through the core, deliver the replies, record it as done."""
        event = inbox.decode(claim.payload)
        if event is None:
            if claim.key:
                await asyncio.to_thread(self.core.services.events.done, claim)
            return
        event = replace(event, user=await self._thread(self.users.info, event.identity))
        renewing = asyncio.ensure_future(self._renew(claim))
        try:
            await self._answer(event, claim)
        except SQLAlchemyError:
            raise  # the database is away: the event stays received, for `resume`
        except Exception as err:  # a bug would fail the same way again: not retried
            log.error("slack event %s failed: %s", event.event_id, type(err).__name__, exc_info=err)
        finally:
            renewing.cancel()
        if claim.key and not await asyncio.to_thread(self.core.services.events.done, claim):
            log.warning("slack event %s: claim lost before it was done", event.event_id)

    async def resume(self) -> int:
        """Process messages received and not done whose holder is gone; returns how many."""
        services = self.core.services
        now = services.clock.now()
        claims = await asyncio.to_thread(
            partial(
                services.events.unfinished,
                prefix=inbox.KEY_PREFIX,
                now=now,
                lease=self.options.event_lease,
                since=now - inbox.MAX_AGE,
            )
        )
        for claim in claims:
            log.info("slack: processing a message received before a restart")
            self.spawn(self.process(claim))
        return len(claims)

    def command(self, body: dict[str, Any]) -> Coroutine[Any, Any, None]:
        """A `/learn` slash command."""
        work = partial(self._converse, body, inbound.command_event)
        return self._in_line(body, work, inbound.command_event, None)

    def action(self, body: dict[str, Any]) -> Coroutine[Any, Any, None]:
        """A button click (block_actions)."""
        return self._in_line(body, partial(self._thread, self._act, body), None, None)

    async def _noop(self) -> None:
        return None

    def _in_line(
        self,
        body: dict[str, Any],
        work: Callable[[], Awaitable[None]],
        translate: Translate | None,
        retry: str | None,
        *,
        dropped: Callable[[], Awaitable[None]] | None = None,
    ) -> Coroutine[Any, Any, None]:
        identity = inbound.identity_of(body)
        if identity is None:
            return self._noop()
        turn = self.queue.admit(identity)
        if turn.admitted:
            return self.queue.run(turn, work)
        log.info("slack: a burst from one person went past the queue; event dropped")
        return self._past_the_line(body, translate, retry, warn=turn.warn, dropped=dropped)

    async def _past_the_line(
        self,
        body: dict[str, Any],
        translate: Translate | None,
        retry: str | None,
        *,
        warn: bool,
        dropped: Callable[[], Awaitable[None]] | None,
    ) -> None:
        """An event beyond the sender's line: the burst's one slow-down reply, if due."""
        if dropped is not None:
            await dropped()
        if warn and translate is not None:
            await self._thread(self._slow_down, body, translate, retry, dropped is not None)

    async def home_opened(self, body: dict[str, Any], *, retry: str | None = None) -> None:
        """The user opened the Home tab: publish it."""
        await self._thread(self._home, body, retry)

    async def file_shared(
        self, body: dict[str, Any], *, bot_user: str | None, retry: str | None = None
    ) -> None:
        """A file shared in a direct message (admins add it to the library)."""
        await self._thread(self._file, body, bot_user, retry)

    async def removed(self, body: dict[str, Any], *, retry: str | None = None) -> None:
        """app_uninstalled or tokens_revoked: forget the workspace."""
        await self._thread(self._removed, body, retry)

    async def user_changed(self, body: dict[str, Any], *, retry: str | None = None) -> None:
        """user_change: refresh a known learner's name, email and time zone."""
        await self._thread(self._user_changed, body, retry)

    # -- work (runs in the pool) ------------------------------------------------------

    def _receive(self, body: dict[str, Any], retry: str | None) -> Claim | None:
        identity = inbound.identity_of(body)
        event = inbound.message_event(body, identity, UserInfo()) if identity else None
        if event is None:
            return None
        if not event.event_id:  # not from the Events API: nothing to deduplicate on
            return Claim("", "", inbox.encode(event))
        services = self.core.services
        claim = services.events.receive(
            inbox.key_of(event.event_id),
            inbox.encode(event),
            now=services.clock.now(),
            lease=self.options.event_lease,
        )
        if claim is None:
            log.info(
                "slack event %s (retry %s) was already processed; skipped", event.event_id, retry
            )
        return claim

    async def _renew(self, claim: Claim) -> None:
        services = self.core.services
        lease = self.options.event_lease
        while claim.key:
            await asyncio.sleep(lease.total_seconds() / 3)
            now = services.clock.now()
            await asyncio.to_thread(partial(services.events.renew, claim, now=now, lease=lease))

    async def _converse(
        self, body: dict[str, Any], translate: Translate, *, retry: str | None = None
    ) -> None:
        event = await self._thread(self._prepare, body, translate, retry)
        if event is not None:
            await self._answer(event)

    async def _answer(self, event: Event, claim: Claim | None = None) -> None:
        """Handle an event in the core (a placeholder if it is slow) and deliver the replies.

        With a `claim`, a posted placeholder is noted on it; one noted by a holder that died
        is the message the answer replaces (no second placeholder is posted).
        """
        work = asyncio.ensure_future(self._thread(self._handle, event))
        earlier = inbox.placeholder_of(claim.payload) if claim and claim.key else None
        placeholder: Delivered | None = earlier
        if earlier is None:
            done, _ = await asyncio.wait({work}, timeout=self.options.placeholder_after)
            if not done:
                placeholder = await self._thread(self._placeholder, event)
                if placeholder is not None and claim is not None and claim.key:
                    noted = inbox.with_placeholder(claim.payload, placeholder)
                    await self._thread(self.core.services.events.note, claim, noted)
        replies = await work
        await self._thread(self._deliver, event, replies, placeholder)

    def _slow_down(
        self, body: dict[str, Any], translate: Translate, retry: str | None, recorded: bool
    ) -> None:
        """The one reply a burst gets for the events beyond the sender's line (`recorded`: a
        message already recorded as received, so not checked for a repeat again)."""
        event = (
            self._translate(body, translate) if recorded else self._prepare(body, translate, retry)
        )
        if event is not None:
            text = msg.SLOW_DOWN.format(limit=self.queue.limit)
            self._deliver(event, [say(text)], None)

    def _act(self, body: dict[str, Any]) -> None:
        # A click needs no placeholder, so it is translated, handled and answered in one hop.
        event = self._translate(body, inbound.action_event)
        if event is not None:
            self._deliver(event, self._handle(event), None)

    def _prepare(
        self, body: dict[str, Any], translate: Translate, retry: str | None
    ) -> Event | None:
        """The core event of a first delivery, or None (a repeat, or nobody to answer)."""
        if not self._first_time(body, retry):
            return None
        return self._translate(body, translate)

    def _deliver(self, event: Event, replies: list[Reply], placeholder: Delivered | None) -> None:
        deliver(self.port, event, replies, placeholder, others=self.core.services.chat_ports)

    def _first_time(self, body: dict[str, Any], retry: str | None) -> bool:
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            return True
        services = self.core.services
        if services.events.first_time(f"slack:{event_id}", now=services.clock.now()):
            return True
        log.info("slack event %s (retry %s) was already processed; skipped", event_id, retry)
        return False

    def _translate(self, body: dict[str, Any], translate: Translate) -> Event | None:
        identity = inbound.identity_of(body)
        if identity is None:
            return None
        return translate(body, identity, self.users.info(identity))

    def _handle(self, event: Event) -> list[Reply]:
        try:
            return self.core.router.handle(event)
        except Exception as err:  # the adapter's one catch-all: a bug must not go unanswered
            log.error("slack event failed in the core: %s", type(err).__name__, exc_info=err)
            return [say(msg.INTERNAL_ERROR)]

    def _placeholder(self, event: Event) -> Delivered | None:
        try:
            return post_placeholder(self.port, event, msg.LOOKING_UP)
        except DeliveryFailed as err:
            log.warning("slack placeholder not posted: %s", err)
            return None

    def _home(self, body: dict[str, Any], retry: str | None) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home" or not self._first_time(body, retry):
            return
        identity = inbound.identity_of(body)
        if identity is None:
            return
        services = self.core.services
        learner = services.learners.resolve(
            identity, self.users.info(identity), now=services.clock.now()
        )
        self.home.publish_for(identity, learner)

    def _file(self, body: dict[str, Any], bot_user: str | None, retry: str | None) -> None:
        if not self._first_time(body, retry):
            return
        identity = inbound.identity_of(body)
        if identity is None or identity.user_id == bot_user:
            return
        prepared = prepare_upload(
            body,
            identity,
            self.users.info(identity),
            files=self.files,
            max_bytes=self.core.settings.max_upload_bytes,
        )
        if prepared is None:
            return
        event, refusal = prepared
        replies = refusal if refusal is not None else self._handle(event)
        self._deliver(event, replies, None)

    def _removed(self, body: dict[str, Any], retry: str | None) -> None:
        if self._first_time(body, retry):
            self.removal.handle(body)

    def _user_changed(self, body: dict[str, Any], retry: str | None) -> None:
        if self._first_time(body, retry):
            apply_user_change(body, services=self.core.services, users=self.users)


def _for_the_core(body: dict[str, Any]) -> bool:
    """Whether a `message` payload is a person writing to learnbot (not the bot's own post)."""
    event = body.get("event")
    if not isinstance(event, dict):
        return False
    if event.get("type") == "app_mention":
        return True
    return event.get("channel_type") == "im" and inbound.is_person_message(event)
