"""Calendar use cases: import a file, subscribe to a feed, refresh feeds, remove a calendar.

A calendar is parsed and expanded over the horizon here, at import or refresh time, and stored
as intervals; planning never parses ICS. A bad file or an unreachable feed raises a UserError
with the reason and leaves the previously stored calendar exactly as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import UserError
from bot.features.fetch import FetchError, FetchLimits, check_url, fetch
from nudges import journal
from nudges.calendar import CalendarError, ParsedCalendar, parse_calendar
from nudges.store.records import CalendarInfo

log = logging.getLogger(__name__)
FEED_TIMEOUT_S = 10.0
FEED_HEADERS = {"Accept": "text/calendar, */*;q=0.1", "User-Agent": "learnbot-calendar/1"}


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    events: int
    busy: int
    days: int
    skipped: int

    @classmethod
    def of(cls, parsed: ParsedCalendar, *, days: int) -> ImportResult:
        """Summarise a parsed calendar that covers the next `days` days."""
        return cls(
            events=len(parsed.events),
            busy=sum(e.busy for e in parsed.events),
            days=days,
            skipped=parsed.skipped,
        )


def normalise_url(url: str) -> str:
    """Check a feed URL and return it (webcal:// is the https feed it stands for).

    Raises:
        FetchError: for anything but an http(s) URL with a host and no user name or password.
    """
    # Slack wraps links as <https://...> or <https://...|label>.
    url = url.strip().strip("<>").split("|", 1)[0]
    scheme = urlsplit(url).scheme
    if scheme.lower() in {"webcal", "webcals"}:
        url = "https" + url[len(scheme) :]
    check_url(url)
    return url


def _parse(services: Services, learner_id: str, data: bytes, *, now: datetime) -> ParsedCalendar:
    settings = services.settings
    profile = services.profiles.get(learner_id)
    try:
        return parse_calendar(
            data,
            zone=profile.zone,
            start=now - timedelta(days=1),
            end=now + timedelta(days=settings.calendar_horizon_days),
            max_bytes=settings.calendar_max_bytes,
        )
    except CalendarError as err:
        raise UserError(msg.CALENDAR_KEPT.format(error=err)) from err


def import_calendar_bytes(
    services: Services, learner_id: str, data: bytes, *, now: datetime
) -> ImportResult:
    """Import an .ics file for a learner, replacing their calendar (a file replaces a feed).

    Raises:
        UserError: the file is empty, too large, malformed or too busy; nothing changed.
    """
    parsed = _parse(services, learner_id, data, now=now)
    store = services.calendars
    zone = services.profiles.get(learner_id).timezone
    store.replace(learner_id, parsed, kind="file", url=None, zone=zone, now=now)
    journal.record(services, learner_id, "calendar_imported", detail=_detail(parsed), now=now)
    return ImportResult.of(parsed, days=services.settings.calendar_horizon_days)


def subscribe(services: Services, learner_id: str, url: str, *, now: datetime) -> ImportResult:
    """Fetch a feed now and keep refreshing it.

    Raises:
        UserError: the address is refused, unreachable, too large or not a usable calendar.
    """
    try:
        url = normalise_url(url)
    except FetchError as err:
        raise UserError(_feed_failed(err, max_bytes=0)) from err
    data = _fetch(services, url)
    parsed = _parse(services, learner_id, data, now=now)
    zone = services.profiles.get(learner_id).timezone
    services.calendars.replace(learner_id, parsed, kind="url", url=url, zone=zone, now=now)
    journal.record(services, learner_id, "calendar_subscribed", detail=_detail(parsed), now=now)
    return ImportResult.of(parsed, days=services.settings.calendar_horizon_days)


def _fetch(services: Services, url: str) -> bytes:
    settings = services.settings
    limits = FetchLimits(
        max_bytes=settings.calendar_max_bytes,
        timeout=FEED_TIMEOUT_S,
        allow_private=settings.calendar_allow_private,
    )
    try:
        return fetch(url, limits, headers=FEED_HEADERS).body
    except FetchError as err:
        error = _feed_failed(err, max_bytes=limits.max_bytes)
        raise UserError(msg.CALENDAR_KEPT.format(error=error)) from err


def _feed_failed(err: FetchError, *, max_bytes: int) -> str:
    """Why a feed could not be fetched, in the calendar's words (never with the URL)."""
    return msg.CALENDAR_FEED_FAILED[err.kind].format(
        reason=err.reason, status=err.status, mb=max_bytes / 1_048_576
    )


def refresh_due(services: Services, *, now: datetime) -> int:
    """Refresh every feed older than the refresh interval; returns how many were refreshed.

    A failed refresh is recorded on the calendar (shown by `/learn calendar`) and the stored
    events are kept, so a feed that is down for a day does not empty the learner's week.
    """
    store = services.calendars
    before = now - timedelta(hours=services.settings.calendar_refresh_hours)
    done = 0
    for learner_id, url in store.due_for_refresh(before=before):
        try:
            data = _fetch(services, url)
            parsed = _parse(services, learner_id, data, now=now)
        except UserError as err:
            store.record_error(learner_id, str(err), now=now)
            log.info("calendar refresh failed for one learner: %s", type(err.__cause__).__name__)
            continue
        zone = services.profiles.get(learner_id).timezone
        store.replace(learner_id, parsed, kind="url", url=url, zone=zone, now=now)
        done += 1
    return done


def expire_files(services: Services, *, now: datetime) -> int:
    """Delete imported files whose horizon has run out; returns how many were deleted.

    A file covers `calendar_horizon_days` from its import and cannot be fetched again, so
    once that has passed it says nothing about the learner's time: the calendar goes, as
    with `/learn calendar off`, and `/learn calendar` then offers to import or subscribe.
    """
    before = now - timedelta(days=services.settings.calendar_horizon_days)
    expired = 0
    for learner_id in services.calendars.files_imported_before(before=before):
        if services.calendars.remove(learner_id):
            journal.record(services, learner_id, "calendar_expired", now=now)
            expired += 1
    return expired


def remove(services: Services, learner_id: str, *, now: datetime) -> bool:
    """Delete the learner's calendar and every stored event."""
    removed = services.calendars.remove(learner_id)
    if removed:
        journal.record(services, learner_id, "calendar_removed", now=now)
    return removed


def info(services: Services, learner_id: str) -> CalendarInfo | None:
    """The learner's calendar summary."""
    return services.calendars.info(learner_id)


def source_label(calendar: CalendarInfo) -> str:
    """Where a calendar comes from, without the feed's secret path."""
    if calendar.kind == "url" and calendar.url:
        return msg.CALENDAR_SOURCE_URL.format(host=urlsplit(calendar.url).hostname or "?")
    return msg.CALENDAR_SOURCE_FILE


def _detail(parsed: ParsedCalendar) -> dict[str, int]:
    return {"events": len(parsed.events), "skipped": parsed.skipped}
