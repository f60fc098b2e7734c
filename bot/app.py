"""The composition root: settings -> storage -> services -> router, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Services, lazy
from bot.core import messages as msg
from bot.core.clock import Clock, SystemClock
from bot.dialogs.engine import DialogEngine
from bot.dialogs.forget import ForgetFlow
from bot.dialogs.onboarding import OnboardingFlow
from bot.dialogs.quiz import FLOWS as QUIZ_FLOWS
from bot.features.paths.service import PathService
from bot.features.quiz.learner_model import MasteryView
from bot.features.roles import RolePolicy
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
from bot.handlers import calendar as calendar_handlers
from bot.handlers import nudges as nudge_handlers
from bot.router import Router
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.conversations import ConversationRepository
from bot.storage.db import make_engine, migrate
from bot.storage.dialogs import DialogRepository
from bot.storage.framework import FrameworkRepository
from bot.storage.items import ItemRepository
from bot.storage.journal import ActivityLog, AuditLog, EventLog
from bot.storage.learners import LearnerRepository, ProfileRepository
from bot.storage.mastery import MasteryRepository
from bot.storage.org import OrgRepository
from bot.storage.paths import PathRepository
from bot.storage.rights import RightsRepository
from bot.storage.team import TeamRepository
from bot.storage.workspaces import SlackInstallations
from bot.storage.xapi import XapiRepository
from nudges.outbox import Outbox
from nudges.store.outbox import OutboxStore
from nudges.store.records import CalendarStore, PrefsStore, ReviewStore


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
        content=ContentRepository(engine),
        path_records=PathRepository(engine),
        conversations=ConversationRepository(engine),
        slack_installations=SlackInstallations(engine, client_id=settings.slack_client_id or ""),
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
    _register_catalogs(services)
    _register_library(services)
    _register_quiz(services)
    _register_nudges(services)
    _register_home(services)
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
        *nudge_handlers.COMMANDS,
        calendar_handlers.COMMAND,
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
            nudge_handlers.ACTION: nudge_handlers.handle_action,
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
    from bot.features.library import Library
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
    services.extras["learner_mastery"] = MasteryView(
        mastery, reviews=lambda learner_id: _reviews_due(services, learner_id)
    )
    services.extras["mastery_check"] = quiz.start_mastery_check
    services.extras["quiz_ready"] = lambda: bool(items.competencies())


def _register_nudges(services: Services) -> None:
    """The nudge service, built on first use (it imports numpy and fsrs)."""

    def build() -> object:
        from nudges.service import NudgeService

        return NudgeService(services)

    services.extras["nudges"] = lazy(build)
    services.extras["import_calendar"] = calendar_handlers.import_upload
    services.extras["next_step"] = lambda learner_id, now: _next_step(services, learner_id, now)
    services.extras["required_training"] = lambda learner_id, now: _required(
        services, learner_id, now
    )

    def path_inputs(learner_id: str, now: datetime) -> tuple[Any, list[tuple[str, datetime]]]:
        """The next step and the due training from ONE plan of the path (a nudge tick)."""
        steps = _open_steps(services, learner_id, now)
        return (
            _next_step(services, learner_id, now, steps=steps),
            _required(services, learner_id, now, steps=steps),
        )

    services.extras["path_inputs"] = path_inputs

    from bot.context import Context
    from bot.core.errors import NotFound
    from bot.core.replies import Reply
    from learning.path_model import Step

    def nudge_start(ctx: Context, nudge: Any) -> list[Reply] | None:
        """A nudge's Start: its path step or module as `/learn next` shows it, or for a review
        a short mastery check on the module's topic (None: the nudge names no module)."""
        path_service = services.feature(paths.FEATURE)
        try:
            module = path_service.module(nudge.module_id) if nudge.module_id else None
        except NotFound:
            module = None  # retired or deleted since the nudge was planned
        if module is None:
            return None
        if nudge.kind == "review":
            check = services.feature(path_steps.CHECK_FEATURE)
            if check is None or not module.competencies:
                return None
            replies: list[Reply] = check(ctx, module.competencies[0], module.id)
            return replies
        step = path_service.plan(ctx.learner.id, now=ctx.now).path.step(module.id)
        if step is not None and step.actionable:
            path_service.repo.mark(ctx.learner.id, module.id, "started", now=ctx.now)
            ctx.services.activity.record(
                ctx.learner.id, "path.next", object_id=module.id, now=ctx.now
            )
        elif step is None:  # just-in-time content outside the path
            step = Step(
                module.id,
                module.title,
                module.minutes,
                module.format,
                module.difficulty,
                module.competencies,
                module.summary,
                module.url,
                "gap",
                nudge.reason,
                "todo",
            )
        return [path_steps.deliver(ctx, step)]

    services.extras["nudge_start"] = nudge_start

    def record_review(*args: Any, **kwargs: Any) -> Any:
        from nudges.reviews import record_review

        return record_review(*args, **kwargs)

    services.extras["record_review"] = record_review


