"""Learner profile helpers shared by `/learn profile`, onboarding and the Slack Home tab."""

from __future__ import annotations

from bot.context import Context
from learning.profile import Profile

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def resolve_goals(ctx: Context, typed: tuple[str, ...]) -> tuple[str, ...]:
    """Goals as typed, with competency titles (or ids, any case) replaced by their ids."""
    lookup: dict[str, str] = {}
    for competency in ctx.services.framework.get().competencies:
        lookup[competency.title.lower()] = lookup[competency.id.lower()] = competency.id
    return tuple(lookup.get(g.lower(), g) for g in typed)


def describe(profile: Profile) -> tuple[tuple[str, str], ...]:
    """The profile as label/value pairs."""
    days = ", ".join(_DAYS[int(d) - 1] for d in profile.work_days) or "none"
    return (
        ("Role", profile.job_role or "not set"),
        ("Goals", ", ".join(profile.goals) or "none yet"),
        ("Format", profile.preferred_format),
        ("Session", f"{profile.session_minutes} min"),
        ("Pace", profile.pace),
        ("Time zone", profile.timezone),
        ("Working hours", f"{profile.work_start:%H:%M}-{profile.work_end:%H:%M} on {days}"),
        ("Quiet hours", f"{profile.quiet_start:%H:%M}-{profile.quiet_end:%H:%M}"),
        ("Nudges", f"at most {profile.nudges_per_day}/day, {profile.nudges_per_week}/week"),
    )
