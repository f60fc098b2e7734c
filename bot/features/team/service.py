"""Team progress for managers: who is in scope, and each member's path, mastery and risks.

A manager's team is everyone below them in the org chart (direct and indirect reports) who
has talked to learnbot; an admin without reports sees every learner. The numbers come from
the same places a learner's own path does: the planner, the learner model and the activity log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from statistics import mean

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import Forbidden
from bot.core.model import Learner
from bot.core.names import Named
from bot.features.names import resolve
from bot.features.team import risk
from bot.storage.org import OrgRepository
from learning.path_model import FINISHED, Step
from learning.profile import Profile
from learning.risk import PathWork, Shortfall, due_shortfall, inactive
from learning.risk_model import Prediction, Trained, train

STALLED_AFTER = timedelta(days=14)
DUE_SOON = timedelta(days=7)
REPEATED_FAILURES = 2
MIN_GROUP = 3


@dataclass(frozen=True)
class MemberStatus:
    """One team member's learning, as a manager sees it (no answers, only outcomes).

    `done` counts every finished step; `unverified` names those of them marked done without
    passing their mastery check.
    """

    learner: Learner
    department: str
    done: int
    todo: int
    overdue: tuple[str, ...]
    due_soon: tuple[str, ...]
    mastery: dict[str, float]
    failed_checks: tuple[str, ...]
    stalled: bool
    unverified: tuple[str, ...] = ()
    shortfall: Shortfall | None = None
    predicted: Prediction | None = None

    @property
    def completion(self) -> float | None:
        """Share of the path done (None for an empty path)."""
        total = self.done + self.todo
        return self.done / total if total else None

    @property
    def risks(self) -> tuple[str, ...]:
        """Why the member needs help, in words."""
        out = []
        if self.overdue:
            out.append(msg.RISK_OVERDUE.format(modules=", ".join(self.overdue[:3])))
        if self.due_soon:
            out.append(msg.RISK_DUE_SOON.format(modules=", ".join(self.due_soon[:3])))
        if self.failed_checks:
            out.append(msg.RISK_FAILED.format(competencies=", ".join(self.failed_checks[:3])))
        if self.shortfall is not None:
            short = self.shortfall
            out.append(
                msg.RISK_NO_TIME.format(
                    module=short.modules[-1],
                    due=short.due_at,
                    needed=msg.plural(short.needed, "minute"),
                    available=msg.plural(short.available, "free minute"),
                )
            )
        if self.stalled:
            out.append(msg.RISK_STALLED.format(days=STALLED_AFTER.days))
        if self.predicted is not None and self.predicted.flagged:
            out.append(risk.reasons_text(self.predicted))
        return tuple(out)


@dataclass(frozen=True)
class TeamReport:
    """Every member's status, for one manager (or an admin)."""

    title: str
    members: tuple[MemberStatus, ...]
    competency: str | None = None
    threshold: float = 0.8
    competencies: tuple[str, ...] = field(default=())
    risk_basis: str = ""

    def mastery_rows(self) -> list[tuple[str, int, float, float]]:
        """Per competency: (id, learners assessed, mean mastery, share mastered)."""
        rows = []
        for comp in self.competencies:
            values = [m.mastery[comp] for m in self.members if comp in m.mastery]
            if values:
                share = sum(v >= self.threshold for v in values) / len(values)
                rows.append((comp, len(values), mean(values), share))
        return rows

    def departments(self) -> list[tuple[str, int, float | None]]:
        """Per department: (name, members, mean completion)."""
        groups: dict[str, list[MemberStatus]] = {}
        for m in self.members:
            groups.setdefault(m.department or msg.TEAM_NO_DEPARTMENT, []).append(m)
        out = []
        for name, people in sorted(groups.items()):
            rates = [p.completion for p in people if p.completion is not None]
            out.append((name, len(people), mean(rates) if rates else None))
        return out

    @property
    def at_risk(self) -> list[MemberStatus]:
        """Members with at least one risk, most risks first."""
        return sorted((m for m in self.members if m.risks), key=lambda m: -len(m.risks))


