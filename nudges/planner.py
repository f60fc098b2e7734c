"""The nudge planner: a pure function of profile, calendar, learning state, content and `now`.

Candidates come from four sources (spaced reviews whose recall has faded below the target,
the next step of the learner's path, required training approaching its due date, and
library modules that prepare for an upcoming calendar event; see `nudges.candidates`).
Each is placed greedily, most important first, at the earliest free instant of its window:
on a working day, inside working hours, outside quiet hours and meetings, within the daily
and weekly caps (counted in the learner's local days and ISO weeks), spaced from other
nudges, never in the past. Every nudge carries its "why now".
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.candidates import (
    JIT,
    NEXT_STEP,
    REQUIRED,
    REVIEW,
    Candidate,
    FadingItem,
    just_in_time,
    next_steps,
    required,
    reviews,
)
from nudges.matching import Catalogue, Match, ModuleInfo
from nudges.slots import Span, instant, subtract, to_spans, utc, working_days, zone_of

COOLDOWN_S = {REVIEW: 44 * 3600.0, NEXT_STEP: 68 * 3600.0, REQUIRED: 44 * 3600.0, JIT: 30 * 86400.0}
SPACING_S = 2 * 3600.0
STEP_S = 5 * 60.0
Matcher = Callable[[str, str], Match | None]


@dataclass(frozen=True)
class SentNudge:
    """A nudge already sent, being sent, or committed: it counts against caps and spacing."""

    at: datetime
    kind: str
    object_id: str


@dataclass(frozen=True)
class NudgePrefs:
    """What the learner said about nudges: kind weights, snooze, stop, days left alone."""

    weights: Mapping[str, float] = field(default_factory=dict)
    snoozed_until: datetime | None = None
    stopped: bool = False
    skip_dates: frozenset[date] = frozenset()

    def weight(self, kind: str) -> float:
        """The kind's weight (1.0 unless the learner asked for fewer)."""
        return float(self.weights.get(kind, 1.0))


@dataclass(frozen=True)
class PlanInput:
    """Everything the planner looks at.

    Attributes:
        profile: Time zone, working pattern, quiet hours, caps, pause.
        now: The current instant (timezone-aware).
        days: How far ahead to plan.
        busy: Busy intervals from the learner's calendar (UTC).
        events: Upcoming calendar events, for just-in-time matching.
        fading: Sorted epoch seconds at which each quiz item's recall drops below the target.
        review_module: The module most of the fading items belong to, if known.
        fading_items: The same answers with their module and answer time, so the "why now"
            can say how many fade on which module and since when (optional).
        next_step: The next step of the learner's path: (module_id, title, minutes).
        required: Required training and its due date: (module_id, due_at).
        modules: Library modules by id (titles and minutes of required training).
        matcher: Finds the module that prepares for an event (title, description).
        history: Nudges sent or committed, for caps, spacing and cooldowns.
        prefs: The learner's nudge preferences.
    """

    profile: Profile
    now: datetime
    days: int = 7
    busy: Sequence[tuple[datetime, datetime]] = ()
    events: Sequence[CalendarEvent] = ()
    fading: Sequence[float] = ()
    review_module: str | None = None
    fading_items: Sequence[FadingItem] = ()
    next_step: tuple[str, str, int] | None = None
    required: Sequence[tuple[str, datetime]] = ()
    modules: Mapping[str, ModuleInfo] = field(default_factory=dict)
    matcher: Matcher | None = None
    history: Sequence[SentNudge] = ()
    prefs: NudgePrefs = field(default_factory=NudgePrefs)


@dataclass(frozen=True)
class PlannedNudge:
    """One planned nudge. `key` is unique per learner: (kind, object, local date)."""

    at: datetime
    local: datetime
    kind: str
    object_id: str
    module_id: str | None
    title: str
    reason: str
    minutes: int
    priority: float

    @property
    def local_date(self) -> date:
        """The learner's local date of the nudge."""
        return self.local.date()

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, object id, local ISO date): what the outbox keeps unique."""
        return (self.kind, self.object_id, self.local_date.isoformat())

    def to_json(self) -> dict[str, object]:
        """The dry-run shape: at, local, kind, module_id, reason."""
        return {
            "at": self.at.isoformat(),
            "local": self.local.isoformat(),
            "kind": self.kind,
            "module_id": self.module_id,
            "reason": self.reason,
        }


def plan(inp: PlanInput) -> list[PlannedNudge]:
    """Plan the learner's nudges for the next `inp.days` days, earliest first."""
    profile, prefs = inp.profile, inp.prefs
    if prefs.stopped or profile.nudges_per_day <= 0 or profile.nudges_per_week <= 0:
        return []
    now = inp.now.timestamp()
    start = max([now] + [t.timestamp() for t in (profile.paused_until, prefs.snoozed_until) if t])
    start = math.ceil(start / 60.0) * 60.0
    end = now + inp.days * 86400.0
    if start >= end:
        return []
    days = working_days(profile, start=start, end=end, skip=prefs.skip_dates)
    free = subtract([w for d in days for w in d.windows], to_spans(inp.busy))
    book = _Book(profile, prefs, inp.history)
    candidates = [
        *reviews(inp, days),
        *next_steps(inp, days),
        *required(inp, days, now),
        *just_in_time(inp, days, start, end),
    ]
    candidates.sort(key=lambda c: (-c.score, c.windows[0][0], c.kind, c.object_id))
    planned = []
    for candidate in candidates:
        placed = _place(candidate, free, book)
        if placed is not None:
            planned.append(_planned(candidate, placed, profile))
    return sorted(planned, key=lambda p: (p.at, p.kind))


