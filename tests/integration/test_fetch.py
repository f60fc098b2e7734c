"""The one URL fetcher over real local servers: addresses in every spelling, DNS rebinding,
checked redirects, the size cap and one deadline for the whole fetch."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bot.core.events import Identity
from bot.features.fetch import FetchError, FetchLimits, fetch, is_public, post, read_capped
from tests.conversations.admin_helpers import make_admin, run, text_of

PUBLIC = "93.184.216.34"
PAGE = b"# Leave\n\nAsk your manager.\n"


class Site(BaseHTTPRequestHandler):
    """Answers by path; records every request's path and Host header."""

    seen: ClassVar[list[tuple[str, str]]] = []
    posted: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Host", "")))
        if self.path == "/to-internal":
            self._answer(302, b"", location="http://internal.test/secret")
        elif self.path == "/drip":
            self._drip(body=True)
        elif self.path == "/drip-headers":
            self._drip(body=False)
        else:
            self._answer(200, PAGE)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.posted.append((self.path, self.headers.get("Host", ""), self.rfile.read(length)))
        if self.path == "/drip":
            self._drip(body=True)
        else:
            self._answer(200, b'["id-1"]')

    def _answer(self, status: int, body: bytes, *, location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/markdown")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, *, body: bool) -> None:
        """One byte every 0.2 s: of a 1,000-byte body, or of the headers themselves."""
        with contextlib.suppress(OSError):
            if body:
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.flush()
            for byte in b"HTTP/1.1 200 OK\r\n" * 60 if not body else b"x" * 1000:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[int]:
    """A local web site; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    Site.seen = []
    Site.posted = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class Answers:
    """A resolver that gives each answer once, in order, and counts the questions."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return [self.answers.pop(0)] if host.endswith("rebind.test") else ["10.0.0.7"]


class ToLocal:
    """A connector that records the checked address asked for and reaches the local site."""

    def __init__(self) -> None:
        self.addresses: list[str] = []

    def __call__(self, address: tuple[str, int], timeout: float) -> socket.socket:
        self.addresses.append(address[0])
        return socket.create_connection(("127.0.0.1", address[1]), timeout)


LIMITS = FetchLimits(max_bytes=10_000, timeout=5.0)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",  # decimal
        "0177.0.0.1",  # octal
        "0x7f.1",  # hexadecimal, short form
        "127.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:7f00:1]",
        "[::ffff:169.254.169.254]",
        "[2002:7f00:1::]",  # 6to4 around 127.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 around 169.254.169.254
        "[fe80::1]",
        "[fc00::1]",
        "[ff02::1]",  # multicast
    ],
)
def test_every_spelling_of_a_private_address_is_refused(host: str) -> None:
    with pytest.raises(FetchError, match="private") as err:
        fetch(f"http://{host}:9/doc.md", LIMITS)
    assert err.value.kind == "private"


def test_public_addresses_pass_the_check() -> None:
    assert is_public(PUBLIC)
    assert is_public("2606:4700:4700::1111")
    assert not is_public("not an address")


def test_one_private_answer_among_public_ones_is_refused() -> None:
    def both(host: str, port: int) -> list[str]:
        return [PUBLIC, "127.0.0.1"]

    with pytest.raises(FetchError, match="private"):
        fetch("http://mixed.test/doc.md", LIMITS, resolver=both)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ftp://example.com/a.md", "url"),
        ("file:///etc/passwd", "url"),
        ("https://user:secret@example.com/a.md", "credentials"),
        ("http://example.com:99999/a.md", "url"),
        ("not a url", "url"),
    ],
)
def test_only_http_urls_with_a_host_and_no_credentials(url: str, kind: str) -> None:
    with pytest.raises(FetchError) as err:
        fetch(url, LIMITS)
    assert err.value.kind == kind


def test_a_rebinding_name_is_resolved_once_and_never_reaches_loopback(site: int) -> None:
    # The classic rebinding answer: public for the check, 127.0.0.1 for the connection.
    resolver = Answers(PUBLIC, "127.0.0.1")
    connect = ToLocal()
    got = fetch(f"http://rebind.test:{site}/doc.md", LIMITS, resolver=resolver, connect=connect)
    assert got.body == PAGE
    assert resolver.asked == ["rebind.test"], "one answer, used for the check and the connection"
    assert connect.addresses == [PUBLIC], "the connection went to the checked address"
    assert Site.seen == [("/doc.md", f"rebind.test:{site}")], "Host still names the site"


