"""`/learn profile`: show the learner's profile and change one field at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.context import Command, Context
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.core.replies import Reply, Section, Text
from bot.features.profile import describe, resolve_goals, resolve_role
from learning.profile import (
    ProfileError,
    parse_clock,
    parse_format,
    parse_hours,
    parse_pace,
    parse_session_minutes,
    parse_timezone,
    parse_work_days,
)


def _goals(value: str) -> dict[str, Any]:
    return {"goals": tuple(g.strip()[:100] for g in value.split(",") if g.strip())[:10]}


def _hours(value: str) -> dict[str, Any]:
    start, end = parse_hours(value)
    return {"work_start": start, "work_end": end}


def _quiet(value: str) -> dict[str, Any]:
    parts = value.replace("–", "-").split("-")
    if len(parts) != 2:
        raise ProfileError(f"'{value}' is not a range; write quiet hours like 18:00-08:00.")
    return {"quiet_start": parse_clock(parts[0]), "quiet_end": parse_clock(parts[1])}


def _count(field: str, value: str) -> dict[str, Any]:
    if not value.strip().isdigit() or not 0 <= int(value) <= 20:
        raise ProfileError(f"'{value}' is not a number between 0 and 20.")
    return {field: int(value)}


def _role(value: str) -> dict[str, Any]:
    return {"job_role": " ".join(value.split())[:100]}


SETTERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "role": _role,
    "goals": _goals,
    "format": lambda v: {"preferred_format": parse_format(v)},
    "session": lambda v: {"session_minutes": parse_session_minutes(v)},
    "pace": lambda v: {"pace": parse_pace(v)},
    "timezone": lambda v: {"timezone": parse_timezone(v)},
    "hours": _hours,
    "days": lambda v: {"work_days": parse_work_days(v)},
    "quiet": _quiet,
    "nudges-per-day": lambda v: _count("nudges_per_day", v),
    "nudges-per-week": lambda v: _count("nudges_per_week", v),
}


def handle_profile(ctx: Context, args: str) -> list[Reply]:
    """Show the profile, or set one field: `/learn profile set FIELD VALUE`."""
    words = args.split(None, 2)
    if not words:
        profile = ctx.services.profiles.get(ctx.learner.id)
        return [
            Reply(
                (
                    Section(msg.PROFILE_TITLE, fields=describe(profile)),
                    Text(msg.PROFILE_FIELDS_HELP),
                )
            )
        ]
    if words[0].lower() != "set" or len(words) < 3:
        raise UserError(msg.PROFILE_FIELDS_HELP)
    field, value = words[1].lower(), words[2]
    setter = SETTERS.get(field)
    if setter is None:
        raise UserError(msg.UNKNOWN_PROFILE_FIELD.format(field=field[:40]))
    try:
        changes = setter(value)
        if "goals" in changes:
            changes["goals"] = resolve_goals(ctx, changes["goals"])
        if "job_role" in changes:
            changes["job_role"] = resolve_role(ctx, changes["job_role"])
    except ProfileError as err:
        raise UserError(str(err)) from err
    profiles = ctx.services.profiles
    profiles.save(ctx.learner.id, profiles.get(ctx.learner.id).with_changes(**changes), now=ctx.now)
    return [
        Reply((Text(msg.PROFILE_UPDATED.format(field=msg.PROFILE_FIELD_NAMES.get(field, field))),))
    ]


COMMAND = Command(
    "profile",
    "Show your profile, or change it with `set FIELD VALUE`.",
    "/learn profile [set FIELD VALUE]",
    "learner",
    handle_profile,
)
