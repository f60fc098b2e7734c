"""The learner's preferences and working pattern: what paths and nudges are planned around."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

FORMATS = ("any", "text", "video", "interactive", "audio")
SESSION_MINUTES = (5, 10, 15, 30, 45, 60)
PACES = ("light", "normal", "intensive")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)?$")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProfileError(ValueError):
    """A profile value that cannot be accepted; the message says what is expected."""


@dataclass(frozen=True)
class Profile:
    """What a learner told us about how they learn and when they work.

    Times of day are local to `timezone`; `work_days` holds ISO weekday digits (1 = Monday).
    """

    job_role: str = ""
    goals: tuple[str, ...] = ()
    preferred_format: str = "any"
    session_minutes: int = 10
    timezone: str = "UTC"
    work_days: str = "12345"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    quiet_start: time = time(18, 0)
    quiet_end: time = time(8, 0)
    nudges_per_day: int = 2
    nudges_per_week: int = 6
    paused_until: datetime | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    onboarded_at: datetime | None = None
    pace: str = "normal"

    @property
    def zone(self) -> ZoneInfo:
        """The learner's time zone."""
        return ZoneInfo(self.timezone)

    def with_changes(self, **changes: object) -> Profile:
        """A copy with some fields changed (values already validated)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def parse_clock(text: str) -> time:
    """Parse a time of day such as "9", "09:30", "17h" or "8.15".

    Raises:
        ProfileError: when the text is not a time of day.
    """
    match = _CLOCK.match(text.strip().lower().removesuffix("h"))
    if not match:
        raise ProfileError(f"'{text}' is not a time of day; write it like 09:00 or 17:30.")
    return time(int(match.group(1)), int(match.group(2) or 0))


def parse_hours(text: str) -> tuple[time, time]:
    """Parse working hours such as "9-17" or "08:30 - 16:30"."""
    parts = re.split(r"\s*(?:-|–|to)\s*", text.strip())
    if len(parts) != 2:
        raise ProfileError(f"'{text}' is not a range of hours; write it like 09:00-17:00.")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start >= end:
        raise ProfileError("Working hours must start before they end, e.g. 09:00-17:00.")
    return start, end


def parse_timezone(text: str) -> str:
    """Validate an IANA time zone name, accepting any letter case ("europe/paris")."""
    name = text.strip()
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    by_lower = {z.lower(): z for z in available_timezones()}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    raise ProfileError(
        f"'{text}' is not a time zone I know. Use a name like Europe/Paris or America/New_York."
    )


def parse_work_days(text: str) -> str:
    """Parse working days such as "mon-fri", "mon,tue,thu" or "12345" into ISO digits."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit() and set(cleaned) <= set("1234567"):
        return "".join(sorted(set(cleaned)))
    days: set[int] = set()
    for part in cleaned.split(","):
        bounds = part.split("-")
        idx = [_day_index(b) for b in bounds]
        if len(idx) == 1:
            days.add(idx[0])
        elif len(idx) == 2 and idx[0] <= idx[1]:
            days.update(range(idx[0], idx[1] + 1))
        else:
            raise ProfileError(f"'{text}' is not a set of days; write it like mon-fri.")
    return "".join(str(d) for d in sorted(days))


def _day_index(name: str) -> int:
    if name[:3] not in _DAY_NAMES:
        raise ProfileError(f"'{name}' is not a day of the week; write mon, tue, ... sun.")
    return _DAY_NAMES.index(name[:3]) + 1


def parse_format(text: str) -> str:
    """Validate a preferred content format."""
    value = text.strip().lower()
    if value not in FORMATS:
        raise ProfileError(f"'{text}' is not a format; choose one of {', '.join(FORMATS)}.")
    return value


def parse_session_minutes(text: str) -> int:
    """Validate a session length in minutes (between 2 and 120)."""
    digits = text.strip().lower().removesuffix("min").removesuffix("minutes").strip()
    if not digits.isdigit() or not 2 <= int(digits) <= 120:
        raise ProfileError(f"'{text}' is not a session length; give minutes between 2 and 120.")
    return int(digits)


def parse_pace(text: str) -> str:
    """Validate a learning pace: light, normal or intensive (sessions per week)."""
    value = text.strip().lower()
    if value not in PACES:
        raise ProfileError(f"'{text}' is not a pace; choose one of {', '.join(PACES)}.")
    return value