def team_members(
    services: Services, org: OrgRepository, manager: Learner, *, everyone: bool = False
) -> list[Learner]:
    """The manager's reports who talked to learnbot, or every other learner with `everyone`
    (which the caller allows for admins only)."""
    if everyone:
        found = services.learners.get_many(services.learners.all_ids())
        return [f for f in found if f.id != manager.id]
    emails = org.reports(manager.email) if manager.email else []
    return services.learners.get_many(services.learners.ids_by_email(emails))


def check_scope(org: OrgRepository, actor: Learner, lead: Learner) -> None:
    """A manager may look at their own team and their reports' teams; admins at any team.

    Raises:
        Forbidden: `lead` is not the actor nor below them in the org chart.
    """
    if actor.has_role("admin") or actor.id == lead.id:
        return
    below = org.reports(actor.email) if actor.email else []
    if not lead.email or lead.email not in below:
        raise Forbidden(msg.TEAM_NOT_YOURS.format(name=lead.name))


def resolve_competency(services: Services, name: str, known: Iterable[str]) -> str:
    """A competency by id, title or a title's prefix (framework first, then any measured).

    Raises:
        NotFound: nothing has that name.
        Ambiguous: the name could be several; they are listed.
    """
    framework = services.framework.get()
    named = [Named(c.id, c.title) for c in framework.competencies]
    ids = {c.id for c in named}
    named += [Named(c, c) for c in known if c not in ids]
    unknown = msg.TEAM_UNKNOWN_COMPETENCY.format(name=name[:60])
    return resolve(name, named, kind="competency", unknown=unknown).id


def build_report(
    services: Services,
    members: Sequence[Learner],
    *,
    title: str,
    competency: str | None,
    now: datetime,
) -> TeamReport:
    """Plan every member's path and read their mastery, checks and last activity.

    Every input is read for the whole team at once (a few queries per thousand members) and
    each path is planned in memory by the planner `/learn path` uses, on the same inputs.
    The predicted-risk model is trained on a bounded population's history and kept between
    reports (see `team/risk.py`); the members are scored on their current features.
    """
    ids = [m.id for m in members]
    plans = _plans(services, ids, now=now)
    scores = risk.score(
        _trained(services, plans, now=now),
        risk.histories(services, plans, latest_only=True),
        now=now,
    )
    measured = services.team_stats.mastery(ids)
    failures = _repeated_failures(services, ids)
    last_seen = services.team_stats.last_activity(ids)
    first_seen = services.team_stats.first_seen(ids)
    statuses = []
    todos: dict[str, list[Step]] = {}
    for learner in members:
        steps, profile = plans[learner.id].steps, plans[learner.id].profile
        if competency:
            steps = tuple(s for s in steps if competency in s.competencies) or steps
        mastery = measured.get(learner.id, {})
        if competency:
            mastery = {k: v for k, v in mastery.items() if k == competency}
        todo = todos[learner.id] = [s for s in steps if s.actionable]
        statuses.append(
            MemberStatus(
                learner=learner,
                department=profile.attributes.get("department", ""),
                done=sum(1 for s in steps if s.status in FINISHED),
                todo=len(todo),
                overdue=tuple(s.module_id for s in todo if s.status == "overdue"),
                due_soon=tuple(
                    s.module_id
                    for s in todo
                    if s.required
                    and s.due_at is not None
                    and s.due_at - now <= DUE_SOON
                    and s.status != "overdue"
                ),
                mastery=mastery,
                failed_checks=tuple(
                    c for c in failures.get(learner.id, ()) if not competency or c == competency
                ),
                stalled=inactive(
                    first_seen=first_seen.get(learner.id),
                    last_activity=last_seen.get(learner.id),
                    now=now,
                    window=STALLED_AFTER,
                    has_work=bool(todo),
                ),
                unverified=tuple(s.module_id for s in steps if s.status == "unverified"),
                predicted=scores.predictions.get(learner.id),
            )
        )
    profiles = {i: p.profile for i, p in plans.items()}
    shortfalls = _shortfalls(services, todos, profiles, now=now)
    statuses = [
        replace(m, shortfall=shortfalls[m.learner.id]) if shortfalls.get(m.learner.id) else m
        for m in statuses
    ]
    comps = sorted({c for s in statuses for c in s.mastery})
    return TeamReport(
        title=title,
        members=tuple(statuses),
        competency=competency,
        threshold=services.settings.mastery_threshold,
        competencies=tuple(comps),
        risk_basis=scores.basis,
    )


