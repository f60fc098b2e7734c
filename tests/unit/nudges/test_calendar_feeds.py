"""Calendar feeds over real HTTP: limits, refused addresses, refreshes that keep the old
calendar on failure, and .ics files sent to the bot."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.app import build_app
from bot.core.errors import UserError
from bot.core.events import FileShared, Identity
from bot.features.fetch import FetchError, FetchLimits, fetch
from bot.settings import Settings
from nudges import calendars
from nudges.calendars import normalise_url
from nudges.service import nudge_service
from tests.conversations.transcript import Conversation
from tests.unit.nudges.conftest import ics, onboard

MEETING = ics("UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:Budget")
TWO = ics(
    "UID:a\nDTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nSUMMARY:Budget",
    "UID:b\nDTSTART:20261125T090000Z\nDTEND:20261125T100000Z\nSUMMARY:Planning",
)


class Feed(BaseHTTPRequestHandler):
    """Serves what `routes` says for each path: (status, headers, body, delay)."""

    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes, float]]] = {}

    def do_GET(self) -> None:
        status, headers, body, delay = self.routes.get(self.path, (404, {}, b"", 0.0))
        time.sleep(delay)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    Feed.routes = {
        "/cal.ics": (200, {"Content-Type": "text/calendar"}, MEETING, 0.0),
        "/moved": (302, {"Location": "/cal.ics"}, b"", 0.0),
        "/loop": (302, {"Location": "/loop"}, b"", 0.0),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest"}, b"", 0.0),
        "/big.ics": (200, {}, b"X" * (3 * 1024 * 1024), 0.0),
        "/bad.ics": (200, {}, b"<html>not a calendar</html>", 0.0),
        "/slow.ics": (200, {}, MEETING, 1.5),
        "/down.ics": (503, {}, b"", 0.0),
    }
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_core(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    """The core with private addresses allowed (the feed server is on loopback)."""
    settings = Settings(
        LEARNBOT_HOME=tmp_path / "home", LEARNBOT_CALENDAR_ALLOW_PRIVATE=True, _env_file=None
    )
    return build_app(settings, clock=clock)


def test_feeds_on_private_or_local_addresses_are_refused_by_default(core, feed: str) -> None:
    onboard(core)
    chat = Conversation(core)
    answer = chat.say(f"/learn calendar {feed}/cal.ics")
    assert "private or local network" in answer
    assert "You have no calendar connected" in chat.say("/learn calendar")
    with pytest.raises(FetchError, match="private"):
        fetch("http://10.1.2.3/cal.ics", FetchLimits(max_bytes=1000))


def test_subscribing_to_a_feed_and_removing_it(open_core, feed: str) -> None:
    learner = onboard(open_core)
    chat = Conversation(open_core)
    answer = chat.say(f"/learn calendar {feed}/moved")
    assert "Subscribed to your calendar feed: 1 event in the next 30 days, 1 of them busy" in answer
    assert "I refresh it every 6 hours" in " ".join(answer.split())
    status = chat.say("/learn calendar")
    assert "a feed at 127.0.0.1) covers 1 event until" in status
    assert "a feed at 127.0.0.1" in chat.say("/learn calendar")
    assert feed not in chat.say("/learn calendar"), "the feed's address is not repeated"
    services = open_core.services
    assert calendars.info(services, learner.id).url == f"{feed}/moved", "the address as given"
    assert "Removed your calendar" in chat.say("/learn calendar off")
    assert calendars.info(services, learner.id) is None


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/big.ics", "larger than 2 MB"),
        ("/bad.ics", "not a valid iCalendar"),
        ("/down.ics", "HTTP 503"),
        ("/missing.ics", "HTTP 404"),
        ("/loop", "redirects too many times"),
        ("/to-metadata", "private or local network"),
    ],
)
def test_a_bad_feed_keeps_the_previous_calendar(
    open_core, feed: str, path: str, message: str
) -> None:
    learner = onboard(open_core)
    services = open_core.services
    now = services.clock.now()
    calendars.import_calendar_bytes(services, learner.id, TWO, now=now)
    if path == "/to-metadata":
        # Loopback is allowed for the test server, but a redirect elsewhere is still checked.
        with pytest.raises(FetchError, match="private"):
            fetch(f"{feed}{path}", FetchLimits(max_bytes=10_000, allow_private=False))
        return
    with pytest.raises(UserError, match=message) as err:
        calendars.subscribe(services, learner.id, f"{feed}{path}", now=now)
    assert "previous calendar is unchanged" in str(err.value)
    assert calendars.info(services, learner.id).event_count == 2


def test_a_slow_feed_times_out(feed: str) -> None:
    with pytest.raises(FetchError, match=r"timed out|too long"):
        fetch(f"{feed}/slow.ics", FetchLimits(max_bytes=10_000, timeout=0.5, allow_private=True))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/cal.ics", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("https://user:secret@example.com/cal.ics", "user name or password"),
        ("not a url", "must start with https://"),
    ],
)
def test_only_plain_http_addresses_are_accepted(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        normalise_url(url)


def test_webcal_addresses_mean_https() -> None:
    assert (
        normalise_url("webcal://calendar.example.com/a.ics") == "https://calendar.example.com/a.ics"
    )


def test_refresh_updates_the_feed_and_keeps_it_when_the_server_is_down(
    open_core, feed, clock
) -> None:
    learner = onboard(open_core)
    services = open_core.services
    calendars.subscribe(services, learner.id, f"{feed}/cal.ics", now=clock.now())
    Feed.routes["/cal.ics"] = (200, {}, TWO, 0.0)
    assert calendars.refresh_due(services, now=clock.now()) == 0, "not due yet"
    clock.advance(timedelta(hours=7))
    assert calendars.refresh_due(services, now=clock.now()) == 1
    assert calendars.info(services, learner.id).event_count == 2
    Feed.routes["/cal.ics"] = (500, {}, b"", 0.0)
    clock.advance(timedelta(hours=7))
    assert calendars.refresh_due(services, now=clock.now()) == 0
    calendar = calendars.info(services, learner.id)
    assert calendar.event_count == 2
    assert "HTTP 500" in calendar.last_error
    assert "The last refresh failed" in Conversation(open_core).say("/learn calendar")


def test_an_ics_file_sent_to_the_bot_is_imported(core) -> None:
    learner = onboard(core)
    services = core.services

    def said(event: FileShared) -> str:
        return "\n".join(r.fallback for r in core.router.handle(event))

    assert "Imported your calendar: 1 event in the next 30 days, 1 of them busy" in said(
        _file("team.ics", MEETING)
    )
    assert "previous calendar is unchanged" in said(_file("team.ics", b"garbage"))
    assert "You can send me a calendar" in said(_file("notes.pdf", b"%PDF"))
    assert calendars.info(services, learner.id).event_count == 1


def test_imported_events_are_planned_around(core, clock) -> None:
    learner = onboard(core, timezone="Europe/Berlin")
    services = core.services
    whole_day = ics("UID:a\nDTSTART:20261123T080000Z\nDTEND:20261123T170000Z\nSUMMARY:Workshop")
    calendars.import_calendar_bytes(services, learner.id, whole_day, now=clock.now())
    service = nudge_service(services)
    from nudges.reviews import record_review

    for item in range(5):
        record_review(services, learner.id, f"q{item}", False, now=clock.now() - timedelta(days=2))
    planned = service.dry_run(learner.id, now=clock.now())
    assert planned
    assert all(p.local.date().isoformat() != "2026-11-23" for p in planned)


def _file(name: str, data: bytes) -> FileShared:
    from bot.core.events import Channel

    def read(limit: int) -> bytes:
        return data[:limit]

    return FileShared(
        identity=Identity.parse("ana"), channel=Channel("dm"), name=name, size=len(data), read=read
    )
