"""Fetching a subscribed calendar feed: http(s) only, size and time limits, no private hosts.

The host name is resolved once, every address is checked, and the connection goes to the
checked address (so a DNS answer cannot switch to an internal host between check and use).
Redirects are followed by hand, a few at most, each checked the same way.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
TIMEOUT_S = 10.0
_CHUNK = 64 * 1024


class FetchError(ValueError):
    """The feed could not be fetched; the message is safe to show (it never holds the URL)."""


@dataclass(frozen=True)
class FetchLimits:
    """How much and how long a fetch may take, and whether private addresses are allowed."""

    max_bytes: int
    timeout: float = TIMEOUT_S
    allow_private: bool = False


def normalise_url(url: str) -> str:
    """Check a feed URL and return it (webcal:// is the https feed it stands for).

    Raises:
        FetchError: for anything but an http(s) URL with a host.
    """
    # Slack wraps links as <https://...> or <https://...|label>.
    url = url.strip().strip("<>").split("|", 1)[0]
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"webcal", "webcals"}:
        url = "https" + url[len(parts.scheme) :]
        parts = urlsplit(url)
        scheme = "https"
    if scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError("A calendar address must start with https:// (or http://).")
    if parts.username or parts.password:
        raise FetchError("A calendar address must not contain a user name or password.")
    return url


def fetch(url: str, limits: FetchLimits) -> bytes:
    """Download a feed within the limits.

    Raises:
        FetchError: refused address, network failure, timeout, HTTP error or too large.
    """
    deadline = time.monotonic() + limits.timeout
    current = normalise_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get(current, limits, deadline)
        if status in {301, 302, 303, 307, 308} and location:
            current = normalise_url(urljoin(current, location))
            continue
        if status != 200:
            raise FetchError(f"The calendar server answered HTTP {status}.")
        return body
    raise FetchError("The calendar address redirects too many times.")


def _get(url: str, limits: FetchLimits, deadline: float) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(host, port, allow_private=limits.allow_private)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn = _connection(parts.scheme, host, address, port, _remaining(deadline))
    try:
        conn.request("GET", path, headers=_headers(host, parts.port))
        response = conn.getresponse()
        location = response.getheader("Location", "") or ""
        if response.status != 200:
            return response.status, location, b""
        return 200, "", _read(response, limits.max_bytes, deadline)
    except (OSError, http.client.HTTPException) as err:
        raise FetchError(f"The calendar server could not be reached ({_reason(err)}).") from err
    finally:
        conn.close()


def _headers(host: str, port: int | None) -> dict[str, str]:
    return {
        "Host": host if port is None else f"{host}:{port}",
        "Accept": "text/calendar, */*;q=0.1",
        "User-Agent": "learnbot-calendar/1",
    }


def _read(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(max_bytes))
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("The calendar server took too long to answer.")
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(_too_large(max_bytes))
        chunks.append(chunk)


def _too_large(max_bytes: int) -> str:
    return f"The calendar is larger than {max_bytes / 1_048_576:.0f} MB, which is my limit."


def _checked_address(host: str, port: int, *, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise FetchError("The calendar server's name could not be found.") from err
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError("The calendar server's name could not be found.")
    if not allow_private:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise FetchError(
                    "That calendar address points to a private or local network, "
                    "which I am not allowed to fetch from."
                )
    return addresses[0]


def _connection(
    scheme: str, host: str, address: str, port: int, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPS(host, address, port, timeout)
    return http.client.HTTPConnection(address, port, timeout=timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address while verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("The calendar server took too long to answer.")
    return left


def _reason(err: BaseException) -> str:
    if isinstance(err, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(err, ssl.SSLError):
        return "its certificate could not be verified"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    return type(err).__name__
