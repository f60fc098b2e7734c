"""Fetching from a URL, the one way the bot does it: http(s) only, public hosts only, bounded.

The host name is resolved once, every address it resolves to is checked, and the connection
goes to the checked address, so a second DNS answer cannot switch to an internal host between
check and use (TLS still verifies the certificate for the name). Redirects are followed by
hand, each hop checked the same way. The body is capped, and the whole fetch (connections,
TLS, headers and body, redirects included) has one deadline however slowly a server sends.
Private, loopback, link-local, reserved and multicast addresses are refused in every spelling
(IPv4-mapped, 6to4 and NAT64 IPv6 included) unless `allow_private` is set, which tests and
closed networks use.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import SplitResult, urljoin, urlsplit

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_REDIRECTS = 3
CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# NAT64 prefixes carry an IPv4 address in their last 32 bits (RFC 6052, RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

Failure = Literal[
    "url", "credentials", "private", "unknown_host", "unreachable", "status", "too_big",
    "redirects", "timeout",
]  # fmt: skip
Resolver = Callable[[str, int], Sequence[str]]
Connector = Callable[[tuple[str, int], float], socket.socket]


class FetchError(Exception):
    """Why a fetch failed. `kind` says which way, so each caller can word it for its users.

    Attributes:
        kind: One of the `Failure` names.
        reason: A short phrase ("connection refused", "HTTP 404"); also `str()` of the error.
        status: The HTTP status for kind "status", else 0.

    The message never holds the URL (feed URLs carry secrets in their paths).
    """

    def __init__(self, kind: Failure, reason: str, *, status: int = 0) -> None:
        super().__init__(reason)
        self.kind: Failure = kind
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class FetchLimits:
    """How much and how long a fetch may take, and whether private addresses are allowed.

    `timeout` is the total in seconds for the whole fetch, not a per-read timeout.
    """

    max_bytes: int
    timeout: float = DEFAULT_TIMEOUT_S
    allow_private: bool = False
    max_redirects: int = DEFAULT_MAX_REDIRECTS


@dataclass(frozen=True)
class Fetched:
    """A successful fetch: the final URL (after redirects), its media type and its body."""

    url: str
    content_type: str
    body: bytes


class Body(Protocol):
    """A response body that can be read in pieces and says its declared length."""

    def read(self, amt: int, /) -> bytes:
        """At most `amt` bytes; b"" at the end."""
        ...

    def getheader(self, name: str) -> str | None:
        """A response header, or None."""
        ...


def read_capped(body: Body, max_bytes: int, *, too_big: Callable[[int], Exception]) -> bytes:
    """Read a whole body, refusing one larger than `max_bytes` as early as possible.

    A larger declared Content-Length is refused before the body is read; otherwise reading
    stops as soon as one byte more than the cap has arrived.

    Args:
        body: The response.
        max_bytes: The cap.
        too_big: Builds the error to raise from the size seen (declared, or read so far).
    """
    declared = (body.getheader("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big(int(declared))
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = body.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > max_bytes:
            raise too_big(total)
        parts.append(chunk)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(address: str) -> bool:
    """Whether an IP address is a public unicast one (an embedded IPv4 address is checked too)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    refused = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
    return ip.is_global and not (refused or ip.is_multicast or ip.is_unspecified)


