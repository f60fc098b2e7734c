"""Learner profile helpers shared by `/learn profile` and onboarding."""

from __future__ import annotations

from bot.context import Context


def resolve_goals(ctx: Context, typed: tuple[str, ...]) -> tuple[str, ...]:
    """Goals as typed, with competency titles (or ids, any case) replaced by their ids."""
    lookup: dict[str, str] = {}
    for competency in ctx.services.framework.get().competencies:
        lookup[competency.title.lower()] = lookup[competency.id.lower()] = competency.id
    return tuple(lookup.get(g.lower(), g) for g in typed)
