"""The composition root: settings -> storage -> services -> router, built in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.core import Services, lazy
from bot.dialogs.engine import DialogEngine
from bot.dialogs.forget import ForgetFlow
from bot.dialogs.onboarding import OnboardingFlow
from bot.dialogs.quiz import FLOWS as QUIZ_FLOWS
from bot.handlers import (
    admin,
    ask,
    basics,
    data,
    files,
    imports,
    path_steps,
    paths,
    profile,
    quiz,
    team,
)
from bot.learner_model import MasteryView
from bot.paths import PathService
from bot.roles import RolePolicy
from bot.router import Router
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.dialogs import DialogRepository
from bot.storage.framework import FrameworkRepository
from bot.storage.items import ItemRepository
from bot.storage.journal import ActivityLog, AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.mastery import MasteryRepository
from bot.storage.org import OrgRepository


@dataclass
class App:
    """Everything a process needs: settings, services and the router adapters feed."""

    settings: Settings
    services: Services
    router: Router


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open (and migrate) the database and build the repositories."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    migrate(engine)
    learners, profiles, org = (
        LearnerRepository(engine),
        ProfileRepository(engine),
        OrgRepository(engine),
    )
    policy = RolePolicy(settings, org=org, learners=learners, profiles=profiles)
    learners.on_resolve = policy
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
        extras={admin.FEATURE_ORG: org, admin.FEATURE_POLICY: policy},
    )


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Build the whole core for one process."""
    services = build_services(settings, clock=clock)
    _register_catalogs(services)
    _register_library(services)
    _register_quiz(services)
    services.extras[paths.FEATURE] = lazy(lambda: PathService(services))
    services.extras.update(imports.IMPORTERS)
    dialogs = DialogEngine(
        {"onboarding": OnboardingFlow(), "forget_me": ForgetFlow(), **QUIZ_FLOWS}
    )
    commands = [
        profile.COMMAND,
        ask.COMMAND,
        *quiz.COMMANDS,
        paths.PATH_COMMAND,
        path_steps.NEXT_COMMAND,
        path_steps.DONE_COMMAND,
        path_steps.SKIP_COMMAND,
        paths.PROGRESS_COMMAND,
        data.MY_DATA_COMMAND,
        team.TEAM_COMMAND,
        team.ASSIGN_COMMAND,
        admin.COMMAND,
    ]
    router = Router(
        services=services,
        commands=[],
        actions={
            ask.FEEDBACK_ACTION: ask.handle_feedback,
            paths.WHY_ACTION: paths.on_why,
            **path_steps.ACTIONS,
            **quiz.ACTIONS,
        },
        dialogs=dialogs,
        ask=ask.handle_question,
        on_file=files.handle_file,
    )
    router.commands.update(
        {
            c.name: c
            for c in [
                basics.help_command(router.visible_commands),
                basics.start_command(dialogs.start),
                data.forget_me_command(dialogs.start),
                *commands,
            ]
        }
    )
    return App(settings=settings, services=services, router=router)


def _register_catalogs(services: Services) -> None:
    """Offer the framework's roles and competencies as choices (in onboarding, for goals)."""
    repo = services.framework
    services.extras["roles"] = lambda: [(r.id, r.title) for r in repo.get().roles]
    services.extras["competencies"] = lambda: [(c.id, c.title) for c in repo.get().competencies]


def _register_library(services: Services) -> None:
    """The content library, built on first use (it loads the embedding model lazily)."""
    from bot.library import Library
    from bot.storage.content import ContentRepository

    content = ContentRepository(services.engine)
    services.extras["library"] = lazy(
        lambda: Library(content=content, settings=services.settings, clock=services.clock)
    )


def _register_quiz(services: Services) -> None:
    """The item bank and learner model; onboarding offers the intake quiz once items exist."""
    items = ItemRepository(services.engine)
    services.extras["items"] = items
    mastery = MasteryRepository(services.engine)
    services.extras["mastery"] = mastery
    services.extras["learner_mastery"] = MasteryView(mastery)
    services.extras["mastery_check"] = quiz.start_mastery_check
    services.extras["quiz_ready"] = lambda: bool(items.competencies())
