"""The Teams chat port: proactive messages through stored conversation references.

Threading: the `ChatPort` protocol is synchronous (the nudge worker calls it from a thread)
while the Bot Framework SDK is asyncio. `send` and `update` therefore hand the work to an
event loop with `run_coroutine_threadsafe` and wait for it: the web server's loop once
`bind_loop` was called (the endpoint does it at start-up), otherwise a private loop on a
daemon thread started on first use. Calling `send` on the bound loop's own thread would
deadlock, so it raises RuntimeError there; async code (the bot's own turn) uses `asend`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference, ResourceResponse

from bot.adapters.teams.delivery import RetryPolicy, deliver, no_sdk_retries
from bot.adapters.teams.render import render
from bot.core.clock import Clock
from bot.core.events import Channel, Identity
from bot.core.ports import Delivered, DeliveryFailed, RecipientGone
from bot.core.replies import Direct, Reply
from bot.storage.conversations import ConversationRef, ConversationRepository

log = logging.getLogger(__name__)
PLATFORM = "teams"
T = TypeVar("T")
Work = Callable[[Any], Awaitable[T]]


class TeamsChatPort:
    """Sends replies to Teams conversations learnbot has a stored reference for.

    Args:
        adapter: The CloudAdapter the endpoint uses (any BotAdapter with
            `continue_conversation`; its connector client does the HTTP).
        app_id: The bot's Microsoft App ID ("" only in insecure development mode).
        conversations: Stored conversation references.
        clock: For the time a reference is marked dead.
        retry: Backoff for 429/412/5xx.
        timeout: How long a blocking `send` waits for the loop, in seconds.
    """

    platform = PLATFORM

    def __init__(
        self,
        *,
        adapter: BotAdapter,
        app_id: str,
        conversations: ConversationRepository,
        clock: Clock,
        retry: RetryPolicy | None = None,
        timeout: float = 120.0,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._conversations = conversations
        self._clock = clock
        self.retry = retry or RetryPolicy()
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._private: tuple[asyncio.AbstractEventLoop, threading.Thread] | None = None
        self._lock = threading.Lock()

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run sends on this (the web server's) event loop from now on."""
        self._loop = loop

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Post a reply (blocking; call from a worker thread)."""
        return self._blocking(self.asend(reply, identity=identity, channel=channel))

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        """Replace a message sent earlier (blocking; call from a worker thread)."""
        return self._blocking(self.aupdate(sent, reply))

    async def asend(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Post a reply to the channel, or to the identity's personal chat."""
        if isinstance(reply.to, Direct):
            identity, channel = reply.to.identity, None
        ref = await asyncio.to_thread(self._find, identity, channel)
        conversation_id = _thread_id(ref.conversation_id, channel)
        activities = render(reply)
        if not activities:
            raise DeliveryFailed("nothing to send: the reply is empty", retryable=False)

        async def work(connector: Any) -> list[str]:
            post = connector.conversations.send_to_conversation
            ids = []
            for payload in activities:
                activity = _addressed(payload, ref, conversation_id)
                sent = partial(post, conversation_id, activity)
                ids.append(_id(await deliver(sent, self.retry, what="a proactive message")))
            return ids

        ids = await self._run(ref, work)
        return Delivered(PLATFORM, conversation_id, ids[0])

    async def aupdate(self, sent: Delivered, reply: Reply) -> Delivered:
        """Replace a message; extra parts of a reply that no longer fits in one are added."""
        ref = await asyncio.to_thread(self._conversations.get, sent.channel_id.split(";", 1)[0])
        if ref is None:
            raise DeliveryFailed("no stored Teams conversation for this message", retryable=False)
        if ref.dead:
            raise RecipientGone("the Teams conversation is gone")
        first, *rest = render(reply) or [{"type": "message", "text": reply.fallback}]

        async def work(connector: Any) -> None:
            conversations, where = connector.conversations, sent.channel_id
            activity = _addressed(first, ref, where)
            activity.id = sent.message_id
            change = partial(conversations.update_activity, where, sent.message_id, activity)
            await deliver(change, self.retry, what="a message update")
            for payload in rest:
                post = partial(
                    conversations.send_to_conversation, where, _addressed(payload, ref, where)
                )
                await deliver(post, self.retry, what="a message update")

        await self._run(ref, work)
        return sent

    def close(self) -> None:
        """Stop the private loop, if one was started."""
        with self._lock:
            private, self._private = self._private, None
        if private is not None:
            loop, thread = private
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()

    def _find(self, identity: Identity, channel: Channel | None) -> ConversationRef:
        if identity.platform != PLATFORM and channel is None:
            raise DeliveryFailed(f"{identity.key} is not a Teams user", retryable=False)
        if channel is not None:
            ref = self._conversations.get(channel.id)
        else:
            ref = self._conversations.personal(identity.workspace, identity.user_id)
        if ref is None:
            where = (
                f"conversation {channel.id}" if channel else f"personal chat with {identity.key}"
            )
            raise DeliveryFailed(f"no stored Teams {where}", retryable=False)
        if ref.dead:
            raise RecipientGone("the Teams conversation is gone (uninstalled or blocked)")
        return ref

    async def _run(self, ref: ConversationRef, work: Work[T]) -> T:
        """Open a proactive turn on the stored reference and run `work` with its connector."""
        outcome: dict[str, Any] = {}

        async def callback(context: TurnContext) -> None:
            connector = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            no_sdk_retries(connector)
            try:
                outcome["value"] = await work(connector)
            except DeliveryFailed as err:
                outcome["error"] = err
            except PermissionError as err:
                # The SDK raises PermissionError when it cannot get a token for the app.
                outcome["error"] = DeliveryFailed(f"no Bot Framework token: {err}", retryable=True)
            except Exception as err:  # the port contract: DeliveryFailed, never SDK errors
                log.exception("unexpected error sending to Teams")
                outcome["error"] = DeliveryFailed(
                    f"{type(err).__name__} from the SDK", retryable=True
                )

        reference = ConversationReference.deserialize(ref.reference)
        reference.activity_id = None
        try:
            await self._adapter.continue_conversation(reference, callback, bot_app_id=self._app_id)
        except Exception as err:  # e.g. credentials that cannot be built from the settings
            log.warning("could not open a proactive Teams turn: %s", type(err).__name__)
            raise DeliveryFailed(f"{type(err).__name__} opening the turn", retryable=True) from err
        error = outcome.get("error")
        if isinstance(error, RecipientGone):
            await asyncio.to_thread(
                self._conversations.mark_dead,
                ref.conversation_id,
                reason=str(error),
                now=self._clock.now(),
            )
            log.info("Teams conversation marked dead: %s", error)
        if error is not None:
            raise error
        if "value" not in outcome:
            raise DeliveryFailed("the proactive turn did not run", retryable=True)
        return outcome["value"]  # type: ignore[no-any-return]

    def _blocking(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._loop_for_threads()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coro.close()
            raise RuntimeError(
                "TeamsChatPort.send blocks: call it from a worker thread, or await asend"
            )
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout as err:
            future.cancel()
            raise DeliveryFailed("Teams did not answer in time", retryable=True) from err

    def _loop_for_threads(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is not None and not self._loop.is_closed():
                return self._loop
            if self._private is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="teams-port", daemon=True)
                thread.start()
                self._private = (loop, thread)
            return self._private[0]


def _thread_id(conversation_id: str, channel: Channel | None) -> str:
    if channel is not None and channel.thread_id:
        return f"{conversation_id};messageid={channel.thread_id}"
    return conversation_id


def _addressed(payload: dict[str, Any], ref: ConversationRef, conversation_id: str) -> Activity:
    """A rendered message addressed like the stored reference (tenant included for Teams)."""
    activity = Activity.deserialize(payload)
    reference = ConversationReference.deserialize(ref.reference)
    reference.activity_id = None
    TurnContext.apply_conversation_reference(activity, reference)
    activity.conversation.id = conversation_id
    activity.channel_data = {"tenant": {"id": ref.tenant_id}}
    return activity


def _id(response: ResourceResponse | None) -> str:
    return (response.id if response is not None else None) or ""
