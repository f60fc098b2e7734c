"""Values the path planner reads and produces: catalogue modules, learner state, steps, paths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from learning.items import DIFFICULTIES

StepStatus = Literal["todo", "done", "unverified", "exempt", "due", "overdue"]
ReasonKind = Literal["gap", "prerequisite", "required", "review", "exempt", "mastered", "waived"]
Origin = Literal["role", "goal", "prerequisite"]
CompetencyStanding = Literal["gap", "mastered", "exempt", "completed"]
"""How a planned competency stands: "completed" is a prerequisite with no items in the bank
whose modules the learner has all completed (the only way such a prerequisite can be met)."""

STATUSES: tuple[StepStatus, ...] = ("todo", "done", "unverified", "exempt", "due", "overdue")
FINISHED: frozenset[str] = frozenset({"done", "unverified"})
"""Statuses of studied steps: "unverified" is done without passing the mastery check."""
ACTIONABLE: frozenset[str] = frozenset({"todo", "due", "overdue"})
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(DIFFICULTIES)}
SESSIONS_PER_WEEK = {"light": 2, "normal": 3, "intensive": 5}
"""Sessions per week at each pace."""


class PathError(ValueError):
    """Planner input that cannot be used (a naive `now`, a threshold outside (0, 1), ...)."""


@dataclass(frozen=True)
class CatalogModule:
    """A module of the content library, as far as planning needs it.

    Mirrors the content library's module metadata without depending on it.

    Attributes:
        id: Module id.
        title: Title shown to the learner.
        competencies: Competency ids the module teaches.
        difficulty: foundation, intermediate or advanced.
        minutes: Estimated study time.
        format: text, video, interactive, audio or slides.
        prerequisites: Module ids to study first.
        audience: Role ids that may see it; empty means everyone.
        tags: Free-form tags (used to recognise alternatives of one another).
        summary: One or two sentences about the module.
        url: Where the learner opens it.
    """

    id: str
    title: str
    competencies: tuple[str, ...] = ()
    difficulty: str = "foundation"
    minutes: int = 5
    format: str = "text"
    prerequisites: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    url: str = ""


@dataclass(frozen=True)
class LearnerState:
    """What is known about one learner, from the diagnostic, checks and their progress.

    Attributes:
        mastery: Probability of mastery per competency (from the diagnostic and checks).
        exemptions: Competencies exempted on evidence: competency id -> evidence id.
        completed: Modules completed: module id -> when.
        unverified: Completed modules marked done without passing their mastery check.
        skipped: Modules the learner chose to skip for now (deferred, never dropped).
        reviews_due: Modules whose spaced review falls due: module id -> when.
        waivers: Modules waived for the learner (by an admin, or by a manager asked to
            help after failed checks): module id -> waiver id.
        role_since: When the learner took up their current role (due dates count from it).
        assigned: Modules a manager or admin assigned: module id -> due date (or None).
        unmeasured: Why nothing measured a competency, as the clause the path's reason
            shows instead of "nothing has measured it yet" (the intake quiz's "I'm new to
            this" or its skip rule): competency id -> clause. Never exempts.
    """

    mastery: Mapping[str, float] = field(default_factory=dict)
    exemptions: Mapping[str, str] = field(default_factory=dict)
    completed: Mapping[str, datetime] = field(default_factory=dict)
    unverified: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    reviews_due: Mapping[str, datetime] = field(default_factory=dict)
    waivers: Mapping[str, str] = field(default_factory=dict)
    role_since: datetime | None = None
    assigned: Mapping[str, datetime | None] = field(default_factory=dict)
    unmeasured: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preferences:
    """How the learner wants to learn.

    Attributes:
        role: The job role, as a role id or title of the framework ("" for none).
        goals: Personal goals: competency ids or titles.
        preferred_format: "any" or a content format.
        session_minutes: Length of one learning session.
        pace: light, normal or intensive (sessions per week, see `SESSIONS_PER_WEEK`).
    """

    role: str = ""
    goals: tuple[str, ...] = ()
    preferred_format: str = "any"
    session_minutes: int = 10
    pace: str = "normal"


@dataclass(frozen=True)
class CompetencyPlan:
    """Why a competency is part of the plan and where the learner stands on it.

    Attributes:
        competency: Competency id.
        title: Its title.
        level: The level the plan aims for.
        origin: role (a target of the role), goal (a personal goal) or prerequisite.
        standing: gap, mastered (probability at or above the threshold) or exempt.
        mastery: The probability of mastery, None without evidence.
        evidence: The exemption's evidence id, "" otherwise.
        needed_by: For prerequisites, the competencies that need it.
        note: Why nothing measured it, when the learner state says (see
            `LearnerState.unmeasured`).
    """

    competency: str
    title: str
    level: str
    origin: Origin
    standing: CompetencyStanding
    mastery: float | None = None
    evidence: str = ""
    needed_by: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One module of a path, with why it is there.

    Attributes:
        module_id: The module.
        title: Its title.
        minutes: Estimated study time.
        format: Its format.
        difficulty: Its difficulty.
        competencies: What it teaches.
        summary: Its summary.
        url: Where to open it.
        reason_kind: gap, prerequisite, required, review, exempt, mastered or waived.
        reason: The reason in one sentence.
        status: todo, done, unverified (done without passing its mastery check), exempt,
            due (a review, or a requirement with a future due date) or overdue (a requirement
            past its due date).
        due_at: The due date of a requirement or review, if any.
        session: 1-based session the step is planned in; 0 when there is nothing to do.
        required: Whether the learner's role requires the module.
        skipped: Whether the learner chose to skip it for now.
        needed_by: Titles of the steps this one is a prerequisite of.
        details: The full explanation, one sentence each (the "Why?" answer).
    """

    module_id: str
    title: str
    minutes: int
    format: str
    difficulty: str
    competencies: tuple[str, ...]
    summary: str
    url: str
    reason_kind: ReasonKind
    reason: str
    status: StepStatus
    due_at: datetime | None = None
    session: int = 0
    required: bool = False
    skipped: bool = False
    needed_by: tuple[str, ...] = ()
    details: tuple[str, ...] = ()

    @property
    def actionable(self) -> bool:
        """Whether the learner still has to study it."""
        return self.status in ACTIONABLE


@dataclass(frozen=True)
class Path:
    """A planned path: ordered steps, the competencies behind them, and time estimates.

    Attributes:
        steps: Steps in study order (prerequisites first, urgent requirements early).
        competencies: The competencies considered, in framework order.
        role: The role id the path was planned for ("" when no role matched).
        total_minutes: Minutes of study still to do.
        sessions: Sessions still to do, at the preferred session length.
        sessions_per_week: From the pace.
        warnings: Problems with the framework or catalogue that were worked around (for
            admins).
        notices: Problems with the learner's own inputs (an unknown role or goal), for them.
    """

    steps: tuple[Step, ...]
    competencies: tuple[CompetencyPlan, ...]
    role: str
    total_minutes: int
    sessions: int
    sessions_per_week: int
    warnings: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def weeks(self) -> int:
        """Weeks to finish at the chosen pace (rounded up)."""
        return -(-self.sessions // self.sessions_per_week) if self.sessions else 0

    @property
    def completion(self) -> float:
        """Share of the path's study steps finished, verified or not (1.0 with nothing to do)."""
        done = sum(1 for s in self.steps if s.status in FINISHED)
        todo = sum(1 for s in self.steps if s.actionable)
        return 1.0 if done + todo == 0 else done / (done + todo)

    def step(self, module_id: str) -> Step | None:
        """The step for a module, if the module is in the path."""
        return next((s for s in self.steps if s.module_id == module_id), None)

    def next_step(self) -> Step | None:
        """The first step to study: not skipped if possible, else the first skipped one."""
        todo = [s for s in self.steps if s.actionable]
        return next((s for s in todo if not s.skipped), todo[0] if todo else None)

    def rows(self) -> list[dict[str, object]]:
        """The command-line contract: module_id, title, minutes, reason and status per step."""
        return [
            {
                "module_id": s.module_id,
                "title": s.title,
                "minutes": s.minutes,
                "reason": s.reason,
                "status": s.status,
            }
            for s in self.steps
        ]
