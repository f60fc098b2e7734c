"""Many learners' paths at one instant, planning each distinct case once (team reports).

`PathCache.plan(state, prefs)` returns exactly `plan(framework, modules, state, prefs,
threshold=..., now=..., assessed=...)`. The catalogue is built once. Learners whose inputs are
equal share one plan; so do learners whose inputs differ only in when their role started
(`role_since`, which sets the due date of every role requirement), as long as that start
changes nothing but the dates themselves. The cache key holds, for each requirement delay of
the framework:

- whether the requirement would be overdue (its due date before `now`),
- the due day as the path writes it (reasons and explanations quote it),
- where the due date falls among the state's own dates (assigned due dates, reviews due):
  the planner orders urgent steps by due date, and dates counted from one start keep their
  order among themselves.

With all of these equal, the two plans have the same steps in the same order with the same
texts; the due dates counted from the role's start are then moved by the difference between
the two starts. Everything else (progress, mastery, evidence, waivers, skips, preferences,
the time zone of the start) is part of the key as it is.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from learning.framework import Framework
from learning.path import _plan
from learning.path_catalogue import build_catalogue
from learning.path_model import CatalogModule, LearnerState, Path, PathError, Preferences
from learning.path_reasons import day


class PathCache:
    """Plans at one instant for one framework, catalogue and threshold.

    Args:
        framework: The competency framework.
        modules: The module catalogue.
        threshold: Probability of mastery at which a competency counts as mastered.
        now: The instant every path is planned at (timezone-aware).
        assessed: Competencies with items in the bank, as `plan` takes them.

    Raises:
        PathError: as `plan` does for a naive `now` or a threshold outside (0, 1).
    """

    def __init__(
        self,
        framework: Framework,
        modules: Sequence[CatalogModule],
        *,
        threshold: float,
        now: datetime,
        assessed: Collection[str] | None = None,
    ) -> None:
        if now.tzinfo is None:
            raise PathError("now must be timezone-aware")
        if not 0.0 < threshold < 1.0:
            raise PathError(f"the mastery threshold must be between 0 and 1, got {threshold}")
        self.framework, self.threshold, self.now = framework, threshold, now
        self.assessed = None if assessed is None else frozenset(assessed)
        self.catalogue = build_catalogue(framework, modules)
        self.delays = sorted(
            {
                req.due_days
                for role in framework.roles
                for req in role.required_modules
                if req.due_days is not None
            }
        )
        self._plans: dict[str, tuple[datetime | None, Path, frozenset[str]]] = {}
        self.planned = 0

    def plan(self, state: LearnerState, prefs: Preferences) -> Path:
        """The learner's path, exactly as `learning.path.plan` plans it at `now`."""
        if prefs.session_minutes < 1:
            raise PathError("the session length must be at least one minute")
        start = state.role_since
        key = repr((self._timing(start, state), replace(state, role_since=None), prefs))
        found = self._plans.get(key)
        if found is None:
            path, relative = _plan(
                self.framework,
                self.catalogue,
                state,
                prefs,
                self.threshold,
                self.now,
                assessed=self.assessed,
            )
            self._plans[key] = (start, path, relative)
            self.planned += 1
            return path
        first, path, relative = found
        if start == first or start is None or first is None or not relative:
            return path
        shift = start - first
        steps = tuple(
            replace(s, due_at=s.due_at + shift)
            if s.module_id in relative and s.due_at is not None
            else s
            for s in path.steps
        )
        return replace(path, steps=steps)

    def _timing(self, start: datetime | None, state: LearnerState) -> object:
        """What of the role's start the plan depends on, beyond the dates it moves."""
        if start is None:
            return None
        dates = sorted(
            t.timestamp()
            for t in (*state.assigned.values(), *state.reviews_due.values())
            if t is not None
        )
        out: list[object] = [repr(start.tzinfo)]
        for delay in self.delays:
            due = start + timedelta(days=delay)
            at = due.timestamp()
            out.append(
                (
                    due < self.now,
                    day(due),
                    bisect.bisect_left(dates, at),
                    bisect.bisect_right(dates, at),
                )
            )
        return out
