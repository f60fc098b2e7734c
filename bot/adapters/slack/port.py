"""The Slack chat port: posts, updates, ephemeral notes, uploads and direct messages.

`Delivered.channel_id` is written `TEAM:CHANNEL`, so a later `update` knows which
workspace's token to use when several workspaces are installed.

A reply with an idempotency key (a nudge) is posted with it in its message metadata, and
`find_sent` reads it back through `conversations.history`: that is how a nudge whose send
outcome is unknown after a crash is found instead of being posted twice.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from slack_sdk.web import WebClient

from bot.adapters.slack.clients import Clients
from bot.adapters.slack.render import SlackMessage, Upload, render
from bot.adapters.slack.web import Pacer, call, response_data
from bot.core.events import Channel, Identity
from bot.core.ports import Delivered, DeliveryFailed
from bot.core.replies import Direct, Reply

log = logging.getLogger(__name__)
PLATFORM = "slack"
EVENT_TYPE = "learnbot_nudge"
HISTORY_PAGES = 10


def delivered(workspace: str, channel: str, ts: str) -> Delivered:
    """A Delivered for a Slack message."""
    return Delivered(PLATFORM, f"{workspace}:{channel}", ts)


def where(sent: Delivered) -> tuple[str, str]:
    """(workspace, channel) of a Delivered."""
    workspace, _, channel = sent.channel_id.rpartition(":")
    return workspace, channel


class SlackChatPort:
    """Sends replies to Slack through the Web API (see bot.core.ports.ChatPort).

    Args:
        clients: Web API clients per workspace.
        pacer: Spaces out posts per channel (about one per second after a short burst).
    """

    platform = PLATFORM

    def __init__(self, *, clients: Clients, pacer: Pacer | None = None) -> None:
        self.clients = clients
        self.pacer = pacer or Pacer()
        self._dms: OrderedDict[Identity, str] = OrderedDict()
        self._lock = threading.Lock()

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Post a reply (to the identity's direct conversation unless a channel is given)."""
        if isinstance(reply.to, Direct):
            identity, channel = reply.to.identity, None
        client = self.clients.for_workspace(identity.workspace)
        channel_id = channel.id if channel and channel.id else self.open_dm(identity)
        thread = channel.thread_id if channel else None
        rendered = render(reply)
        first = ""
        for message in rendered.messages:
            meta = keyed(reply.key) if not first else None
            ts = self._post(client, channel_id, message, thread, meta)
            first = first or ts
        self._upload(client, channel_id, rendered.uploads, thread)
        return delivered(identity.workspace, channel_id, first)

    def find_sent(self, key: str, *, identity: Identity, since: datetime) -> Delivered | None:
        """The message posted with idempotency `key` in the identity's direct conversation
        since `since`, or None (see bot.core.ports.SentLookup)."""
        client = self.clients.for_workspace(identity.workspace)
        channel_id = self.open_dm(identity)
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = call(
                lambda c=cursor: client.conversations_history(  # type: ignore[misc]
                    channel=channel_id,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=c,
                )
            )
            data = response_data(response)
            for message in data.get("messages") or ():
                if _has_key(message, key):
                    return delivered(identity.workspace, channel_id, str(message.get("ts", "")))
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not data.get("has_more") or not cursor:
                return None
        log.warning("slack: nudge key not found in %d pages of history", HISTORY_PAGES)
        return None

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        """Replace an earlier message; parts beyond its first message are posted after it."""
        workspace, channel_id = where(sent)
        client = self.clients.for_workspace(workspace)
        rendered = render(reply)
        head, *rest = rendered.messages or (SlackMessage(reply.fallback, ()),)
        self.pacer.wait(channel_id)
        call(
            lambda: client.chat_update(
                channel=channel_id,
                ts=sent.message_id,
                text=head.text,
                blocks=list(head.blocks) or None,
            )
        )
        for message in rest:
            self._post(client, channel_id, message, None)
        self._upload(client, channel_id, rendered.uploads, None)
        return sent

    def ephemeral(self, reply: Reply, *, identity: Identity, channel: Channel) -> Delivered:
        """Show a reply to one user only, in a channel (nothing else in it sees it)."""
        client = self.clients.for_workspace(identity.workspace)
        ts = ""
        for message in render(reply).messages:
            self.pacer.wait(channel.id)
            response = call(
                lambda m=message: client.chat_postEphemeral(  # type: ignore[misc]
                    channel=channel.id,
                    user=identity.user_id,
                    text=m.text,
                    blocks=list(m.blocks) or None,
                    thread_ts=channel.thread_id,
                )
            )
            ts = ts or str(response_data(response).get("message_ts", ""))
        return delivered(identity.workspace, channel.id, ts)

    def delete(self, sent: Delivered) -> None:
        """Delete a message the bot posted (a placeholder that got no answer)."""
        workspace, channel_id = where(sent)
        client = self.clients.for_workspace(workspace)
        call(lambda: client.chat_delete(channel=channel_id, ts=sent.message_id))

    def publish_home(self, identity: Identity, view: dict[str, Any]) -> None:
        """Publish a user's App Home tab."""
        client = self.clients.for_workspace(identity.workspace)
        call(lambda: client.views_publish(user_id=identity.user_id, view=view))

    def open_dm(self, identity: Identity) -> str:
        """The id of the bot's direct conversation with a user (opened once, then cached)."""
        with self._lock:
            known = self._dms.get(identity)
        if known:
            return known
        client = self.clients.for_workspace(identity.workspace)
        response = call(lambda: client.conversations_open(users=identity.user_id))
        channel = response_data(response).get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str) or not channel_id:
            raise DeliveryFailed("slack: conversations.open gave no channel", retryable=False)
        with self._lock:
            self._dms[identity] = channel_id
            while len(self._dms) > 10_000:
                self._dms.popitem(last=False)
        return channel_id

    def forget_workspace(self, workspace: str) -> None:
        """Drop cached direct conversations of a removed workspace."""
        with self._lock:
            for key in [k for k in self._dms if k.workspace == workspace]:
                del self._dms[key]

    def _post(
        self,
        client: WebClient,
        channel_id: str,
        message: SlackMessage,
        thread: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        self.pacer.wait(channel_id)
        response = call(
            lambda: client.chat_postMessage(
                channel=channel_id,
                text=message.text,
                blocks=list(message.blocks) or None,
                thread_ts=thread,
                metadata=metadata,
            )
        )
        return str(response_data(response).get("ts", ""))

    def _upload(
        self, client: WebClient, channel_id: str, uploads: tuple[Upload, ...], thread: str | None
    ) -> None:
        for upload in uploads:
            self.pacer.wait(channel_id)
            call(
                lambda u=upload: client.files_upload_v2(  # type: ignore[misc]
                    channel=channel_id,
                    file=u.data,
                    filename=u.name,
                    title=u.title,
                    thread_ts=thread,
                )
            )


def keyed(key: str) -> dict[str, Any] | None:
    """The message metadata that carries an idempotency key (None without a key)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}} if key else None


def _has_key(message: Any, key: str) -> bool:
    meta = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(meta, dict) or meta.get("event_type") != EVENT_TYPE:
        return False
    payload = meta.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key
