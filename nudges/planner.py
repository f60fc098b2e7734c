"""The nudge planner: a pure function of profile, calendar, learning state, content and `now`.

Candidates come from four sources (spaced reviews whose recall has faded below the target,
the next step of the learner's path, required training approaching its due date, and
library modules that prepare for an upcoming calendar event). Each is placed greedily,
most important first, at the earliest free instant of its window: on a working day, inside
working hours, outside quiet hours and meetings, within the daily and weekly caps (counted
in the learner's local days and ISO weeks), spaced from other nudges, never in the past.
Every nudge carries its "why now".
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core import messages as msg
from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.matching import Catalogue, Match, ModuleInfo
from nudges.slots import (
    LocalDay,
    Span,
    instant,
    subtract,
    to_spans,
    utc,
    working_days,
    zone_of,
)
from nudges.srs import TARGET_RETENTION

REVIEW, NEXT_STEP, REQUIRED, JIT = "review", "next_step", "required", "just_in_time"
KINDS = (REVIEW, NEXT_STEP, REQUIRED, JIT)
PRIORITY = {JIT: 80.0, REQUIRED: 60.0, REVIEW: 50.0, NEXT_STEP: 30.0}
COOLDOWN_S = {REVIEW: 44 * 3600.0, NEXT_STEP: 68 * 3600.0, REQUIRED: 44 * 3600.0, JIT: 30 * 86400.0}
SPACING_S = 2 * 3600.0
STEP_S = 5 * 60.0
REQUIRED_LOOKAHEAD_DAYS = 14
REVIEW_BATCH = 3
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


Why = Callable[[float, float], str]


@dataclass
class _Candidate:
    kind: str
    object_id: str
    module_id: str | None
    title: str
    minutes: int
    score: float
    windows: list[Span]
    why: Why


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
        *_reviews(inp, days),
        *_next_steps(inp, days),
        *_required(inp, days, now),
        *_just_in_time(inp, days, start, end),
    ]
    candidates.sort(key=lambda c: (-c.score, c.windows[0][0], c.kind, c.object_id))
    planned = []
    for candidate in candidates:
        placed = _place(candidate, free, book)
        if placed is not None:
            planned.append(_planned(candidate, placed, profile))
    return sorted(planned, key=lambda p: (p.at, p.kind))


def _planned(c: _Candidate, placed: tuple[float, float], profile: Profile) -> PlannedNudge:
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


def _place(c: _Candidate, free: list[Span], book: _Book) -> tuple[float, float] | None:
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


def _day_span(day: LocalDay) -> Span:
    return day.windows[0][0], day.windows[-1][1]


def _reviews(inp: PlanInput, days: Sequence[LocalDay]) -> list[_Candidate]:
    """A review on each working day when enough items have faded (or one has waited a day)."""
    fading = list(inp.fading)
    if not fading:
        return []
    out = []
    score = 0.0
    for day in days:
        d_start, d_end = _day_span(day)
        count = bisect.bisect_right(fading, d_end)
        if count == 0:
            continue
        ready = fading[REVIEW_BATCH - 1] if count >= REVIEW_BATCH else fading[0] + 86400.0
        if ready > d_end:
            continue
        minutes = max(2, min(inp.profile.session_minutes, math.ceil(count / 2)))
        # One score for every day (set by the first), so earlier days are placed first.
        score = score or (PRIORITY[REVIEW] + min(20, count)) * inp.prefs.weight(REVIEW)

        def why(at: float, _gap: float, minutes: int = minutes) -> str:
            n = bisect.bisect_right(fading, at)
            text = msg.WHY_REVIEW_ONE if n == 1 else msg.WHY_REVIEW
            return text.format(count=n, target=TARGET_RETENTION, minutes=minutes)

        out.append(
            _Candidate(
                REVIEW,
                "reviews",
                inp.review_module,
                msg.REVIEW_TITLE,
                minutes,
                score,
                [(max(d_start, ready), d_end)],
                why,
            )
        )
    return out


def _next_steps(inp: PlanInput, days: Sequence[LocalDay]) -> list[_Candidate]:
    if inp.next_step is None:
        return []
    module_id, title, minutes = inp.next_step
    need = max(2, min(minutes, max(inp.profile.session_minutes, 5)))

    def why(at: float, gap_end: float) -> str:
        free = min(120, int((gap_end - at) // 60))
        return msg.WHY_NEXT_STEP.format(free=free, title=title, minutes=minutes)

    score = PRIORITY[NEXT_STEP] * inp.prefs.weight(NEXT_STEP)
    return [
        _Candidate(NEXT_STEP, module_id, module_id, title, need, score, [_day_span(d)], why)
        for d in days
    ]


def _required_priority(days_left: float) -> float:
    if days_left < 0:
        return 90.0
    if days_left <= 2:
        return 85.0
    return 60.0 if days_left <= 7 else 40.0


def _required(inp: PlanInput, days: Sequence[LocalDay], now: float) -> list[_Candidate]:
    """Reminders on the working days before a required module is due (daily once overdue)."""
    out = []
    for module_id, due_at in inp.required:
        due = due_at.timestamp()
        days_left = (due - now) / 86400.0
        if days_left > REQUIRED_LOOKAHEAD_DAYS:
            continue
        module = inp.modules.get(module_id) or ModuleInfo(module_id, module_id)
        need = max(2, min(module.minutes, max(inp.profile.session_minutes, 5)))
        why = _required_why(module, due_at, inp.profile)
        score = _required_priority(days_left) * inp.prefs.weight(REQUIRED)
        for day in days:
            d_start, d_end = _day_span(day)
            window_end = d_end if days_left < 0 else min(d_end, due)
            if window_end > d_start:
                windows = [(d_start, window_end)]
                out.append(
                    _Candidate(
                        REQUIRED, module_id, module_id, module.title, need, score, windows, why
                    )
                )
    return out


def _required_why(module: ModuleInfo, due_at: datetime, profile: Profile) -> Why:
    zone = zone_of(profile.timezone)
    due_day = due_at.astimezone(zone).date()

    def why(at: float, _gap: float) -> str:
        today = datetime.fromtimestamp(at, zone).date()
        when = _relative_day(due_day, today)
        if due_day < today:
            return msg.WHY_REQUIRED_OVERDUE.format(title=module.title, when=when)
        if (due_day - today).days > 1:
            when = msg.WHEN_IN_DAYS.format(when=when, days=(due_day - today).days)
        return msg.WHY_REQUIRED.format(title=module.title, when=when, minutes=module.minutes)

    return why


def _just_in_time(
    inp: PlanInput, days: Sequence[LocalDay], start: float, end: float
) -> list[_Candidate]:
    """Before each upcoming event that a module prepares for: the working day before, or the
    same day before it starts."""
    if inp.matcher is None:
        return []
    zone = zone_of(inp.profile.timezone)
    seen: set[str] = set()
    out = []
    for event in sorted(inp.events, key=lambda e: e.start):
        e_start = event.start.timestamp()
        if e_start <= start or e_start > end + 86400.0:
            continue
        found = inp.matcher(event.title, event.description)
        if found is None or found.module.id in seen:
            continue
        seen.add(found.module.id)
        module = found.module
        need = max(2, min(module.minutes, max(inp.profile.session_minutes, 5)))
        event_day = event.start.astimezone(zone).date()
        windows = _before(days, event_day, e_start - need * 60.0)
        if not windows:
            continue

        def why(at: float, _gap: float, event: CalendarEvent = event, module: Match = found) -> str:
            return msg.WHY_JIT.format(
                event=event.title or "Your event",
                when=_when(event, datetime.fromtimestamp(at, zone).date(), zone),
                title=module.module.title,
                minutes=module.module.minutes,
            )

        score = PRIORITY[JIT] * inp.prefs.weight(JIT)
        out.append(_Candidate(JIT, module.id, module.id, module.title, need, score, windows, why))
    return out


def _before(days: Sequence[LocalDay], event_day: date, latest: float) -> list[Span]:
    """The working day before the event, then the event's own day up to `latest`."""
    previous = [d for d in days if d.day < event_day]
    windows = []
    if previous:
        windows.append(_day_span(previous[-1]))
    same = [d for d in days if d.day == event_day]
    if same:
        d_start, _ = _day_span(same[0])
        if latest > d_start:
            windows.append((d_start, latest))
    return [(s, min(e, latest)) for s, e in windows if min(e, latest) > s]


def _relative_day(day: date, today: date) -> str:
    if day == today:
        return msg.WHEN_TODAY
    if day == today + timedelta(days=1):
        return msg.WHEN_TOMORROW
    return msg.WHEN_ON.format(day=day)


def _when(event: CalendarEvent, today: date, zone: object) -> str:
    local = event.start.astimezone(zone)  # type: ignore[arg-type]
    when = _relative_day(local.date(), today)
    return when if event.all_day else msg.WHEN_AT.format(when=when, time=local)


def catalogue_matcher(catalogue: Catalogue) -> Matcher:
    """The lexical matcher of a built catalogue."""
    return catalogue.match
