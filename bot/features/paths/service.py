"""The path service: gathers the planner's inputs, plans, and records what was recommended.

A path is never stored: it is planned on demand from the current framework, library, state and
profile, so it always reflects the newest evidence (a quiz result, a completed module, a new
requirement). What *is* stored is every recommendation shown and every exemption applied,
with the inputs that produced them, for transparency and the equity report.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.core.errors import NotFound
from bot.core.ports import PathInputs
from bot.features.paths.state import LearnerStateSource, StoredLearnerState
from bot.storage.paths import PathRepository
from content_index.model import ModuleMeta
from learning.framework import Framework
from learning.path import plan
from learning.path_model import CatalogModule, LearnerState, Path, Preferences, Step
from learning.profile import Profile

OPEN = frozenset({"todo", "due", "overdue"})


def catalog_module(meta: ModuleMeta) -> CatalogModule:
    """The planner's view of a library module."""
    url = meta.url or (meta.source if meta.source.startswith(("http://", "https://")) else "")
    return CatalogModule(
        id=meta.id,
        title=meta.title,
        competencies=meta.competencies,
        difficulty=meta.difficulty,
        minutes=meta.minutes,
        format=meta.format,
        prerequisites=meta.prerequisites,
        audience=meta.audience,
        tags=meta.tags,
        summary=meta.summary,
        url=url,
    )


def preferences(profile: Profile) -> Preferences:
    """The planner's view of a profile."""
    return Preferences(
        role=profile.job_role,
        goals=profile.goals,
        preferred_format=profile.preferred_format,
        session_minutes=profile.session_minutes,
        pace=profile.pace,
    )


@dataclass(frozen=True)
class PlannedPath:
    """A path with the inputs it was planned from."""

    learner_id: str
    path: Path
    state: LearnerState
    prefs: Preferences
    framework: Framework
    threshold: float
    now: datetime


def path_service(services: Services) -> PathService:
    """The process's path service (`services.paths`), or one built on the spot."""
    found = services.paths
    return found if isinstance(found, PathService) else PathService(services)


# Why a competency left the path, in its exemption record.
BASIS = {"exempt": "evidence", "completed": "modules"}


