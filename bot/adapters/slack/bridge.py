"""After the acknowledgement: deduplicate, translate, run the core in a thread, deliver replies.

Bolt listeners acknowledge first and hand the payload to `Bridge.spawn(...)`; everything
here runs after Slack already has its 200. The core is synchronous, so it runs in a small
thread pool of its own (the default executor stays free for aiohttp's own work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from bot.adapters.queue import LearnerQueue
from bot.adapters.slack import inbound
from bot.adapters.slack.clients import UserDirectory
from bot.adapters.slack.delivery import deliver, post_placeholder
from bot.adapters.slack.files import FileFetcher
from bot.adapters.slack.home import HomePublisher
from bot.adapters.slack.port import SlackChatPort
from bot.adapters.slack.uploads import prepare_upload
from bot.adapters.slack.workspace import WorkspaceRemoval, apply_user_change
from bot.app import App
from bot.core import messages as msg
from bot.core.events import Event, Identity
from bot.core.ports import Delivered, DeliveryFailed
from bot.core.replies import Reply, say

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

    def message(
        self, body: dict[str, Any], *, retry: str | None = None
    ) -> Coroutine[Any, Any, None]:
        """A direct message or a mention."""
        work = partial(self._converse, body, inbound.message_event, retry=retry)
        if not _for_the_core(body):
            return work()
        return self._in_line(body, work, inbound.message_event, retry)

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
    ) -> Coroutine[Any, Any, None]:
        identity = inbound.identity_of(body)
        if identity is None:
            return self._noop()
        turn = self.queue.admit(identity)
        if turn.admitted:
            return self.queue.run(turn, work)
        if turn.warn and translate is not None:
            return self._thread(self._slow_down, body, translate, retry)
        log.info("slack: a burst from one person went past the queue; event dropped")
        return self._noop()

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

    async def _converse(
        self, body: dict[str, Any], translate: Translate, *, retry: str | None = None
    ) -> None:
        event = await self._thread(self._prepare, body, translate, retry)
        if event is None:
            return
        work = asyncio.ensure_future(self._thread(self._handle, event))
        done, _ = await asyncio.wait({work}, timeout=self.options.placeholder_after)
        placeholder: Delivered | None = None
        if not done:
            placeholder = await self._thread(self._placeholder, event)
        replies = await work
        await self._thread(self._deliver, event, replies, placeholder)

    def _slow_down(self, body: dict[str, Any], translate: Translate, retry: str | None) -> None:
        """The one reply a burst gets for the events beyond the sender's line."""
        event = self._prepare(body, translate, retry)
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
