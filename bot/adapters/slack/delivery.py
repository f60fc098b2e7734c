"""Where each reply to a Slack event goes: the same channel or thread, a DM, or an update.

- A direct message or mention is answered where it was written (mentions in their thread).
- A slash command is answered in the bot's direct conversation with the user, so the
  answer stays private and can carry buttons.
- A click in a shared channel is answered to the clicker only (ephemeral).
- `replace=True` on a click updates the clicked message; a placeholder is updated with the
  first reply that would have been posted where it stands.
"""

from __future__ import annotations

import logging

from bot.adapters.slack.port import SlackChatPort, delivered
from bot.events import ActionClicked, Channel, CommandInvoked, Event
from bot.ports import Delivered, DeliveryFailed, RecipientGone
from bot.replies import Direct, Reply, say

log = logging.getLogger(__name__)


def home_channel(event: Event) -> Channel | None:
    """Where `Here` replies to an event go; None means the user's direct conversation."""
    if isinstance(event, CommandInvoked) or not event.channel.id:
        return None
    return event.channel


def post_placeholder(port: SlackChatPort, event: Event, text: str) -> Delivered:
    """Post the "working on it" message that the answer will replace."""
    return port.send(say(text), identity=event.identity, channel=home_channel(event))


def deliver(
    port: SlackChatPort, event: Event, replies: list[Reply], placeholder: Delivered | None = None
) -> int:
    """Send every reply; returns how many went out. Failures are logged, never raised."""
    sent = 0
    for reply in replies:
        try:
            placeholder = _one(port, event, reply, placeholder)
            sent += 1
        except RecipientGone as err:
            log.warning("slack reply not delivered, recipient gone: %s", err)
            return sent
        except DeliveryFailed as err:
            log.warning("slack reply not delivered: %s", err)
    if placeholder is not None:
        try:
            port.delete(placeholder)
        except DeliveryFailed as err:
            log.warning("slack placeholder not removed: %s", err)
    return sent


def _one(
    port: SlackChatPort, event: Event, reply: Reply, placeholder: Delivered | None
) -> Delivered | None:
    """Send one reply; returns the placeholder if it is still waiting for its answer."""
    if isinstance(reply.to, Direct):
        port.send(reply, identity=reply.to.identity)
        return placeholder
    if reply.replace and isinstance(event, ActionClicked) and event.message_id and event.channel.id:
        port.update(delivered(event.identity.workspace, event.channel.id, event.message_id), reply)
        return placeholder
    if placeholder is not None:
        port.update(placeholder, reply)
        return None
    channel = home_channel(event)
    if isinstance(event, ActionClicked) and channel is not None and not channel.is_direct:
        port.ephemeral(reply, identity=event.identity, channel=channel)
    else:
        port.send(reply, identity=event.identity, channel=channel)
    return placeholder
