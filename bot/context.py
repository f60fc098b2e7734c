"""What every handler receives: the event, the learner behind it, services and the time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.core.clock import Clock
from bot.core.events import Event
from bot.core.model import Learner
from bot.core.ports import (
    ChatPorts,
    HomePort,
    LibraryPort,
    MasteryPort,
    NudgesPort,
    PathsPort,
    PublishHome,
    ReviewsPort,
    RiskModelsPort,
    RolePolicyPort,
)
from bot.core.replies import Reply
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.conversations import ConversationRepository
from bot.storage.dialogs import DialogRepository
from bot.storage.framework import FrameworkRepository
from bot.storage.gaps import GapRepository
from bot.storage.items import ItemRepository
from bot.storage.journal import ActivityLog, AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.lessons import LessonProgressRepository, LessonRepository
from bot.storage.mastery import MasteryRepository
from bot.storage.org import OrgRepository
from bot.storage.paths import PathRepository
from bot.storage.questions import LastQuestions
from bot.storage.rights import RightsRepository
from bot.storage.team import TeamRepository
from bot.storage.workspaces import SlackInstallations
from bot.storage.xapi import XapiRepository

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nudges.outbox import Outbox
    from nudges.store.records import CalendarStore, PrefsStore, ReviewStore

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Lazy(Generic[T_co]):
    """A service built by its factory on first `get()`, once, so heavy imports wait for use.

    Args:
        factory: Builds the service (called at most once, even from several threads).
    """

    def __init__(self, factory: Callable[[], T_co]) -> None:
        self._factory = factory
        self._built: list[T_co] = []
        self._lock = threading.Lock()

    @staticmethod
    def ready(value: T) -> Lazy[T]:
        """A service that is already built (a stand-in, or one built elsewhere)."""
        return Lazy(lambda: value)

    def get(self) -> T_co:
        """The service, built now if this is the first call."""
        if not self._built:
            with self._lock:
                if not self._built:
                    self._built.append(self._factory())
        return self._built[0]


@dataclass(kw_only=True)
class Services:
    """Repositories and feature services, built once in the composition root (bot.app).

    Feature services are typed by their ports (`bot.core.ports`), so this module imports no
    feature. None means the feature is not part of this process; a `Lazy` one is built on
    first use (the content library loads an embedding model, the nudge service numpy).

    The repositories (`learners`, `content`, `outbox`, ...) are built once in
    `bot.app.build_services`; every SQL statement stays inside them.

    Attributes:
        org: The org chart and assignments.
        items: The item bank and response log.
        lessons: The lesson cards stored for each module at ingest.
        lesson_progress: Where each learner is in each lesson, and the lesson event log.
        mastery: Abilities, exemptions and mastery-check attempts.
        policy: Where roles come from besides grants (settings, the org chart).
        chat_ports: The platforms this process can send proactive messages to.
        last_questions: Each learner's last question per conversation (for follow-ups).
        gaps: Content-gap groups and the "Not helpful" adjustments.
        library: The content library.
        nudges: The nudge service.
        paths: Learning paths, for features other than the path handlers.
        learner_mastery: The quiz evidence the path planner reads.
        reviews: Spaced reviews of quiz items.
        mastery_check: Starts a mastery check: (ctx, competency id, module id) -> replies.
        home: The sections of a platform home tab.
        publish_home: Refreshes a user's home tab (set by an adapter that has one).
        risk_models: The team report's trained predicted-risk models, kept between reports
            of this process (None: trained at every report).
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
    org: OrgRepository
    items: ItemRepository
    mastery: MasteryRepository
    policy: RolePolicyPort
    # The nudges types are named for type checking only: the nudges package sits above this
    # module.
    content: ContentRepository
    last_questions: LastQuestions
    gaps: GapRepository
    lessons: LessonRepository
    lesson_progress: LessonProgressRepository
    path_records: PathRepository
    conversations: ConversationRepository
    slack_installations: SlackInstallations
    team_stats: TeamRepository
    rights: RightsRepository
    xapi: XapiRepository
    outbox: Outbox
    calendars: CalendarStore
    nudge_prefs: PrefsStore
    review_cards: ReviewStore
    chat_ports: ChatPorts = field(default_factory=ChatPorts)
    library: Lazy[LibraryPort] | None = None
    nudges: Lazy[NudgesPort] | None = None
    paths: PathsPort | None = None
    learner_mastery: MasteryPort | None = None
    reviews: ReviewsPort | None = None
    mastery_check: MasteryCheck | None = None
    home: HomePort | None = None
    publish_home: PublishHome | None = None
    risk_models: RiskModelsPort | None = None


@dataclass(frozen=True)
class Context:
    """The request being handled."""

    event: Event
    learner: Learner
    services: Services
    now: datetime


Handler = Callable[[Context, str], list[Reply]]
MasteryCheck = Callable[[Context, str, str], list[Reply]]


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
        sub_roles: A higher least role for some first words of the arguments, e.g.
            {"all": "admin"} for `/learn team all`; the router checks it like `role`.
    """

    name: str
    summary: str
    usage: str
    role: str
    handler: Handler
    needs_args: bool = False
    sub_roles: Mapping[str, str] = field(default_factory=dict)
