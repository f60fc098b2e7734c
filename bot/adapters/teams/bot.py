"""The Teams bot: one turn is inbound translation -> router (in a thread) -> rendered replies.

`on_turn` runs a whole turn in the context it is given (invokes, and tests through botbuilder's
TestAdapter). The endpoint splits the same turn in two: `remember` and `place` on the request
path (the conversation reference stored, the events translated and given their place in the
sender's line), then `run` later, in a proactive turn opened on the activity itself
(`bot.adapters.teams.turns`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from botbuilder.core import Bot, BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.adapters.queue import LearnerQueue, Turn
from bot.adapters.teams.delivery import RetryPolicy, deliver, no_sdk_retries
from bot.adapters.teams.files import file_reader
from bot.adapters.teams.inbound import (
    ReaderFactory,
    identity_of,
    installation_change,
    to_events,
    where_of,
)
from bot.adapters.teams.members import with_roster_details
from bot.adapters.teams.port import TeamsChatPort
from bot.adapters.teams.render import render
from bot.core import messages as msg
from bot.core.clock import Clock
from bot.core.events import (
    ActionClicked,
    CommandInvoked,
    Event,
    FileReader,
    FileShared,
    Identity,
    Installed,
    MessageReceived,
    Uninstalled,
)
from bot.core.ports import ChatPorts, DeliveryFailed, RecipientGone
from bot.core.replies import Direct, Reply, say
from bot.storage.conversations import ConversationRef, ConversationRepository
from bot.storage.journal import EventLog

log = logging.getLogger(__name__)
REMEMBERED = (
    ActivityTypes.message,
    ActivityTypes.conversation_update,
    ActivityTypes.installation_update,
)
# A turn that has not answered after this long shows the typing indicator.
TYPING_AFTER_S = 1.5


@dataclass
class Placed:
    """One core event of an activity and its place in the sender's line (None: not queued).

    `ran` turns True once the place was used, so a turn that never ran can be released.
    """

    event: Event
    turn: Turn | None
    ran: bool = False


def not_supported(name: str) -> dict[str, Any]:
    """The polite invoke answer for an invoke learnbot does not handle (always HTTP 200)."""
    if name.startswith("task/"):
        return {"task": {"type": "message", "value": msg.TEAMS_NOT_SUPPORTED}}
    if name.startswith("composeExtension/"):
        return {"composeExtension": {"type": "message", "text": msg.TEAMS_NOT_SUPPORTED}}
    if name == "adaptiveCard/action":
        return {
            "statusCode": 200,
            "type": "application/vnd.microsoft.activity.message",
            "value": msg.TEAMS_NOT_SUPPORTED,
        }
    return {}


async def answer_invoke(context: TurnContext, body: dict[str, Any], status: int = 200) -> None:
    """Set the HTTP answer of an invoke activity."""
    response = InvokeResponse(status=status, body=body)
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))


class LearnbotBot(Bot):  # type: ignore[misc]
    """Feeds Teams activities to the core and sends its replies back.

    Args:
        handle: The router's `handle` (synchronous; run in a worker thread).
        commands: The `/learn` subcommand names (read at every turn).
        conversations: Where conversation references are stored.
        events: Remembers activity ids so a redelivered activity is handled once.
        clock: The time for storage records.
        max_upload_bytes: Files declared larger are refused before any download.
        port: Sends replies addressed to someone else's personal chat.
        others: The process's chat ports (read at every turn), for `Direct` replies to
            people on another platform; without a port for theirs the reply is skipped.
        retry: The send retry policy.
        open_file: Builds a file's `read(max_bytes)` (by default the streaming downloader,
            limited to SharePoint/OneDrive hosts and the activity's service URL host).
        is_known: Whether learnbot has met an identity; unknown ones get their email and
            guest status from the Teams roster before the core sees them.
        queue: The process's per-learner line: messages, commands and clicks of one person
            are handled one at a time in arrival order, and a burst beyond the line gets one
            "slow down" reply (without one, each turn runs at once).
        typing_after: Seconds after which a turn still working shows the typing indicator
            (None: never).
    """

    def __init__(
        self,
        *,
        handle: Callable[[Event], list[Reply]],
        commands: Callable[[], Iterable[str]],
        conversations: ConversationRepository,
        events: EventLog,
        clock: Clock,
        max_upload_bytes: int,
        port: TeamsChatPort | None = None,
        retry: RetryPolicy | None = None,
        open_file: ReaderFactory | None = None,
        is_known: Callable[[Identity], bool] | None = None,
        others: Callable[[], ChatPorts | None] | None = None,
        queue: LearnerQueue | None = None,
        typing_after: float | None = None,
    ) -> None:
        self._handle = handle
        self._commands = commands
        self._conversations = conversations
        self._events = events
        self._clock = clock
        self._max_upload = max_upload_bytes
        self._port = port
        self._retry = retry or RetryPolicy()
        self._open_file = open_file
        self._is_known = is_known
        self._others = others
        self._queue = queue
        self._typing_after = typing_after

    async def on_turn(self, context: TurnContext) -> None:
        """Handle one activity, all of it in this turn."""
        activity = context.activity
        no_sdk_retries(context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY))
        if activity.type == ActivityTypes.invoke:
            await answer_invoke(context, not_supported(activity.name or ""))
            return
        if activity.type not in REMEMBERED:
            return
        await asyncio.to_thread(self.remember, activity)
        if activity.type == ActivityTypes.message and not await self._first_time(activity):
            return
        await self.run(context, self.place(activity))

    def place(self, activity: Activity) -> list[Placed]:
        """The activity's core events, each given its place in the sender's line (call on the
        event loop when the activity arrives, so the line keeps arrival order)."""
        commands = frozenset(c.lower() for c in self._commands())
        open_file = self._open_file or partial(_download, service_url=activity.service_url or "")
        placed = []
        for event in to_events(activity, commands=commands, open_file=open_file):
            queued = isinstance(event, MessageReceived | CommandInvoked | ActionClicked)
            turn = self._queue.admit(event.identity) if queued and self._queue else None
            placed.append(Placed(event, turn))
        return placed

    async def run(self, context: TurnContext, placed: list[Placed]) -> None:
        """Run the placed events of `context.activity` (each in its turn of the line)."""
        no_sdk_retries(context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY))
        for item in placed:
            await self._route(context, item)

    async def release(self, placed: list[Placed]) -> None:
        """Give up the places of events that never ran (their turn could not be opened)."""
        for item in placed:
            if not item.ran and item.turn is not None and item.turn.admitted and self._queue:
                item.ran = True
                await self._queue.run(item.turn, _nothing)

    async def _route(self, context: TurnContext, item: Placed) -> None:
        queue, turn, event = self._queue, item.turn, item.event
        item.ran = True
        if queue is None or turn is None:
            await self._turn(context, event)
        elif turn.admitted:
            await queue.run(turn, partial(self._turn, context, event))
        elif turn.warn:
            await self._reply(context, event, [say(msg.SLOW_DOWN.format(limit=queue.limit))])
        else:
            log.info("teams: a burst from one person went past the queue; activity dropped")

    async def _turn(self, context: TurnContext, event: Event) -> None:
        if isinstance(event, FileShared) and event.size > self._max_upload:
            mb = 1024 * 1024
            text = msg.TEAMS_FILE_TOO_BIG.format(
                name=event.name, size=event.size / mb, limit=self._max_upload / mb
            )
            await self._reply(context, event, [say(text)])
            return
        if await self._first_contact(event):
            event = replace(event, user=await with_roster_details(context, event.user))
        work = asyncio.ensure_future(asyncio.to_thread(self._handle, event))
        done, _ = await asyncio.wait({work}, timeout=self._typing_after)
        if not done and self._typing_after is not None:
            await _typing(context)
        await self._reply(context, event, await work)

    async def _first_contact(self, event: Event) -> bool:
        if self._is_known is None or isinstance(event, Installed | Uninstalled):
            return False
        return not await asyncio.to_thread(self._is_known, event.identity)

    async def _reply(self, context: TurnContext, event: Event, replies: list[Reply]) -> None:
        """Send every reply; one that fails never stops the ones addressed elsewhere."""
        gone = False
        for reply in replies:
            if isinstance(reply.to, Direct) and not (
                reply.to.identity == event.identity and event.channel.is_direct
            ):
                await self._send_elsewhere(reply)
                continue
            if gone:
                continue
            try:
                await self._send_here(context, reply)
            except RecipientGone as err:
                gone = True
                where = where_of(context.activity)
                await asyncio.to_thread(
                    self._conversations.mark_dead,
                    where.conversation_id,
                    reason=str(err),
                    now=self._clock.now(),
                )
                log.info("Teams conversation gone during a turn: %s", err)
            except DeliveryFailed as err:
                log.warning("Teams reply not delivered: %s", err)

    async def _send_here(self, context: TurnContext, reply: Reply) -> None:
        payloads = render(reply)
        replace_id = context.activity.reply_to_id if reply.replace else None
        if replace_id and payloads:
            first = Activity.deserialize(payloads.pop(0))
            first.id = replace_id
            await deliver(partial(context.update_activity, first), self._retry, what="an update")
        for payload in payloads:
            activity = Activity.deserialize(payload)
            await deliver(partial(context.send_activity, activity), self._retry, what="a reply")

    async def _send_elsewhere(self, reply: Reply) -> None:
        assert isinstance(reply.to, Direct)
        identity = reply.to.identity
        platform = identity.platform
        try:
            if platform == "teams" and self._port is not None:
                await self._port.asend(reply, identity=identity)
                return
            ports = self._others() if self._others is not None else None
            found = ports.for_identities([identity]) if ports is not None else None
            if platform == "teams" or found is None:
                log.warning("no chat port for a direct message to a %s user; not sent", platform)
                return
            other, who = found
            await asyncio.to_thread(other.send, reply, identity=who)
        except DeliveryFailed as err:
            log.warning(
                "direct message to a %s user not delivered (%s)", platform, type(err).__name__
            )

    async def _first_time(self, activity: Activity) -> bool:
        if not activity.id:
            return True
        where = where_of(activity)
        digest = hashlib.sha256(where.conversation_id.encode()).hexdigest()[:24]
        key = f"teams:{digest}:{activity.id}"
        return await asyncio.to_thread(self._events.first_time, key, now=self._clock.now())

    def remember(self, activity: Activity) -> None:
        """Store (or refresh) the conversation reference; a removal marks it dead."""
        where = where_of(activity)
        if not where.conversation_id or not activity.service_url:
            return
        now = self._clock.now()
        if installation_change(activity) == "removed":
            self._conversations.mark_dead(where.conversation_id, reason="uninstalled", now=now)
            return
        self._conversations.remember(conversation_ref(activity), now=now)


def conversation_ref(activity: Activity) -> ConversationRef:
    """The reference to store for the activity's conversation (thread and activity id dropped)."""
    where = where_of(activity)
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)
    reference.setdefault("conversation", {})["id"] = where.conversation_id
    user_id = aad = None
    if where.is_direct and activity.from_property is not None:
        user_id = activity.from_property.id
        aad = activity.from_property.aad_object_id
    else:
        reference.pop("user", None)
    return ConversationRef(
        conversation_id=where.conversation_id,
        tenant_id=where.tenant_id or identity_of(activity).workspace,
        kind=where.kind,
        service_url=activity.service_url,
        reference=reference,
        user_id=user_id,
        aad_object_id=aad,
    )


async def _typing(context: TurnContext) -> None:
    """Show the typing indicator (best effort: a failure only loses the indicator)."""
    try:
        await context.send_activity(Activity(type=ActivityTypes.typing))
    except Exception as err:  # noqa: BLE001 - the SDK raises many kinds; none matters here
        log.info("Teams typing indicator not sent: %s", type(err).__name__)


async def _nothing() -> None:
    return None


def _download(url: str, name: str, *, service_url: str) -> FileReader:
    return file_reader(url, name=name, service_url=service_url)
