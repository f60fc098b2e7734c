"""Received Slack messages as stored in the event log: the normalized core event, no more.

What is stored is what processing the message again needs: who wrote (team and user ids),
where (channel and thread), the event id and the cleaned text. Not the raw body, not a
token, not the user's profile (it is read again from `users.info` when processed). The
payload is dropped once the event is done.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.events import Channel, Identity, MessageReceived
from bot.core.ports import Delivered

KEY_PREFIX = "slack:"
# A message's holder renews its claim while the core works; a replica that died lets it lapse.
LEASE = timedelta(seconds=60)
# Received messages older than this are not processed any more on start (too late to answer).
MAX_AGE = timedelta(hours=1)


def key_of(event_id: str) -> str:
    """The event log key of a Slack event id."""
    return KEY_PREFIX + event_id


def encode(event: MessageReceived) -> dict[str, Any]:
    """The stored form of a message (see the module docstring for what is left out)."""
    return {
        "kind": "message",
        "workspace": event.identity.workspace,
        "user": event.identity.user_id,
        "channel": event.channel.id,
        "direct": event.channel.is_direct,
        "thread": event.channel.thread_id,
        "event_id": event.event_id,
        "text": event.text,
        "mentioned": event.mentioned,
    }


def decode(payload: dict[str, Any]) -> MessageReceived | None:
    """The message back from its stored form; None for anything else."""
    if payload.get("kind") != "message":
        return None
    identity = Identity("slack", str(payload.get("workspace", "")), str(payload.get("user", "")))
    thread = payload.get("thread")
    channel = Channel(
        str(payload.get("channel", "")),
        is_direct=bool(payload.get("direct")),
        thread_id=str(thread) if thread else None,
    )
    return MessageReceived(
        identity,
        channel,
        event_id=str(payload.get("event_id", "")),
        text=str(payload.get("text", "")),
        mentioned=bool(payload.get("mentioned")),
    )


def with_placeholder(payload: dict[str, Any], placeholder: Delivered) -> dict[str, Any]:
    """The stored form plus the "looking that up" message posted for it, so a holder that
    takes the message over after a crash replaces that message instead of leaving it."""
    where = {"channel": placeholder.channel_id, "ts": placeholder.message_id}
    return payload | {"placeholder": where}


def placeholder_of(payload: dict[str, Any]) -> Delivered | None:
    """The placeholder an earlier holder posted, if any."""
    where = payload.get("placeholder")
    if not isinstance(where, dict):
        return None
    channel, ts = where.get("channel"), where.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or not channel or not ts:
        return None
    return Delivered("slack", channel, ts)