def test_the_connection_goes_to_the_resolved_address_not_a_second_lookup(site: int) -> None:
    # The system resolver does not know rebind.test: only the injected answer can be used.
    resolver = Answers("127.0.0.1")
    open_limits = FetchLimits(max_bytes=10_000, timeout=5.0, allow_private=True)
    got = fetch(f"http://rebind.test:{site}/doc.md", open_limits, resolver=resolver)
    assert (got.body, got.content_type) == (PAGE, "text/markdown")
    assert resolver.asked == ["rebind.test"]


def test_every_redirect_hop_is_checked_again(site: int) -> None:
    resolver = Answers(PUBLIC)
    connect = ToLocal()
    with pytest.raises(FetchError, match="private"):
        fetch(f"http://rebind.test:{site}/to-internal", LIMITS, resolver=resolver, connect=connect)
    assert resolver.asked == ["rebind.test", "internal.test"]
    assert connect.addresses == [PUBLIC], "the internal host was never connected to"


def test_a_body_over_the_cap_is_refused(site: int) -> None:
    small = FetchLimits(max_bytes=10, timeout=5.0, allow_private=True)
    with pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.1:{site}/doc.md", small)
    assert err.value.kind == "too_big"


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_server_sending_a_byte_at_a_time_is_cut_off_at_the_deadline(site: int, path: str) -> None:
    limits = FetchLimits(max_bytes=10_000, timeout=1.0, allow_private=True)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out") as err:
        fetch(f"http://127.0.0.1:{site}{path}", limits)
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 2.0, "the timeout is for the whole fetch"


def test_fetch_timeout_is_the_total_for_an_admin_upload(core, site: int) -> None:
    admin = Identity("slack", "T1", "UADM")
    make_admin(core, admin)
    core.services.settings.fetch_allow_private = True
    core.services.settings.fetch_timeout = 1.0
    started = time.monotonic()
    said = text_of(run(core, admin, f"admin upload http://127.0.0.1:{site}/drip"))
    assert "couldn't fetch" in said
    assert "timed out" in said
    assert time.monotonic() - started < 2.0


class Pieces:
    """A response body served in small pieces, with an optional declared length."""

    def __init__(self, data: bytes, *, declared: str | None = None) -> None:
        self.data = data
        self.declared = declared
        self.reads = 0

    def read(self, amt: int, /) -> bytes:
        self.reads += 1
        piece, self.data = self.data[: min(amt, 7)], self.data[min(amt, 7) :]
        return piece

    def getheader(self, name: str) -> str | None:
        return self.declared if name == "Content-Length" else None


def test_the_capped_read_stops_one_byte_past_the_cap_and_trusts_no_declared_length() -> None:
    def too_big(size: int) -> Exception:
        return ValueError(f"{size} bytes")

    assert read_capped(Pieces(b"x" * 50), 50, too_big=too_big) == b"x" * 50
    with pytest.raises(ValueError, match="51 bytes"):
        read_capped(Pieces(b"x" * 500), 50, too_big=too_big)
    declared = Pieces(b"x" * 500, declared="500")
    with pytest.raises(ValueError, match="500 bytes"):
        read_capped(declared, 50, too_big=too_big)
    assert declared.reads == 0, "a larger declared length is refused before reading"
    assert read_capped(Pieces(b"x" * 20, declared="10"), 50, too_big=too_big) == b"x" * 20


def test_a_post_goes_to_the_checked_address_with_one_lookup(site: int) -> None:
    resolver = Answers(PUBLIC, "127.0.0.1")
    connect = ToLocal()
    url = f"http://rebind.test:{site}/statements"
    status = post(url, b'[{"verb": 1}]', LIMITS, resolver=resolver, connect=connect)
    assert status == 200
    assert resolver.asked == ["rebind.test"]
    assert connect.addresses == [PUBLIC]
    assert Site.posted == [("/statements", f"rebind.test:{site}", b'[{"verb": 1}]')]


def test_a_post_answered_a_byte_at_a_time_is_cut_off_at_the_deadline(site: int) -> None:
    limits = FetchLimits(max_bytes=10_000, timeout=1.0, allow_private=True)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        post(f"http://127.0.0.1:{site}/drip", b"[]", limits)
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 2.0
