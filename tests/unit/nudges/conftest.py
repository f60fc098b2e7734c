"""Helpers for the nudge tests: calendars written inline, profiles, onboarded learners."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.core.events import Identity, UserInfo


def ics(*events: str, extra: str = "") -> bytes:
    """A VCALENDAR around VEVENT bodies (each a string of property lines)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{extra}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def utc(*args: int) -> datetime:
    """A UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def onboard(core, user: str = "ana", **profile_changes):  # type: ignore[no-untyped-def]
    """Create a terminal learner with an onboarded profile; returns the learner."""
    services = core.services
    now = services.clock.now()
    learner = services.learners.resolve(Identity.parse(user), UserInfo(user.capitalize()), now=now)
    profile = services.profiles.get(learner.id).with_changes(onboarded_at=now, **profile_changes)
    services.profiles.save(learner.id, profile, now=now)
    return learner


WIDE = {
    "work_start": time(6, 0),
    "work_end": time(22, 0),
    "quiet_start": time(0),
    "quiet_end": time(0),
}


@pytest.fixture
def calendars_dir(shared_data: Path) -> Path:
    """The real iCalendar files."""
    return shared_data / "calendars"
