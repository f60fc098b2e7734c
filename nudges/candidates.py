"""Nudge candidates from the planner's four sources, each with its windows and "why now".

Spaced reviews whose recall has faded below the target, the next step of the learner's path,
required training approaching its due date, and library modules that prepare for an upcoming
calendar event. Pure, like the planner that places them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from bot.core import messages as msg
from learning.profile import Profile
from nudges.calendar import CalendarEvent
from nudges.matching import Match, ModuleInfo
from nudges.slots import LocalDay, Span, zone_of
from nudges.srs import TARGET_RETENTION

if TYPE_CHECKING:
    from nudges.planner import PlanInput

REVIEW, NEXT_STEP, REQUIRED, JIT = "review", "next_step", "required", "just_in_time"
KINDS = (REVIEW, NEXT_STEP, REQUIRED, JIT)
PRIORITY = {JIT: 80.0, REQUIRED: 60.0, REVIEW: 50.0, NEXT_STEP: 30.0}
REQUIRED_LOOKAHEAD_DAYS = 14
REVIEW_BATCH = 3

Why = Callable[[float, float], str]
MAX_REVIEW_GROUPS = 3


class FadingItem(NamedTuple):
    """One quiz answer whose recall will fade: when, its module and when it was answered.

    Times are epoch seconds; `module_id` is None when the item names no module. A named
    tuple: a tick builds about fifty per learner.
    """

    fades_at: float
    module_id: str | None
    answered_at: float


@dataclass
class Candidate:
    """Something worth a nudge, with the windows it may go in and its "why now" wording."""

    kind: str
    object_id: str
    module_id: str | None
    title: str
    minutes: int
    score: float
    windows: list[Span]
    why: Why


def day_span(day: LocalDay) -> Span:
    """A working day's first to last working instant."""
    return day.windows[0][0], day.windows[-1][1]


def reviews(inp: PlanInput, days: Sequence[LocalDay]) -> list[Candidate]:
    """A review on each working day when enough items have faded (or one has waited a day)."""
    fading = list(inp.fading)
    if not fading:
        return []
    out = []
    score = 0.0
    for day in days:
        d_start, d_end = day_span(day)
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
            if inp.fading_items:
                return _review_why(inp, at, minutes)
            text = msg.WHY_REVIEW_ONE if n == 1 else msg.WHY_REVIEW
            return text.format(
                count=n,
                target=TARGET_RETENTION,
                A_minutes=msg.article(minutes).capitalize(),
                minutes=minutes,
            )

        out.append(
            Candidate(
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


def _review_why(inp: PlanInput, at: float, minutes: int) -> str:
    """How many answers fade by `at`, grouped by module, and how long ago they were given."""
    zone = zone_of(inp.profile.timezone)
    today = datetime.fromtimestamp(at, zone).date()
    groups: dict[str | None, list[FadingItem]] = {}
    for item in inp.fading_items:
        if item.fades_at <= at:
            groups.setdefault(item.module_id, []).append(item)
    ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0] or ""))
    parts = []
    for module_id, items in ordered[:MAX_REVIEW_GROUPS]:
        answered = datetime.fromtimestamp(max(i.answered_at for i in items), zone).date()
        module = inp.modules.get(module_id) if module_id else None
        title = module.title if module else module_id
        parts.append(msg.review_group(len(items), title, (today - answered).days))
    rest = sum(len(items) for _, items in ordered[MAX_REVIEW_GROUPS:])
    if rest:
        parts.append(msg.REVIEW_GROUP_MORE.format(count=rest))
    total = sum(len(items) for items in groups.values())
    return msg.WHY_REVIEW_GROUPED.format(
        groups=msg.join_and(parts),
        verb="is" if total == 1 else "are",
        them="it" if total == 1 else "them",
        target=TARGET_RETENTION,
        A_minutes=msg.article(minutes).capitalize(),
        minutes=minutes,
    )


def next_steps(inp: PlanInput, days: Sequence[LocalDay]) -> list[Candidate]:
    """The path's next step on every working day (one session's worth of it)."""
    if inp.next_step is None:
        return []
    module_id, title, minutes = inp.next_step
    need = max(2, min(minutes, max(inp.profile.session_minutes, 5)))

    def why(at: float, gap_end: float) -> str:
        free = min(120, int((gap_end - at) // 60))
        return msg.WHY_NEXT_STEP.format(free=free, title=title, minutes=minutes)

    score = PRIORITY[NEXT_STEP] * inp.prefs.weight(NEXT_STEP)
    return [
        Candidate(NEXT_STEP, module_id, module_id, title, need, score, [day_span(d)], why)
        for d in days
    ]


def _required_priority(days_left: float) -> float:
    if days_left < 0:
        return 90.0
    if days_left <= 2:
        return 85.0
    return 60.0 if days_left <= 7 else 40.0


def required(inp: PlanInput, days: Sequence[LocalDay], now: float) -> list[Candidate]:
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
            d_start, d_end = day_span(day)
            window_end = d_end if days_left < 0 else min(d_end, due)
            if window_end > d_start:
                windows = [(d_start, window_end)]
                out.append(
                    Candidate(
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
        return msg.WHY_REQUIRED.format(
            title=module.title, when=when, minutes=msg.plural(module.minutes, "minute")
        )

    return why


def just_in_time(
    inp: PlanInput, days: Sequence[LocalDay], start: float, end: float
) -> list[Candidate]:
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
        out.append(Candidate(JIT, module.id, module.id, module.title, need, score, windows, why))
    return out


def _before(days: Sequence[LocalDay], event_day: date, latest: float) -> list[Span]:
    """The working day before the event, then the event's own day up to `latest`."""
    previous = [d for d in days if d.day < event_day]
    windows = []
    if previous:
        windows.append(day_span(previous[-1]))
    same = [d for d in days if d.day == event_day]
    if same:
        d_start, _ = day_span(same[0])
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
