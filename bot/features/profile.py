"""Learner profile helpers shared by `/learn profile` and onboarding."""

from __future__ import annotations

from bot.context import Context


def resolve_goals(ctx: Context, typed: tuple[str, ...]) -> tuple[str, ...]:
    """Goals as typed, with competency titles (or ids, any case) replaced by their ids."""
    known = ctx.services.feature("competencies")
    lookup: dict[str, str] = {}
    for competency_id, title in known() if callable(known) else []:
        lookup[title.lower()] = lookup[competency_id.lower()] = competency_id
    return tuple(lookup.get(g.lower(), g) for g in typed)
