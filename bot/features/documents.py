"""Documents fetched from a URL for `/learn admin upload`, named so the library can parse them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.core import messages as msg
from bot.core.errors import UserError
from bot.features.fetch import FetchError, FetchLimits, fetch
from content_index import MEDIA_TYPES, SUPPORTED_FORMATS

# urllib's limit, which this command followed before it used the shared fetcher.
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Document:
    """A downloaded document: a file name with a supported suffix, and its bytes."""

    name: str
    data: bytes


def fetch_document(url: str, *, max_bytes: int, timeout: float, allow_private: bool) -> Document:
    """Download `url` (at most `max_bytes`, `timeout` seconds in all) as a supported document.

    Raises:
        UserError: the URL is refused, unreachable, too large or not a supported type.
    """
    shown = url[:200]
    limits = FetchLimits(
        max_bytes=max_bytes,
        timeout=timeout,
        allow_private=allow_private,
        max_redirects=MAX_REDIRECTS,
    )
    try:
        got = fetch(url, limits)
    except FetchError as err:
        raise UserError(_failed(err, url=shown, max_bytes=max_bytes)) from err
    return Document(name=_name(got.url, got.content_type), data=got.body)


def _failed(err: FetchError, *, url: str, max_bytes: int) -> str:
    if err.kind in {"url", "credentials"}:
        return msg.FETCH_BAD_URL.format(url=url)
    if err.kind == "private":
        return msg.FETCH_PRIVATE.format(url=url)
    if err.kind == "too_big":
        return msg.FETCH_TOO_BIG.format(url=url, limit=max_bytes // (1024 * 1024))
    return msg.FETCH_UNREACHABLE.format(url=url, reason=err.reason[:100])


def _name(url: str, content_type: str) -> str:
    """The URL's own file name if its suffix is supported, else one from the media type."""
    path = PurePosixPath(urlsplit(url).path)
    if path.suffix.lower() in SUPPORTED_FORMATS:
        return path.name
    suffix = MEDIA_TYPES.get(content_type)
    if suffix is None:
        mime = content_type or "unknown"
        raise UserError(msg.FETCH_UNSUPPORTED.format(url=url[:200], mime=mime))
    return f"{path.stem or 'document'}{suffix}"
