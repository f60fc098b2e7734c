"""Learner profile helpers shared by `/learn profile`, onboarding and the Slack Home tab."""

from __future__ import annotations

from bot.context import Context, Services
from bot.core import messages as msg
from bot.core.model import Learner
from learning.profile import Profile, ProfileError

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def audience_of(services: Services, learner: Learner) -> list[str]:
    """The audience tags a learner belongs to: permission roles, job role, org attributes."""
    profile = services.profiles.get(learner.id)
    tags = {r for r in ("learner", "manager", "admin") if learner.has_role(r)}
    if profile.job_role:
        tags.add(profile.job_role)
    tags.update(v for v in profile.attributes.values() if v)
    return sorted(tags)


def resolve_goals(ctx: Context, typed: tuple[str, ...]) -> tuple[str, ...]:
    """Goals as competency ids, typed as titles or ids in any case.

    Raises:
        ProfileError: a goal names no competency of the framework (when it has any), so a
            typo or a stray button number is never stored as a goal.
    """
    competencies = ctx.services.framework.get().competencies
    lookup: dict[str, str] = {}
    for competency in competencies:
        lookup[competency.title.lower()] = lookup[competency.id.lower()] = competency.id
    unknown = [g for g in typed if g.lower() not in lookup]
    if unknown and competencies:
        raise ProfileError(
            msg.UNKNOWN_GOAL.format(
                goal=unknown[0][:60], known=", ".join(c.title for c in competencies)
            )
        )
    return tuple(lookup.get(g.lower(), g) for g in typed)


def resolve_role(ctx: Context, typed: str) -> str:
    """The framework role a typed answer names (its id, from an id or a title in any case);
    the text itself when the framework has no roles.

    Raises:
        ProfileError: the answer is empty, or names no role of the framework.
    """
    role = " ".join(typed.split())[:100]
    if not role:
        raise ProfileError(msg.ROLE_EMPTY)
    roles = ctx.services.framework.get().roles
    if not roles:
        return role
    for r in roles:
        if role.lower() in (r.id.lower(), r.title.lower()):
            return r.id
    raise ProfileError(
        msg.UNKNOWN_ROLE.format(role=role[:60], known=", ".join(r.title for r in roles))
    )


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
