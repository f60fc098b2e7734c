"""The composition root: settings -> storage -> services -> router, built in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.core import Services, lazy
from bot.dialogs.engine import DialogEngine
from bot.dialogs.onboarding import OnboardingFlow
from bot.handlers import ask, basics, profile
from bot.handlers import calendar as calendar_handlers
from bot.handlers import nudges as nudge_handlers
from bot.router import Router
from bot.settings import Settings
from bot.storage.db import make_engine, migrate
from bot.storage.dialogs import DialogRepository
from bot.storage.framework import FrameworkRepository
from bot.storage.journal import ActivityLog, AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository


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
    return Services(
        engine=engine,
        settings=settings,
        clock=clock or SystemClock(),
        learners=LearnerRepository(engine),
        profiles=ProfileRepository(engine),
        dialogs=DialogRepository(engine),
        events=EventLog(engine),
        audit=AuditLog(engine),
        activity=ActivityLog(engine),
        framework=FrameworkRepository(engine),
    )


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Build the whole core for one process."""
    services = build_services(settings, clock=clock)
    _register_catalogs(services)
    _register_nudges(services)
    dialogs = DialogEngine({"onboarding": OnboardingFlow()})
    commands = [profile.COMMAND, ask.COMMAND, *nudge_handlers.COMMANDS, calendar_handlers.COMMAND]
    router = Router(
        services=services,
        commands=[],
        actions={nudge_handlers.ACTION: nudge_handlers.handle_action},
        dialogs=dialogs,
        ask=ask.handle_question,
    )
    router.commands.update(
        {
            c.name: c
            for c in [
                basics.help_command(router.visible_commands),
                basics.start_command(dialogs.start),
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


def _register_nudges(services: Services) -> None:
    """The nudge service, built on first use (it imports numpy and fsrs)."""

    def build() -> object:
        from nudges.service import NudgeService

        return NudgeService(services)

    services.extras["nudges"] = lazy(build)
