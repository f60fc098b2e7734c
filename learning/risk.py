"""Who needs help: inactivity that respects tenure, and due dates the free time cannot meet.

Pure: every rule takes `now` and plain values. The team report gathers the inputs (first
seen, last activity, remaining required work, free minutes from the calendar) and words the
outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from learning.path_model import SESSIONS_PER_WEEK

WEEK = timedelta(days=7)


def inactive(
    *,
    first_seen: datetime | None,
    last_activity: datetime | None,
    now: datetime,
    window: timedelta,
    has_work: bool,
) -> bool:
    """Whether a learner with work to do has shown no learning activity for `window`.

    Nobody is flagged before they have been known for the whole window: a learner first seen
    an hour ago has had no chance to be inactive for two weeks.

    Args:
        first_seen: When learnbot first met the learner (None: unknown, treated as now).
        last_activity: Their latest learning activity, if any.
        now: The current instant.
        window: How long without activity counts as inactive.
        has_work: Whether their path has anything left to do.
    """
    if not has_work or first_seen is None or first_seen + window > now:
        return False
    return last_activity is None or now - last_activity > window


@dataclass(frozen=True)
class PathWork:
    """One step left on the path, in path order: its module, minutes and due date (if any)."""

    module_id: str
    minutes: int
    due_at: datetime | None = None


@dataclass(frozen=True)
class Shortfall:
    """Required work that does not fit before its due date.

    Attributes:
        due_at: The due date that cannot be met.
        modules: The modules of the path up to the one due then, in path order.
        needed: Minutes of that work.
        available: Minutes the learner can give it by then (free time at their pace).
    """

    due_at: datetime
    modules: tuple[str, ...]
    needed: int
    available: int


def pace_minutes(pace: str, session_minutes: int, span: timedelta) -> float:
    """Minutes the learner studies in `span` at their pace (sessions a week x session length)."""
    sessions = SESSIONS_PER_WEEK.get(pace, SESSIONS_PER_WEEK["normal"])
    weeks = max(span, timedelta(0)) / WEEK
    return sessions * max(1, session_minutes) * weeks


def due_shortfall(
    work: Sequence[PathWork],
    *,
    now: datetime,
    pace: str,
    session_minutes: int,
    free_minutes: Callable[[datetime], float] | None = None,
) -> Shortfall | None:
    """The first due date the path's remaining work cannot meet in the learner's time.

    The learner follows the path in order, so the work needed by a step's due date is every
    remaining step up to and including it. The time available is the learner's pace over the
    days left, and at most their free working minutes before the date when their calendar is
    known (`free_minutes(due)`). Overdue steps are not a shortfall (they are reported as
    overdue) but their minutes still count for the steps after them.

    Args:
        work: The path's remaining steps, in path order.
        now: The current instant.
        pace: light, normal or intensive.
        session_minutes: The learner's usual session length.
        free_minutes: Free working minutes from `now` to a given instant, if known.
    """
    needed = 0
    modules: list[str] = []
    for item in work:
        needed += item.minutes
        modules.append(item.module_id)
        if item.due_at is None or item.due_at <= now:
            continue
        available = pace_minutes(pace, session_minutes, item.due_at - now)
        if free_minutes is not None:
            available = min(available, free_minutes(item.due_at))
        if needed > available:
            return Shortfall(item.due_at, tuple(modules), needed, int(available))
    return None
