"""The chat port: how the core sends proactive messages (nudges, reports) through any platform."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.errors import UpstreamError
from bot.core.events import Channel, Identity
from bot.core.replies import Reply


@dataclass(frozen=True)
class Delivered:
    """A message a platform accepted: where it went and the platform's id for it."""

    platform: str
    channel_id: str
    message_id: str


class DeliveryFailed(UpstreamError):
    """The platform did not take the message.

    Attributes:
        retryable: Whether trying again later may succeed (429, 5xx, timeouts).
        retry_after: Seconds the platform asked us to wait, when it said.
    """

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after


class RecipientGone(DeliveryFailed):
    """The recipient can no longer be reached (uninstalled, blocked, 403/404): never retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class ChatPort(Protocol):
    """One platform's outbound side. Adapters implement it; renderers run inside it.

    `send` posts to a channel (or to the identity's direct conversation when `channel` is
    None or the reply targets `Direct`); `update` replaces a message it sent before.
    Implementations raise `DeliveryFailed` or `RecipientGone`, never platform exceptions.
    """

    platform: str

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Post one reply and return where it landed."""
        ...

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        """Replace a message sent earlier."""
        ...


@dataclass
class ChatPorts:
    """The chat ports a process has, by platform name (built in the composition root)."""

    ports: dict[str, ChatPort] = field(default_factory=dict)

    def add(self, port: ChatPort) -> None:
        """Register a platform's port (replacing one of the same platform)."""
        self.ports[port.platform] = port

    def for_identities(self, identities: Iterable[Identity]) -> tuple[ChatPort, Identity] | None:
        """The first identity (in the given order) whose platform has a port."""
        for identity in identities:
            port = self.ports.get(identity.platform)
            if port is not None:
                return port, identity
        return None


@dataclass
class RecordingPort:
    """A chat port that keeps what it was asked to send (the terminal outbox, and tests)."""

    platform: str = "terminal"
    sent: list[tuple[Identity, Channel | None, Reply]] = field(default_factory=list)

    def send(
        self, reply: Reply, *, identity: Identity, channel: Channel | None = None
    ) -> Delivered:
        """Record the reply; the message id is its position."""
        self.sent.append((identity, channel, reply))
        where = channel.id if channel else f"dm:{identity.user_id}"
        return Delivered(self.platform, where, str(len(self.sent)))

    def update(self, sent: Delivered, reply: Reply) -> Delivered:
        """Record the replacement as a new entry."""
        self.sent.append((Identity(self.platform, "", sent.channel_id), None, reply))
        return sent