def _trained(services: Services, plans: Mapping[str, risk.Planned], *, now: datetime) -> Trained:
    """The predicted-risk model: the one this database trained last while fresh, else trained
    now on the oldest learners (their paths planned only then, which is the cost).

    A custom state source knows one learner at a time, so there the team alone (at most
    TRAIN_POPULATION of it) is the population, trained at every report and not kept.
    """
    from bot.features.paths.service import path_service
    from bot.features.paths.state import StoredLearnerState

    if not isinstance(path_service(services).state_source, StoredLearnerState):
        team = {i: plans[i] for i in list(plans)[: risk.TRAIN_POPULATION]}
        return train(risk.histories(services, team).values(), now=now)

    def fresh() -> Trained:
        return risk.train_oldest(services, plans, partial(_plans, services, now=now), now=now)

    if services.risk_models is None:
        return fresh()
    return services.risk_models.trained(str(services.engine.url), now=now, train=fresh)


def _plans(services: Services, ids: list[str], *, now: datetime) -> dict[str, risk.Planned]:
    """Each learner's planned path and profile, by the planner `/learn path` uses.

    Every input is read for all of them at once; a custom state source knows only one
    learner at a time.
    """
    from bot.features.paths.service import path_service, preferences
    from bot.features.paths.state import StoredLearnerState, batched_states
    from learning.path_cache import PathCache

    paths = path_service(services)
    # The framework and catalogue are the same for everyone: read them once, not per learner.
    framework, catalogue = services.framework.get(), paths.catalogue()
    threshold = services.settings.mastery_threshold
    assessed = paths.assessed()
    if isinstance(paths.state_source, StoredLearnerState):
        inputs = batched_states(services, ids, now=now)
    else:
        inputs = {
            i: (paths.state_source.state(i), services.profiles.get(i)) for i in dict.fromkeys(ids)
        }
    # The planner is pure: learners with equal inputs (same role, progress and evidence) get
    # one plan, and so do learners whose roles started at different times that change nothing
    # but their due dates (see `learning.path_cache`).
    cache = PathCache(framework, catalogue, threshold=threshold, now=now, assessed=assessed)
    return {
        learner_id: risk.Planned(cache.plan(state, preferences(profile)).steps, profile)
        for learner_id, (state, profile) in inputs.items()
    }


def _repeated_failures(services: Services, ids: list[str]) -> dict[str, list[str]]:
    """Competencies whose last REPEATED_FAILURES checks all failed, per learner."""
    out: dict[str, list[str]] = {}
    for (learner_id, comp), count in sorted(services.team_stats.failure_streaks(ids).items()):
        if count >= REPEATED_FAILURES:
            out.setdefault(learner_id, []).append(comp)
    return out


def _shortfalls(
    services: Services,
    todos: Mapping[str, Sequence[Step]],
    profiles: Mapping[str, Profile],
    *,
    now: datetime,
) -> dict[str, Shortfall | None]:
    """Each member's first due date their remaining path cannot meet in their free time.

    Free time comes from the nudge service (working hours minus calendar meetings) when this
    process has one, its calendars read for a thousand members at a time; otherwise the pace
    alone bounds it.
    """
    due = {
        learner_id: max(
            s.due_at for s in todo if s.required and s.due_at is not None and s.due_at > now
        )
        for learner_id, todo in todos.items()
        if any(s.required and s.due_at is not None and s.due_at > now for s in todo)
    }
    out: dict[str, Shortfall | None] = {}
    ids = list(due)
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        free: Mapping[str, Callable[[datetime], float]] = {}
        if services.nudges is not None:
            free = services.nudges.get().free_minutes_many(
                {i: profiles[i] for i in part}, start=now, end=max(due[i] for i in part)
            )
        for learner_id in part:
            profile = profiles[learner_id]
            work = [
                PathWork(s.module_id, s.minutes, s.due_at if s.required else None)
                for s in todos[learner_id]
            ]
            out[learner_id] = due_shortfall(
                work,
                now=now,
                pace=profile.pace,
                session_minutes=profile.session_minutes,
                free_minutes=free.get(learner_id),
            )
    return out
