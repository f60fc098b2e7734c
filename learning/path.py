"""The path planner: a pure function from framework, catalogue, learner state and preferences.

Rules, in the order they apply:

1. **Targets.** The competencies of the learner's role (at the role's level) and personal goals
   (at least intermediate), plus, for every target that is still a gap, its prerequisite
   competencies (at foundation level). A competency is a *gap* unless it is exempted on
   evidence or its probability of mastery reaches the threshold; a prerequisite competency
   with no items in the bank (so never measured) is met, `completed`, once the learner has
   completed its modules.
2. **Modules.** Every module teaching a planned competency at a difficulty up to the planned
   level, visible to the role (empty audience, or the role listed). Modules of mastered or
   exempted competencies stay in the path as `exempt` steps, so the learner sees what was
   left out and why; they cost no time.
3. **Requirements.** The role's required modules are always in the path, due `due_days` after
   the learner took up the role, `overdue` once that date has passed. Knowing the topic does
   not remove a compliance requirement: only an explicit admin waiver does (`waived`).
4. **Alternatives.** Of a group of alternatives (see `learning.path_catalogue`) one module is
   kept: one already completed, else a required one, else one in the preferred format, else
   the shortest.
5. **Prerequisites first.** Module prerequisites are pulled into the path (through their
   alternatives) and placed before the modules needing them; modules of prerequisite
   competencies come before modules of the competencies that need them. Overdue requirements,
   due reviews and requirements with a due date move as early as their prerequisites allow;
   skipped modules move as late as the modules needing them allow.
6. **Sessions.** Steps still to do are packed, in order, into sessions of the preferred length
   (a longer module gets a session of its own); the pace sets sessions per week.

Every step carries one reason sentence and a longer explanation. Bad input never raises:
unknown competencies, unknown or self prerequisites, cycles between modules and unknown roles
or goals become warnings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from learning.framework import Framework, Role
from learning.path_catalogue import Catalogue, build_catalogue
from learning.path_model import (
    SESSIONS_PER_WEEK,
    CatalogModule,
    LearnerState,
    Path,
    PathError,
    Preferences,
)
from learning.path_select import (
    PlanInputs,
    ancestors,
    competency_order,
    plan_competencies,
    resolve_competency,
    resolve_role,
    select,
    standing,
)
from learning.path_steps import ordered_steps

__all__ = [
    "ancestors",
    "competency_order",
    "plan",
    "plan_competencies",
    "resolve_competency",
    "resolve_role",
    "standing",
]


def plan(
    framework: Framework,
    modules: Sequence[CatalogModule],
    state: LearnerState,
    prefs: Preferences,
    *,
    threshold: float,
    now: datetime,
    assessed: Collection[str] | None = None,
) -> Path:
    """Plan a learner's path; see the module docstring for the rules.

    Args:
        framework: The competency framework.
        modules: The module catalogue.
        state: What is known about the learner.
        prefs: Role, goals, format, session length and pace.
        threshold: Probability of mastery at which a competency counts as mastered.
        now: The current time (timezone-aware).
        assessed: Competencies with items in the bank (None: unknown, every prerequisite
            then needs mastery or evidence); a prerequisite outside it is met by completing
            its modules.

    Raises:
        PathError: `now` is naive, the threshold is outside (0, 1) or the session length
            is not positive.
    """
    if now.tzinfo is None:
        raise PathError("now must be timezone-aware")
    if not 0.0 < threshold < 1.0:
        raise PathError(f"the mastery threshold must be between 0 and 1, got {threshold}")
    if prefs.session_minutes < 1:
        raise PathError("the session length must be at least one minute")
    catalogue = build_catalogue(framework, modules)
    return _plan(framework, catalogue, state, prefs, threshold, now, assessed=assessed)[0]


def _plan(
    framework: Framework,
    catalogue: Catalogue,
    state: LearnerState,
    prefs: Preferences,
    threshold: float,
    now: datetime,
    *,
    assessed: Collection[str] | None = None,
) -> tuple[Path, frozenset[str]]:
    """`plan` on a built catalogue; also the steps whose due date counts from `role_since`."""
    warnings, notices = list(catalogue.warnings), list[str]()
    role = _role(framework, prefs, notices)
    comps = plan_competencies(
        framework,
        role,
        prefs.goals,
        state,
        threshold,
        notices,
        catalogue=catalogue,
        assessed=assessed,
    )
    inputs = PlanInputs(framework, catalogue, state, prefs, threshold, now, role, comps)
    picks = select(inputs, warnings)
    steps, sessions = ordered_steps(inputs, picks, warnings)
    pace = prefs.pace if prefs.pace in SESSIONS_PER_WEEK else "normal"
    if pace != prefs.pace:
        known = ", ".join(SESSIONS_PER_WEEK)
        notices.append(f"pace '{prefs.pace}' is not one of {known}; normal used")
    # A requirement's due date counts from the role's start unless a manager set it; a
    # completed one due for review says so instead (kind "review", the review's date).
    relative = frozenset(
        s.module_id
        for s in steps
        if s.reason_kind == "required"
        and s.due_at is not None
        and (req := picks[s.module_id].requirement) is not None
        and not req.assigned
        and req.due_days is not None
    )
    path = Path(
        steps=tuple(steps),
        competencies=tuple(comps.values()),
        role=role.id if role else "",
        total_minutes=sum(s.minutes for s in steps if s.actionable),
        sessions=sessions,
        sessions_per_week=SESSIONS_PER_WEEK[pace],
        warnings=tuple(warnings),
        notices=tuple(notices),
    )
    return path, relative


def _role(framework: Framework, prefs: Preferences, notices: list[str]) -> Role | None:
    role = resolve_role(framework, prefs.role) if prefs.role.strip() else None
    if prefs.role.strip() and role is None:
        notices.append(f"role '{prefs.role}' is not in the framework; only goals are planned")
    elif role is not None and not role.targets:
        notices.append(f"role '{role.id}' has no target competencies; only its requirements")
    return role
