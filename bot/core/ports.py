"""Ports: the chat port proactive messages go through, and the feature services' Protocols.

`bot.context.Services` types its feature fields with these, so the core names no feature
module; the composition root (`bot.app`) plugs the implementations in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from bot.core.errors import UpstreamError
from bot.core.events import Channel, Identity
from bot.core.model import Answered, IndexStatus, IngestReport, Learner
from bot.core.replies import Reply
from learning.path_model import CatalogModule
from learning.profile import Profile

if TYPE_CHECKING:
    from bot.storage.content import ContentRepository
    from learning.risk_model import Trained
    from retrieval.hybrid import Hit


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


@runtime_checkable
class SentLookup(Protocol):
    """A chat port that can read back what it sent (Slack keeps message metadata).

    Delivery asks it, before sending again, whether a send whose outcome is unknown (the
    process died between the platform call and the mark) reached the platform after all.
    """

    def find_sent(self, key: str, *, identity: Identity, since: datetime) -> Delivered | None:
        """The message sent with idempotency `key` to the identity since `since`, if any."""
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


PublishHome = Callable[[Identity], bool]
"""Refreshes a user's platform home tab; False when the identity is unknown there."""


class LibraryPort(Protocol):
    """The content library: documents in, questions answered (`bot.features.library`)."""

    @property
    def content(self) -> ContentRepository:
        """The module, chunk, answer and gap records."""
        ...

    def ask(
        self, question: str, *, roles: Sequence[str] | None, prefer: str | None = None
    ) -> Answered:
        """Answer from the modules visible to `roles`, or say honestly there is no answer;
        `prefer` favours one module (a follow-up's previous one)."""
        ...

    def search(self, question: str, *, roles: Sequence[str] | None, k: int = 10) -> list[Hit]:
        """The best chunks for a question."""
        ...

    def ranked(
        self, question: str, *, roles: Sequence[str] | None, prefer: str | None = None
    ) -> list[Hit]:
        """The hits an answer is decided from (search, preference, feedback adjustments)."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Question vectors from the library's embedding model (content-gap grouping)."""
        ...

    def standalone_question(self, previous: str, follow_up: str) -> str | None:
        """A follow-up rewritten as a standalone question by the configured chat model, or
        None (no model, a failure, or no usable question)."""
        ...

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (unchanged documents are skipped)."""
        ...

    def ingest_upload(self, name: str, data: bytes) -> IngestReport:
        """Ingest one uploaded document."""
        ...

    def reindex(self, progress: Callable[[int, int, str], None] | None = None) -> int:
        """Rebuild the vector index from the stored chunks; returns the chunks written."""
        ...

    def set_retired(self, module_id: str, retired: bool) -> bool:
        """Retire or restore a module; False when it does not exist."""
        ...

    def index_status(self) -> IndexStatus:
        """Whether the index can be searched and holds the database's library generation."""
        ...

    def rebuild_if_needed(self, progress: Callable[[int, int, str], None] | None = None) -> bool:
        """Rebuild a missing or stale index from the stored chunks; True when it did."""
        ...

    def warm_up(self) -> None:
        """Load the embedding model and the index ahead of the first question."""
        ...


class PathInputs(NamedTuple):
    """What the nudge planner reads from a learner's path, taken from one plan.

    Attributes:
        next_step: The first open step: (module id, title, minutes), or None.
        required: Open required modules with their due dates.
    """

    next_step: tuple[str, str, int] | None
    required: list[tuple[str, datetime]]


class PathsPort(Protocol):
    """Learning paths as other features read them (`bot.features.paths`)."""

    def catalogue(self) -> list[CatalogModule]:
        """Every live module of the library, as the planner sees it."""
        ...

    def inputs(self, learner_id: str, *, now: datetime) -> PathInputs:
        """The next step and the due required training, from one plan of the path."""
        ...


class MasteryPort(Protocol):
    """The quiz feature's evidence, as the path planner reads it."""

    def mastery(self, learner_id: str) -> dict[str, float]:
        """Competency id -> probability of mastery (0..1)."""
        ...

    def exemptions(self, learner_id: str) -> dict[str, str]:
        """Competency id -> id of the evidence that exempts the learner."""
        ...

    def reviews_due(self, learner_id: str) -> dict[str, datetime]:
        """Module id -> when its earliest spaced review falls due (timezone-aware)."""
        ...


class ReviewsPort(Protocol):
    """Spaced reviews of quiz items (the nudges feature keeps the cards)."""

    def record(
        self,
        learner_id: str,
        item_id: str,
        correct: bool,
        *,
        now: datetime,
        module_id: str | None = None,
        dont_know: bool = False,
    ) -> None:
        """Schedule an item's next review after an answer."""
        ...

    def due_by_module(self, learner_id: str) -> dict[str, datetime]:
        """Module id -> the earliest due review of its items."""
        ...


class UpcomingNudge(Protocol):
    """A planned nudge as other features show it."""

    @property
    def due_at(self) -> datetime:
        """When it is due."""
        ...

    @property
    def title(self) -> str:
        """What it is about."""
        ...

    @property
    def reason(self) -> str:
        """Why it comes then."""
        ...


class NudgesPort(Protocol):
    """The nudge service as adapters and the home tab read it (`nudges.service`)."""

    def upcoming(self, learner_id: str, *, now: datetime) -> Sequence[UpcomingNudge]:
        """The learner's planned nudges from now on."""
        ...

    def terminal_inbox(self, learner_id: str, *, now: datetime) -> list[Reply]:
        """Nudges delivered to the learner's terminal and not yet shown."""
        ...

    def free_minutes(self, learner_id: str, *, start: datetime, end: datetime) -> float:
        """Minutes of working time between two instants not taken by calendar meetings."""
        ...

    def free_minutes_many(
        self, profiles: Mapping[str, Profile], *, start: datetime, end: datetime
    ) -> Mapping[str, Callable[[datetime], float]]:
        """`free_minutes` from `start` of many learners (read at once), each up to an instant
        no later than `end`."""
        ...


class HomePort(Protocol):
    """The sections of a platform home tab: Markdown text, or None for "not yet"."""

    def path(self, learner_id: str, *, now: datetime) -> str | None:
        """The learner's open path steps."""
        ...

    def progress(self, learner_id: str, *, now: datetime) -> str | None:
        """Steps done and competencies mastered."""
        ...

    def next_nudge(self, learner_id: str, *, now: datetime) -> str | None:
        """The next planned nudge."""
        ...


class RiskModelsPort(Protocol):
    """The predicted-risk model each database trained last, reused while it is fresh
    (`bot.features.team.risk.TrainedModels`)."""

    def trained(self, database: str, *, now: datetime, train: Callable[[], Trained]) -> Trained:
        """The model (or the fallback) `database` trained last if still fresh at `now`, else
        what `train()` gives, kept for the next report."""
        ...


class RolePolicyPort(Protocol):
    """Where roles come from besides grants (`bot.features.roles.RolePolicy`)."""

    def is_configured_admin(self, learner: Learner, identity: Identity | None = None) -> bool:
        """Whether the settings make this learner an admin."""
        ...
