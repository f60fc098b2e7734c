"""Where each reply to a Slack event goes: the same channel or thread, a DM, or an update.

- A direct message or mention is answered where it was written (mentions in their thread).
- A slash command is answered in the bot's direct conversation with the user, so the
  answer stays private and can carry buttons.
- A click in a shared channel is answered to the clicker only (ephemeral).
- `replace=True` on a click updates the clicked message; a placeholder is updated with the
  first reply that would have been posted where it stands.
- A `Direct` reply to someone on another platform (a Teams coach) goes through that
  platform's chat port, or is skipped (logged by platform name only) when there is none.
"""

from __future__ import annotations

import logging

from bot.adapters.slack.port import SlackChatPort, delivered
from bot.core.events import ActionClicked, Channel, CommandInvoked, Event
from bot.core.ports import ChatPorts, Delivered, DeliveryFailed, RecipientGone
from bot.core.replies import Direct, Reply, say

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
    port: SlackChatPort,
    event: Event,
    replies: list[Reply],
    placeholder: Delivered | None = None,
    *,
    others: ChatPorts | None = None,
) -> int:
    """Send every reply; returns how many went out. Failures are logged, never raised.

    One failed reply never stops the others. `others` holds the process's chat ports, for
    `Direct` replies to identities of another platform.
    """
    sent = 0
    for reply in replies:
        try:
            if isinstance(reply.to, Direct) and reply.to.identity.platform != port.platform:
                sent += _elsewhere(others, reply)
                continue
            placeholder = _one(port, event, reply, placeholder)
            sent += 1
        except RecipientGone as err:
            log.warning("slack reply not delivered, recipient gone: %s", err)
        except DeliveryFailed as err:
            log.warning("slack reply not delivered: %s", err)
    if placeholder is not None:
        try:
            port.delete(placeholder)
        except DeliveryFailed as err:
            log.warning("slack placeholder not removed: %s", err)
    return sent


def _elsewhere(others: ChatPorts | None, reply: Reply) -> int:
    """Send a Direct reply through another platform's port; 1 if it went out, else 0."""
    assert isinstance(reply.to, Direct)
    platform = reply.to.identity.platform
    found = others.for_identities([reply.to.identity]) if others is not None else None
    if found is None:
        log.warning("no chat port for a direct message to a %s user; not sent", platform)
        return 0
    other, identity = found
    try:
        other.send(reply, identity=identity)
    except DeliveryFailed as err:
        log.warning("direct message to a %s user not delivered (%s)", platform, type(err).__name__)
        return 0
    return 1


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
