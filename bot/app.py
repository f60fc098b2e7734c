"""The composition root: settings -> storage -> services -> router, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.context import Lazy, Services
from bot.core.clock import Clock, SystemClock
from bot.dialogs.coach_reply import KIND as COACH_REPLY_KIND
from bot.dialogs.coach_reply import CoachReplyFlow
from bot.dialogs.engine import DialogEngine
from bot.dialogs.forget import ForgetFlow
from bot.dialogs.lesson import FLOWS as LESSON_FLOWS
from bot.dialogs.onboarding import OnboardingFlow
from bot.dialogs.quiz import FLOWS as QUIZ_FLOWS
from bot.features.library import Library
from bot.features.paths.service import PathService
from bot.features.quiz.learner_model import MasteryView
from bot.features.roles import RolePolicy
from bot.features.team.risk import TrainedModels
from bot.handlers import (
    admin,
    ask,
    basics,
    coach,
    data,
    files,
    lessons,
    path_steps,
    paths,
    profile,
    quiz,
    team,
)
from bot.handlers import calendar as calendar_handlers
from bot.handlers import nudges as nudge_handlers
from bot.handlers.home import HomeSections
from bot.router import Router
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.conversations import ConversationRepository
from bot.storage.db import make_engine, migrate
from bot.storage.dialogs import DialogRepository
from bot.storage.files import private_dir, private_umask, tighten
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
from bot.storage.secrets import secret_box
from bot.storage.team import TeamRepository
from bot.storage.workspaces import SlackInstallations
from bot.storage.xapi import XapiRepository
from nudges.outbox import Outbox
from nudges.reviews import SpacedReviews
from nudges.service import NudgeService
from nudges.store.outbox import OutboxStore
from nudges.store.records import CalendarStore, PrefsStore, ReviewStore


@dataclass
class App:
    """Everything a process needs: settings, services and the router adapters feed."""

    settings: Settings
    services: Services
    router: Router


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open (and migrate) the database and build the repositories.

    The data folder and everything in it are made owner-only, and so is what this process
    creates from now on (`bot.storage.files`). Stored tokens are sealed again with
    LEARNBOT_SECRET_KEY (see `SlackInstallations.reseal`).

    Raises:
        ConfigError: stored tokens are sealed with a key that is not configured.
    """
    private_umask()
    private_dir(settings.home)
    tighten(settings.home)
    engine = make_engine(settings.db_url)
    migrate(engine)
    learners, profiles, org = (
        LearnerRepository(engine, link_domains=settings.link_domain_set),
        ProfileRepository(engine),
        OrgRepository(engine),
    )
    policy = RolePolicy(settings, org=org, learners=learners, profiles=profiles)
    learners.on_resolve = policy
    installations = SlackInstallations(
        engine, client_id=settings.slack_client_id or "", secrets=secret_box(settings)
    )
    installations.reseal()
    return Services(
        engine=engine,
        settings=settings,
        clock=clock or SystemClock(),
        learners=learners,
        profiles=profiles,
        dialogs=DialogRepository(engine),
        events=EventLog(engine),
        audit=AuditLog(engine),
        activity=ActivityLog(engine),
        framework=FrameworkRepository(engine),
        org=org,
        items=ItemRepository(engine),
        mastery=MasteryRepository(engine),
        policy=policy,
        content=ContentRepository(engine),
        last_questions=LastQuestions(engine),
        gaps=GapRepository(engine),
        lessons=LessonRepository(engine),
        lesson_progress=LessonProgressRepository(engine),
        path_records=PathRepository(engine),
        conversations=ConversationRepository(engine),
        slack_installations=installations,
        team_stats=TeamRepository(engine),
        rights=RightsRepository(engine),
        xapi=XapiRepository(engine),
        outbox=Outbox(OutboxStore(engine)),
        calendars=CalendarStore(engine),
        nudge_prefs=PrefsStore(engine),
        review_cards=ReviewStore(engine),
    )


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Build the whole core for one process."""
    services = build_services(settings, clock=clock)
    add_features(services)
    return App(settings=settings, services=services, router=build_router(services))


def add_features(services: Services) -> None:
    """Plug the feature services in; the heavy ones are built on first use."""
    # The library loads its embedding model, the nudge service numpy and fsrs, when first used.
    services.library = Lazy(
        partial(
            Library,
            content=services.content,
            settings=services.settings,
            clock=services.clock,
        )
    )
    services.nudges = Lazy(partial(NudgeService, services))
    services.paths = PathService(services)
    services.reviews = SpacedReviews(services)
    services.learner_mastery = MasteryView(services.mastery, reviews=services.reviews)
    services.mastery_check = quiz.start_mastery_check
    services.home = HomeSections(services)
    services.risk_models = TrainedModels()


def build_router(services: Services) -> Router:
    """The router with every command, button and dialog."""
    dialogs = DialogEngine(
        {
            "onboarding": OnboardingFlow(answer=ask.handle_question),
            "forget_me": ForgetFlow(),
            COACH_REPLY_KIND: CoachReplyFlow(),
            **QUIZ_FLOWS,
            **LESSON_FLOWS,
        }
    )
    commands = [
        basics.start_command(dialogs.start),
        data.forget_me_command(dialogs.start),
        profile.COMMAND,
        ask.COMMAND,
        *quiz.COMMANDS,
        paths.PATH_COMMAND,
        path_steps.NEXT_COMMAND,
        lessons.STUDY_COMMAND,
        path_steps.DONE_COMMAND,
        path_steps.SKIP_COMMAND,
        paths.PROGRESS_COMMAND,
        *nudge_handlers.COMMANDS,
        calendar_handlers.COMMAND,
        data.MY_DATA_COMMAND,
        team.TEAM_COMMAND,
        team.ASSIGN_COMMAND,
        admin.COMMAND,
    ]
    return Router(
        services=services,
        commands=[basics.help_command(commands), *commands],
        actions={
            ask.FEEDBACK_ACTION: ask.handle_feedback,
            paths.WHY_ACTION: paths.on_why,
            paths.ALL_ACTION: paths.on_show_all,
            **path_steps.ACTIONS,
            **quiz.ACTIONS,
            **lessons.ACTIONS,
            nudge_handlers.ACTION: nudge_handlers.handle_action,
            **coach.actions(dialogs.start),
        },
        dialogs=dialogs,
        ask=ask.handle_question,
        on_file=files.handle_file,
    )