class PathService:
    """Plans learners' paths and records recommendations.

    Args:
        services: The core services.
        repo: Progress and recommendation records (built from the engine when omitted).
        state: Where learner state comes from (`StoredLearnerState` when omitted).
    """

    def __init__(
        self,
        services: Services,
        *,
        repo: PathRepository | None = None,
        state: LearnerStateSource | None = None,
    ) -> None:
        self.services = services
        self.repo = repo or services.path_records
        self.content = services.content
        self.state_source: LearnerStateSource = state or StoredLearnerState(
            services, repo=self.repo
        )

    def catalogue(self) -> list[CatalogModule]:
        """Every module of the library that is not retired."""
        return [catalog_module(r.meta) for r in self.content.modules()]

    def plan(self, learner_id: str, *, now: datetime) -> PlannedPath:
        """Plan the learner's path from everything known right now."""
        framework = self.services.framework.get()
        state = self.state_source.state(learner_id)
        prefs = preferences(self.services.profiles.get(learner_id))
        threshold = self.services.settings.mastery_threshold
        path = plan(
            framework,
            self.catalogue(),
            state,
            prefs,
            threshold=threshold,
            now=now,
            assessed=self.assessed(),
        )
        return PlannedPath(learner_id, path, state, prefs, framework, threshold, now)

    def assessed(self) -> frozenset[str]:
        """Competencies with live items in the bank: only these can be met by a check; a
        prerequisite without items is met by completing its modules."""
        return frozenset(self.services.items.competencies())

    def open_steps(self, learner_id: str, *, now: datetime) -> list[Step]:
        """The steps of the learner's path still to do (due and overdue ones included)."""
        return [s for s in self.plan(learner_id, now=now).path.steps if s.status in OPEN]

    def inputs(self, learner_id: str, *, now: datetime) -> PathInputs:
        """The next step and the open required training, from one plan (a nudge tick)."""
        steps = self.open_steps(learner_id, now=now)
        first = (steps[0].module_id, steps[0].title, steps[0].minutes) if steps else None
        required = [(s.module_id, s.due_at) for s in steps if s.required and s.due_at is not None]
        return PathInputs(first, required)

    def module(self, module_id: str) -> CatalogModule:
        """A library module by id.

        Raises:
            NotFound: there is no such module.
        """
        record = self.content.get(module_id)
        if record is None or record.retired:
            raise NotFound(f"There is no module '{module_id[:200]}' in the library.")
        return catalog_module(record.meta)

    def visible_module(self, module_id: str, *, audience: Collection[str]) -> CatalogModule:
        """A library module the learner may see: the library's audience rule applies.

        Args:
            module_id: The module id.
            audience: The learner's audience tags (permission roles, job role, attributes).

        Raises:
            NotFound: there is no such module, or its audience excludes the learner (the two
                are not told apart, so a restricted module's existence is not revealed).
        """
        from retrieval.hybrid import visible_to  # numpy stays out of the command path

        module = self.module(module_id)
        if not visible_to(module.audience, audience):
            raise NotFound(f"There is no module '{module_id[:200]}' in the library.")
        return module

    def current_step(self, planned: PlannedPath) -> Step | None:
        """The step the learner is on: the latest one started that is still to do, else the
        next (None when nothing is left)."""
        todo = {s.module_id: s for s in planned.path.steps if s.actionable}
        for p in self.repo.progress(planned.learner_id):
            if p.status == "started" and p.module_id in todo:
                return todo[p.module_id]
        return planned.path.next_step()

    def check_competency(self, planned: PlannedPath, module_id: str) -> str | None:
        """The competency a module's mastery check is on; None when the module has no check.

        A module has a check when the item bank has live items for one of its competencies
        (the rule `/learn check` applies); the competencies still a gap come first.
        """
        if self.services.mastery_check is None:
            return None
        step = planned.path.step(module_id)
        comps = step.competencies if step is not None else self.module(module_id).competencies
        gaps = [
            c.competency
            for c in planned.path.competencies
            if c.standing == "gap" and c.competency in comps
        ]
        with_items = self.services.items.competencies()
        return next((c for c in dict.fromkeys([*gaps, *comps]) if c in with_items), None)

    def record_shown(self, planned: PlannedPath) -> int:
        """Record the path shown to a learner and the exemptions in it; returns records added."""
        inputs = recommendation_inputs(planned)
        added = self.repo.record(
            planned.learner_id,
            "path",
            inputs=inputs,
            output=path_output(planned.path),
            now=planned.now,
        )
        count = int(added)
        for comp in planned.path.competencies:
            if comp.standing == "gap":
                continue
            steps = [
                s.module_id
                for s in planned.path.steps
                if s.status == "exempt" and comp.competency in s.competencies
            ]
            count += self.repo.record(
                planned.learner_id,
                "exemption",
                subject=comp.competency,
                inputs={
                    "basis": BASIS.get(comp.standing, "mastery"),
                    "evidence": comp.evidence,
                    "mastery": comp.mastery,
                    "threshold": planned.threshold,
                    "role": planned.path.role,
                },
                output={"exempted_steps": steps},
                now=planned.now,
            )
        return count


def recommendation_inputs(planned: PlannedPath) -> dict[str, Any]:
    """Everything the planner read, as JSON-ready data."""
    state, prefs = planned.state, planned.prefs
    return {
        "role": prefs.role,
        "goals": list(prefs.goals),
        "preferred_format": prefs.preferred_format,
        "session_minutes": prefs.session_minutes,
        "pace": prefs.pace,
        "threshold": planned.threshold,
        "mastery": dict(state.mastery),
        "exemptions": dict(state.exemptions),
        "completed": {k: v.isoformat() for k, v in sorted(state.completed.items())},
        "unverified": sorted(state.unverified),
        "skipped": sorted(state.skipped),
        "reviews_due": {k: v.isoformat() for k, v in sorted(state.reviews_due.items())},
        "waivers": dict(state.waivers),
        "role_since": state.role_since.isoformat() if state.role_since else None,
        "assigned": {k: v.isoformat() if v else None for k, v in sorted(state.assigned.items())},
    }


def path_output(path: Path) -> dict[str, Any]:
    """What the planner recommended, as JSON-ready data."""
    return {
        "role": path.role,
        "steps": [
            {
                "module_id": s.module_id,
                "status": s.status,
                "reason_kind": s.reason_kind,
                "reason": s.reason,
                "minutes": s.minutes,
                "session": s.session,
                "required": s.required,
            }
            for s in path.steps
        ],
        "competencies": [
            {
                "competency": c.competency,
                "origin": c.origin,
                "standing": c.standing,
                "mastery": c.mastery,
            }
            for c in path.competencies
        ],
        "total_minutes": path.total_minutes,
        "warnings": list(path.warnings),
        "notices": list(path.notices),
    }
