"""Where a learner's state for path planning comes from: progress here, mastery from the quizzes.

The seam to the quiz feature is ``services.learner_mastery``, a `bot.core.ports.MasteryPort`:
probabilities of mastery and exemptions by competency, and when each module's spaced review
falls due. Without it the planner sees no evidence: every competency is a gap. Modules that
managers assign (`/learn assign`) are read from the assignments table and planned as required.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from bot.context import Services
from bot.storage.paths import PathRepository
from bot.storage.team import MemberInputs
from learning.framework import Role
from learning.path import resolve_role
from learning.path_model import LearnerState
from learning.profile import Profile

log = logging.getLogger(__name__)
# Set while planning a dry run: the time it plans as of, and nothing may be recorded.
_dry_run_at: ContextVar[datetime | None] = ContextVar("paths_dry_run_at", default=None)


@contextmanager
def dry_run(now: datetime) -> Iterator[None]:
    """Plan as of `now` without recording anything (e.g. when a learner's role started).

    Used by `learnbot nudges plan`, whose output must not depend on or change the database.
    """
    token = _dry_run_at.set(now)
    try:
        yield
    finally:
        _dry_run_at.reset(token)


class LearnerStateSource(Protocol):
    """Anything that can tell the planner what is known about a learner."""

    def state(self, learner_id: str) -> LearnerState:
        """The learner's current state (mastery, exemptions, progress, reviews, waivers)."""
        ...


class StoredLearnerState:
    """The default source: this feature's progress tables plus the quiz feature's evidence.

    Args:
        services: The core services (profiles, framework, clock, feature services).
        repo: The path repository.
    """

    def __init__(self, services: Services, *, repo: PathRepository) -> None:
        self._services = services
        self._repo = repo

    def state(self, learner_id: str) -> LearnerState:
        """Read progress, waivers and the role start here; mastery from the quiz feature."""
        progress = self._repo.progress(learner_id)
        service = self._services.learner_mastery
        return LearnerState(
            mastery=_probabilities(service.mastery(learner_id)) if service else {},
            exemptions=_texts(service.exemptions(learner_id)) if service else {},
            completed={p.module_id: p.completed_at for p in progress if p.completed_at},
            unverified=frozenset(p.module_id for p in progress if p.status == "unverified"),
            skipped=frozenset(
                p.module_id for p in progress if p.status == "skipped" and not p.completed_at
            ),
            reviews_due=_reviews(service.reviews_due(learner_id)) if service else {},
            waivers=self._repo.waivers(learner_id),
            role_since=self._role_since(learner_id),
            assigned={a.module_id: a.due_at for a in self._services.org.assignments(learner_id)},
            unmeasured=_texts(_unmeasured(service, learner_id)),
        )

    def _role_since(self, learner_id: str) -> datetime | None:
        services = self._services
        profile = services.profiles.get(learner_id)
        role = resolve_role(services.framework.get(), profile.job_role)
        if role is None:
            return None
        # The first role a learner holds started when they onboarded; a later one, when seen.
        roles = self._repo.roles(learner_id)
        dry_at = _dry_run_at.get()
        seen = dry_at if dry_at is not None else services.clock.now()
        default = profile.onboarded_at if not roles and profile.onboarded_at else seen
        if dry_at is not None:
            return roles.get(role.id, default)
        return self._repo.role_since(learner_id, role.id, default=default)


def batched_states(
    services: Services, learner_ids: list[str], *, now: datetime
) -> dict[str, tuple[LearnerState, Profile]]:
    """Many learners' states and profiles, read in a few queries per thousand learners.

    The state equals what `StoredLearnerState` gives each learner (the planner sees the same
    inputs, so a team report and `/learn path` agree), except that nothing is recorded: a
    role not seen before starts when `StoredLearnerState` would record it (onboarding for a
    first role, else `now`). With a mastery service other than the quiz feature's own view,
    its evidence is read per learner through the port.
    """
    from bot.features.quiz.learner_model import (
        MasteryView,
        unmeasured_clauses,
        without_said_new,
    )

    inputs = services.team_stats.member_inputs(learner_ids)
    service = services.learner_mastery
    batched = isinstance(service, MasteryView) and (
        service.reviews is None or getattr(service.reviews, "reads_review_cards", False)
    )
    with_reviews = batched and isinstance(service, MasteryView) and service.reviews is not None
    framework = services.framework.get()
    roles: dict[str, Role | None] = {}  # job role text -> the framework's role (resolved once)
    out: dict[str, tuple[LearnerState, Profile]] = {}
    for learner_id, got in inputs.items():
        unmeasured: Mapping[Any, Any] = {}
        if batched:
            notes = got.intake_notes
            mastery = without_said_new(got.mastery, notes)
            exempt = without_said_new(got.exemptions, notes)
            reviews = got.reviews_due if with_reviews else {}
            unmeasured = unmeasured_clauses(notes)
        elif service is not None:
            mastery = service.mastery(learner_id)
            exempt = service.exemptions(learner_id)
            reviews = service.reviews_due(learner_id)
            unmeasured = _unmeasured(service, learner_id)
        else:
            mastery, exempt, reviews = {}, {}, {}
        text = got.profile.job_role
        if text not in roles:
            roles[text] = resolve_role(framework, text)
        state = _state(got, roles[text], mastery, exempt, reviews, now=now)
        state = replace(state, unmeasured=_texts(unmeasured))
        out[learner_id] = (state, got.profile)
    return out


def _state(
    got: MemberInputs,
    role: Role | None,
    mastery: Mapping[Any, Any],
    exempt: Mapping[Any, Any],
    reviews: Mapping[Any, Any],
    *,
    now: datetime,
) -> LearnerState:
    progress, profile = got.progress, got.profile
    since = None
    if role is not None:
        default = profile.onboarded_at if not got.roles and profile.onboarded_at else now
        since = got.roles.get(role.id, default)
    return LearnerState(
        mastery=_probabilities(mastery),
        exemptions=_texts(exempt),
        completed={p.module_id: p.completed_at for p in progress if p.completed_at},
        unverified=frozenset(p.module_id for p in progress if p.status == "unverified"),
        skipped=frozenset(
            p.module_id for p in progress if p.status == "skipped" and not p.completed_at
        ),
        reviews_due=_reviews(reviews),
        waivers=got.waivers,
        role_since=since,
        assigned={a.module_id: a.due_at for a in got.assignments},
    )


def _unmeasured(service: object, learner_id: str) -> Mapping[Any, Any]:
    """Why the quiz feature measured nothing on some competencies, if it says."""
    read = getattr(service, "unmeasured", None)
    return read(learner_id) if callable(read) else {}


def _probabilities(raw: Mapping[Any, Any]) -> dict[str, float]:
    clean: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= 1.0:
            clean[str(key)] = float(value)
    if len(clean) != len(raw):
        log.warning("mastery service returned %d unusable values", len(raw) - len(clean))
    return clean


def _texts(raw: Mapping[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in raw.items()}


def _reviews(due: Mapping[Any, Any]) -> dict[str, datetime]:
    return {str(k): v for k, v in due.items() if isinstance(v, datetime) and v.tzinfo is not None}
