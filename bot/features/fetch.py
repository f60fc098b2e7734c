"""Fetching a document from a URL for `/learn admin upload`: http(s) only, bounded, public only.

Private, loopback and link-local addresses are refused (every redirect is checked again)
unless LEARNBOT_FETCH_ALLOW_PRIVATE is set, which tests and closed networks use.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from bot.core import messages as msg
from bot.core.errors import UserError

MIME_SUFFIX = {
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/html": ".html",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".txt"})


@dataclass(frozen=True)
class Fetched:
    """A downloaded document: a file name with a supported suffix, and its bytes."""

    name: str
    data: bytes


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse anything but http(s) URLs whose host resolves to public addresses.

    Raises:
        UserError: a bad scheme, no host, an unresolvable host or a private address.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UserError(msg.FETCH_BAD_URL.format(url=url[:200]))
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise UserError(msg.FETCH_UNREACHABLE.format(url=url[:200], reason="unknown host")) from err
    if allow_private:
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]))
        if not address.is_global:
            raise UserError(msg.FETCH_PRIVATE.format(url=url[:200]))


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg_: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_url(newurl, allow_private=self._allow_private)
        return super().redirect_request(req, fp, code, msg_, headers, newurl)


def fetch(url: str, *, max_bytes: int, timeout: float, allow_private: bool) -> Fetched:
    """Download `url` (at most `max_bytes`, `timeout` seconds per read) as a supported document.

    Raises:
        UserError: the URL is refused, unreachable, too large or not a supported type.
    """
    check_url(url, allow_private=allow_private)
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"User-Agent": "learnbot"})
    try:
        with opener.open(request, timeout=timeout) as response:
            name = _name(response.geturl() or url, response)
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as err:
        raise UserError(
            msg.FETCH_UNREACHABLE.format(url=url[:200], reason=f"HTTP {err.code}")
        ) from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise UserError(
            msg.FETCH_UNREACHABLE.format(url=url[:200], reason=str(reason)[:100])
        ) from err
    if len(data) > max_bytes:
        raise UserError(msg.FETCH_TOO_BIG.format(url=url[:200], limit=max_bytes // (1024 * 1024)))
    return Fetched(name=name, data=data)


def _name(url: str, response: Any) -> str:
    """A file name for the document: the URL's own if its suffix is supported, else by type."""
    path = PurePosixPath(urlsplit(url).path)
    base = path.name or "document"
    if path.suffix.lower() in SUFFIXES:
        return base
    mime = (response.headers.get_content_type() or "").lower()
    suffix = MIME_SUFFIX.get(mime)
    if suffix is None:
        raise UserError(msg.FETCH_UNSUPPORTED.format(url=url[:200], mime=mime or "unknown"))
    return f"{path.stem or 'document'}{suffix}"
