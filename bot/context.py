"""What every handler receives: the event, the learner behind it, services and the time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.clock import Clock
from bot.core.events import Event
from bot.core.model import Learner
from bot.core.replies import Reply
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.conversations import ConversationRepository
from bot.storage.dialogs import DialogRepository
from bot.storage.framework import FrameworkRepository
from bot.storage.journal import ActivityLog, AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.paths import PathRepository
from bot.storage.rights import RightsRepository
from bot.storage.team import TeamRepository
from bot.storage.workspaces import SlackInstallations
from bot.storage.xapi import XapiRepository

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nudges.outbox import Outbox
    from nudges.store.records import CalendarStore, PrefsStore, ReviewStore


@dataclass
class Services:
    """Repositories and services, built once in the composition root (bot.app).

    Feature services (the content library, the item bank, ...) are registered in `extras`
    by name and reached through `feature()`, so the core does not import them.
    """

    engine: Engine
    settings: Settings
    clock: Clock
    learners: LearnerRepository
    profiles: ProfileRepository
    dialogs: DialogRepository
    events: EventLog
    audit: AuditLog
    activity: ActivityLog
    framework: FrameworkRepository
    extras: dict[str, Any] = field(default_factory=dict)
    # Storage, built once in bot.app.build_services. Keyword-only, so these may follow
    # fields with defaults; the nudges types are named for type checking only, since the
    # nudges package sits above this module.
    content: ContentRepository = field(kw_only=True)
    path_records: PathRepository = field(kw_only=True)
    conversations: ConversationRepository = field(kw_only=True)
    slack_installations: SlackInstallations = field(kw_only=True)
    team_stats: TeamRepository = field(kw_only=True)
    rights: RightsRepository = field(kw_only=True)
    xapi: XapiRepository = field(kw_only=True)
    outbox: Outbox = field(kw_only=True)
    calendars: CalendarStore = field(kw_only=True)
    nudge_prefs: PrefsStore = field(kw_only=True)
    review_cards: ReviewStore = field(kw_only=True)

    def feature(self, name: str) -> Any:
        """A feature service by name, or None when the feature is not configured."""
        factory = self.extras.get(name)
        if callable(factory) and getattr(factory, "_lazy", False):
            self.extras[name] = factory()
        return self.extras.get(name)


def lazy(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Mark a factory so `Services.feature` builds it on first use (heavy imports wait)."""
    factory._lazy = True  # type: ignore[attr-defined]
    return factory


@dataclass(frozen=True)
class Context:
    """The request being handled."""

    event: Event
    learner: Learner
    services: Services
    now: datetime


Handler = Callable[[Context, str], list[Reply]]


@dataclass(frozen=True)
class Command:
    """A `/learn` subcommand.

    Attributes:
        name: The subcommand word.
        summary: One line for `/learn help`.
        usage: How to call it, e.g. "/learn ask QUESTION".
        role: The least role allowed to use it: learner, manager or admin.
        handler: Called with the context and the text after the subcommand.
        needs_args: Whether calling it without arguments is a usage error.
    """

    name: str
    summary: str
    usage: str
    role: str
    handler: Handler
    needs_args: bool = False