def _reviews_due(services: Services, learner_id: str) -> dict[str, datetime]:
    """Module id -> earliest due spaced review of its items (the nudges feature's cards)."""
    from nudges.store.records import ReviewStore

    due: dict[str, datetime] = {}
    for _, module_id, card in ReviewStore(services.engine).cards(learner_id):
        if module_id and (module_id not in due or card.due_at < due[module_id]):
            due[module_id] = card.due_at
    return due


def _register_home(services: Services) -> None:
    """What a platform home tab (Slack App Home) shows of paths, progress and nudges."""
    services.extras["home.path"] = lambda learner_id, now: _home_path(services, learner_id, now)
    services.extras["home.progress"] = lambda learner_id, now: _home_progress(
        services, learner_id, now
    )
    services.extras["home.next_nudge"] = lambda learner_id, now: _home_nudge(
        services, learner_id, now
    )


def _home_path(services: Services, learner_id: str, now: datetime) -> str | None:
    steps = _open_steps(services, learner_id, now)
    if not steps:
        return None
    minutes = sum(s.minutes for s in steps)
    return msg.HOME_PATH_SUMMARY.format(
        steps=len(steps), minutes=minutes, title=steps[0].title, reason=steps[0].reason
    )


def _home_progress(services: Services, learner_id: str, now: datetime) -> str | None:
    planned = services.feature(paths.FEATURE).plan(learner_id, now=now).path
    if not planned.steps:
        return None
    done = sum(1 for s in planned.steps if s.status == "done")
    mastered = sum(1 for c in planned.competencies if c.standing in ("mastered", "exempt"))
    return msg.HOME_PROGRESS_SUMMARY.format(
        done=done,
        total=len(planned.steps),
        mastered=mastered,
        competencies=len(planned.competencies),
    )


def _home_nudge(services: Services, learner_id: str, now: datetime) -> str | None:
    upcoming = services.feature("nudges").upcoming(learner_id, now=now)
    if not upcoming:
        return None
    first = upcoming[0]
    local = first.due_at.astimezone(ZoneInfo(services.profiles.get(learner_id).timezone))
    return msg.HOME_NUDGE_SUMMARY.format(
        at=local.strftime("%a %d %b %H:%M"), title=first.title, reason=first.reason
    )


def _open_steps(services: Services, learner_id: str, now: datetime) -> list[Any]:
    planned = services.feature(paths.FEATURE).plan(learner_id, now=now)
    return [s for s in planned.path.steps if s.status in ("todo", "due", "overdue")]


def _next_step(
    services: Services, learner_id: str, now: datetime, *, steps: list[Any] | None = None
) -> tuple[str, str, int] | None:
    """The first open step of the learner's path, for "next step" nudges."""
    if steps is None:
        steps = _open_steps(services, learner_id, now)
    return (steps[0].module_id, steps[0].title, steps[0].minutes) if steps else None


def _required(
    services: Services, learner_id: str, now: datetime, *, steps: list[Any] | None = None
) -> list[tuple[str, datetime]]:
    """Open required modules with their due dates, for "due soon" nudges."""
    if steps is None:
        steps = _open_steps(services, learner_id, now)
    return [(s.module_id, s.due_at) for s in steps if s.required and s.due_at is not None]