def _planned(c: Candidate, placed: tuple[float, float], profile: Profile) -> PlannedNudge:
    at, gap_end = placed
    when = utc(at)
    return PlannedNudge(
        at=when,
        local=when.astimezone(zone_of(profile.timezone)),
        kind=c.kind,
        object_id=c.object_id,
        module_id=c.module_id,
        title=c.title,
        reason=c.why(at, gap_end),
        minutes=c.minutes,
        priority=round(c.score, 3),
    )


class _Book:
    """The nudges placed so far: counts per local day, week and kind, spacing, cooldowns."""

    def __init__(self, profile: Profile, prefs: NudgePrefs, history: Sequence[SentNudge]) -> None:
        self.profile, self.zone = profile, zone_of(profile.timezone)
        self.prefs = prefs
        self.times: list[float] = []
        self.per_day: dict[date, int] = {}
        self.per_week: dict[tuple[int, int], int] = {}
        self.kind_week: dict[tuple[str, int, int], int] = {}
        self.objects: dict[tuple[str, str], list[float]] = {}
        for sent in history:
            self.add(sent.at.timestamp(), sent.kind, sent.object_id)

    def add(self, at: float, kind: str, object_id: str) -> None:
        day = datetime.fromtimestamp(at, self.zone).date()
        year, week, _ = day.isocalendar()
        bisect.insort(self.times, at)
        self.per_day[day] = self.per_day.get(day, 0) + 1
        self.per_week[(year, week)] = self.per_week.get((year, week), 0) + 1
        self.kind_week[(kind, year, week)] = self.kind_week.get((kind, year, week), 0) + 1
        self.objects.setdefault((kind, object_id), []).append(at)

    def quota(self, kind: str) -> int:
        """Nudges of one kind allowed per week: fewer when the learner asked for fewer."""
        weekly = self.profile.nudges_per_week
        weight = self.prefs.weight(kind)
        return weekly if weight >= 1.0 else max(1, math.floor(weekly * weight))

    def blocked_until(self, at: float, kind: str, object_id: str) -> float | None:
        """None when `at` is allowed; otherwise the next instant worth trying."""
        day = datetime.fromtimestamp(at, self.zone).date()
        year, week, weekday = day.isocalendar()
        if self.per_day.get(day, 0) >= self.profile.nudges_per_day:
            return instant(day + timedelta(days=1), 0, self.zone)
        if self.per_week.get((year, week), 0) >= self.profile.nudges_per_week or self.kind_week.get(
            (kind, year, week), 0
        ) >= self.quota(kind):
            return instant(day + timedelta(days=8 - weekday), 0, self.zone)
        i = bisect.bisect_left(self.times, at - SPACING_S + 1e-6)
        if i < len(self.times) and self.times[i] < at + SPACING_S:
            return self.times[i] + SPACING_S
        for other in self.objects.get((kind, object_id), ()):
            if abs(other - at) < COOLDOWN_S[kind]:
                return other + COOLDOWN_S[kind]
        return None


def _place(c: Candidate, free: list[Span], book: _Book) -> tuple[float, float] | None:
    """The earliest allowed instant in the candidate's windows, and the end of its free gap."""
    need = c.minutes * 60.0
    for w_start, w_end in c.windows:
        i = bisect.bisect_right(free, (w_start, math.inf)) - 1
        for f_start, f_end in free[max(i, 0) :]:
            if f_start > w_end:
                break
            at = math.ceil(max(f_start, w_start) / STEP_S) * STEP_S
            while at <= w_end and at + need <= f_end:
                later = book.blocked_until(at, c.kind, c.object_id)
                if later is None:
                    book.add(at, c.kind, c.object_id)
                    return at, f_end
                at = math.ceil(max(later, at + 1) / STEP_S) * STEP_S
    return None


def catalogue_matcher(catalogue: Catalogue) -> Matcher:
    """The lexical matcher of a built catalogue."""
    return catalogue.match
