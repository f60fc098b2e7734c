"""Fuzzers: arbitrary headers and bodies to every platform endpoint of the real server.

An unauthenticated request is never a 5xx, never logs at ERROR and changes no table. The
normal run uses a fixed seed and LEARNBOT_FUZZ_EXAMPLES (default 200) examples per endpoint;
`make fuzz` runs 10,000 with a fresh seed. Add an endpoint with one line in `ENDPOINTS`.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.clock import FixedClock
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import signed_headers
from tests.adapters.teams.fakes import FakeBotFramework
from tests.security.conftest import Server, start_server
from tests.security.state import rows

T = TypeVar("T")

# Header names an attacker would try on any endpoint, plus a few of no meaning.
HEADER_NAMES = (
    "Content-Type",
    "Authorization",
    "X-Slack-Request-Timestamp",
    "X-Slack-Signature",
    "X-Slack-Retry-Num",
    "X-Slack-Retry-Reason",
    "X-Forwarded-For",
    "Content-Encoding",
)


@dataclass(frozen=True)
class Endpoint:
    """One route to fuzz: its path and the payload kinds it reads."""

    method: str
    path: str


ENDPOINTS = (
    Endpoint("POST", "/slack/events"),  # events, interactions and slash commands share it
    Endpoint("POST", "/api/messages"),
)

_printable = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
_latin = st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x7f")
header_values = st.one_of(
    st.text(_printable, max_size=80),
    st.text(_latin, max_size=40),
    st.integers(-(10**20), 10**20).map(str),
    st.just(str(int(time.time()))),
    st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "v0=" + h),
    st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
    st.text(_printable, min_size=1, max_size=300).map(lambda t: "Bearer " + t),
    st.builds(
        lambda a, b, c: f"Bearer {a}.{b}.{c}",
        st.sampled_from(["eyJhbGciOiJub25lIn0", "eyJhbGciOiJSUzI1NiJ9", "e30"]),
        st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", max_size=60),
        st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", max_size=60),
    ),
)
headers_strategy = st.dictionaries(
    st.one_of(
        st.sampled_from(HEADER_NAMES),
        st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
    ),
    header_values,
    max_size=6,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "event",
                    "user",
                    "team",
                    "team_id",
                    "actions",
                    "payload",
                    "text",
                    "from",
                    "conversation",
                    "serviceUrl",
                    "channelId",
                    "value",
                    "id",
                    "token",
                    "challenge",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=2_000),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: urlencode({"payload": json.dumps(v)}).encode()),
    st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5).map(
        lambda d: urlencode(d).encode()
    ),
)


class Background:
    """An event loop on its own thread running learnbot's server for sync hypothesis tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Errors(logging.Handler):
    """Records every ERROR (or worse) log record, from any logger and thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, teams_fake: FakeBotFramework
) -> Iterator[Server]:
    from tests.conftest import T0

    slack_fake = FakeSlack().start()
    background = Background()
    home: Path = tmp_path_factory.mktemp("fuzz") / "home"
    server, runner = background.run(start_server(home, FixedClock(T0), slack_fake, teams_fake))
    yield server
    background.run(server.slack.session.close())
    background.run(runner.cleanup())
    background.stop()
    slack_fake.stop()


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def send(server: Server, endpoint: Endpoint, headers: dict[str, str], body: bytes) -> int:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.putrequest(endpoint.method, endpoint.path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value.encode("latin-1"))
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def fuzz(endpoint: Endpoint) -> Callable[..., None]:
    @settings(settings.get_profile("learnbot-fuzz"))
    @given(headers=headers_strategy, body=bodies)
    def run(running: Server, errors: Errors, headers: dict[str, str], body: bytes) -> None:
        headers.pop("Content-Length", None)
        status = send(running, endpoint, headers, body)
        assert status < 500, (status, headers, body[:200])
        assert not errors.records, [r.getMessage() for r in errors.records]

    return run


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.path for e in ENDPOINTS])
def test_unauthenticated_requests_are_never_a_5xx_nor_an_error_log(
    running: Server, errors: Errors, endpoint: Endpoint
) -> None:
    before = rows(running.core)
    fuzz(endpoint)(running, errors)
    assert rows(running.core) == before, "no unauthenticated request changed a table"


@settings(settings.get_profile("learnbot-fuzz"))
@given(body=json_values.filter(lambda v: isinstance(v, dict)), form=st.booleans())
def test_signed_slack_payloads_of_any_shape_are_never_a_5xx(
    running: Server, errors: Errors, body: dict[str, Any], form: bool
) -> None:
    """Even with a valid signature (a compromised secret, or Slack changing a payload)."""
    text = urlencode({"payload": json.dumps(body)}) if form else json.dumps(body)
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    headers = {"Content-Type": kind, **signed_headers(text)}
    status = send(running, ENDPOINTS[0], headers, text.encode())
    assert status < 500, (status, text[:300])