def check_url(url: str) -> SplitResult:
    """The parts of an http(s) URL with a host and no user name or password.

    Raises:
        FetchError: kind "url" or "credentials".
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port out of range or not a number raises here
    except ValueError as err:
        raise _bad_url() from err
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise _bad_url()
    if parts.username or parts.password:
        raise FetchError("credentials", "the address must not contain a user name or password")
    return parts


def fetch(
    url: str,
    limits: FetchLimits,
    *,
    headers: Mapping[str, str] | None = None,
    resolver: Resolver = system_resolver,
    connect: Connector = socket.create_connection,
) -> Fetched:
    """GET a URL within the limits, following checked redirects.

    Args:
        url: An http(s) URL.
        limits: Size, total time, redirects, and whether private addresses are allowed.
        headers: Extra request headers (Accept, User-Agent).
        resolver: Resolves a host name once per hop (tests inject their own).
        connect: Opens a TCP connection to a checked (address, port) within a timeout.

    Raises:
        FetchError: a refused address, a network failure, the deadline, an HTTP status other
            than 200, too many redirects or a body over the cap.
    """
    deadline = time.monotonic() + limits.timeout
    request_headers = {"User-Agent": "learnbot", **(headers or {})}
    current = url.strip()
    for _ in range(limits.max_redirects + 1):
        parts = check_url(current)
        address = _checked_address(parts, limits, resolver)
        conn = _Pinned(parts, address, deadline, connect)
        status, location, fetched = _get(conn, parts, limits, request_headers)
        if status in REDIRECTS and location:
            current = urljoin(current, location)
            continue
        if status != 200 or fetched is None:
            raise FetchError("status", f"HTTP {status}", status=status)
        return Fetched(current, fetched[0], fetched[1])
    raise FetchError("redirects", "too many redirects")


def post(
    url: str,
    body: bytes,
    limits: FetchLimits,
    *,
    headers: Mapping[str, str] | None = None,
    resolver: Resolver = system_resolver,
    connect: Connector = socket.create_connection,
) -> int:
    """POST a body to a URL within the limits (no redirects followed); returns the status.

    The host is resolved once and checked like a fetch's, the connection goes to the checked
    address, the whole exchange has one deadline, and the answer's body is read up to the
    cap and dropped.

    Raises:
        FetchError: a refused address, a network failure, the deadline or a body over the cap.
    """
    deadline = time.monotonic() + limits.timeout
    parts = check_url(url.strip())
    address = _checked_address(parts, limits, resolver)
    conn = _Pinned(parts, address, deadline, connect)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = {"User-Agent": "learnbot", **(headers or {})}
    try:
        conn.request("POST", path, body=body, headers=request_headers)
        with conn.getresponse() as response:
            read_capped(response, limits.max_bytes, too_big=lambda _: _too_big(limits))
            return int(response.status)
    except TimeoutError as err:
        raise FetchError("timeout", "timed out") from err
    except (OSError, http.client.HTTPException) as err:
        raise FetchError("unreachable", _reason(err)) from err
    finally:
        conn.close()


def _bad_url() -> FetchError:
    return FetchError("url", "the address must start with https:// (or http://) and name a host")


def _checked_address(parts: SplitResult, limits: FetchLimits, resolver: Resolver) -> str:
    host = parts.hostname or ""
    try:
        addresses = list(resolver(host, _port(parts)))
    except (OSError, UnicodeError) as err:
        raise FetchError("unknown_host", "unknown host") from err
    if not addresses:
        raise FetchError("unknown_host", "unknown host")
    if not limits.allow_private:
        for address in addresses:
            if not is_public(address):
                raise FetchError("private", "the address points to a private or local network")
    return addresses[0]


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _get(
    conn: _Pinned, parts: SplitResult, limits: FetchLimits, headers: Mapping[str, str]
) -> tuple[int, str, tuple[str, bytes] | None]:
    """One request: (status, Location, (media type, body) for a 200)."""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("GET", path, headers=dict(headers))
        with conn.getresponse() as response:
            if response.status != 200:
                return response.status, response.getheader("Location", "") or "", None
            body = read_capped(response, limits.max_bytes, too_big=lambda _: _too_big(limits))
            return 200, "", (response.msg.get_content_type().lower(), body)
    except TimeoutError as err:
        raise FetchError("timeout", "timed out") from err
    except (OSError, http.client.HTTPException) as err:
        raise FetchError("unreachable", _reason(err)) from err
    finally:
        conn.close()


def _too_big(limits: FetchLimits) -> FetchError:
    return FetchError("too_big", f"larger than {limits.max_bytes} bytes")


def _reason(err: BaseException) -> str:
    if isinstance(err, ssl.SSLError | ssl.CertificateError):
        return "its certificate could not be verified"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    return type(err).__name__


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the fetch deadline passed")
    return left


class _Pinned(http.client.HTTPConnection):
    """HTTP(S) to a checked address; Host, SNI and the certificate check use the name."""

    def __init__(
        self, parts: SplitResult, address: str, deadline: float, connect: Connector
    ) -> None:
        # No timeout here: every wait of the connection is bounded by the deadline instead.
        super().__init__(parts.hostname or "", _port(parts))
        self._address = address
        self._deadline = deadline
        self._connect = connect
        secure = parts.scheme.lower() == "https"
        self._tls = ssl.create_default_context() if secure else None

    def connect(self) -> None:
        sock = self._connect((self._address, self.port), _left(self._deadline))
        try:
            if self._tls is not None:
                sock.settimeout(_left(self._deadline))
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = _DeadlineSocket(sock, self._deadline)


class _DeadlineSocket:
    """A connected socket whose every send and receive waits at most until the deadline.

    A per-read timeout alone lets a server that sends a byte every few seconds keep a fetch
    alive for ever; here each wait gets only the time left of the whole fetch. Like a real
    socket, it stays open until the connection and every file made from it are closed
    (http.client hands the socket to the response before it reads the body).
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._files = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(_left(self._deadline))
        self._sock.sendall(data)

    def recv_into(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(_left(self._deadline))
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str) -> io.BufferedReader:
        self._files += 1
        return io.BufferedReader(_Reader(self))

    def file_closed(self) -> None:
        self._files -= 1
        self._close_when_unused()

    def close(self) -> None:
        self._closed = True
        self._close_when_unused()

    def _close_when_unused(self) -> None:
        if self._closed and self._files <= 0:
            self._sock.close()


class _Reader(io.RawIOBase):
    """The raw stream under a response's buffered reader."""

    def __init__(self, sock: _DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.file_closed()
        super().close()
