"""Downloads files users send the bot in Teams, streaming with a byte cap."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from bot.core import messages as msg
from bot.core.errors import UpstreamError, UserError
from bot.core.events import FileReader
from bot.features.fetch import read_capped

log = logging.getLogger(__name__)
TIMEOUT_S = 30.0
# Where Teams keeps files users send (SharePoint, OneDrive, Graph). Downloads go over https
# and only to these hosts (a leading dot: the host or any subdomain of it), or to the
# host of the activity's own service URL.
ALLOWED_DOWNLOAD_HOSTS = (
    ".sharepoint.com",
    ".sharepoint.us",
    ".sharepoint-df.com",
    "graph.microsoft.com",
    ".1drv.com",
    "onedrive.live.com",
)


def allowed_download(
    url: str, *, service_url: str = "", extra_hosts: frozenset[str] = frozenset()
) -> bool:
    """Whether learnbot may fetch a Teams `downloadUrl`.

    Args:
        url: The download URL from the activity.
        service_url: The activity's `serviceUrl`; its host is allowed too.
        extra_hosts: Hosts allowed over http or https (local test servers only).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if host in extra_hosts:
        return parts.scheme in ("https", "http")
    if parts.scheme != "https":
        return False
    service_host = (urlsplit(service_url).hostname or "").lower()
    if service_host and host == service_host:
        return True
    for allowed in ALLOWED_DOWNLOAD_HOSTS:
        if allowed.startswith("."):
            if host.endswith(allowed) or host == allowed[1:]:
                return True
        elif host == allowed:
            return True
    return False


def too_big(name: str, size: int, limit: int) -> UserError:
    """The error shown when a file is larger than the upload cap."""
    mb = 1024 * 1024
    return UserError(msg.TEAMS_FILE_TOO_BIG.format(name=name, size=size / mb, limit=limit / mb))


def file_reader(
    url: str,
    *,
    name: str = "file",
    service_url: str = "",
    extra_hosts: frozenset[str] = frozenset(),
) -> FileReader:
    """A `read(max_bytes)` for a Teams download URL (pre-authorized: no token is sent).

    The returned function refuses a URL off the allow-list (see `allowed_download`) without
    any request, refuses before reading the body when the server announces a larger
    `Content-Length`, and stops as soon as more than `max_bytes` arrived otherwise.

    Raises (from the returned function):
        UserError: the host is not allowed, or the file is larger than `max_bytes`.
        UpstreamError: the download failed.
    """

    def read(max_bytes: int) -> bytes:
        if urlsplit(url).scheme not in ("https", "http"):
            raise UserError(msg.TEAMS_FILE_UNREADABLE.format(name=name))
        if not allowed_download(url, service_url=service_url, extra_hosts=extra_hosts):
            log.warning("Teams file download refused: host not on the allow-list")
            raise UserError(msg.TEAMS_FILE_HOST_REFUSED.format(name=name))
        request = urllib.request.Request(url, headers={"User-Agent": "learnbot"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return read_capped(
                    response, max_bytes, too_big=lambda size: too_big(name, size, max_bytes)
                )
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
            log.warning("Teams file download failed: %s", type(err).__name__)
            raise UpstreamError(msg.TEAMS_FILE_UNREADABLE.format(name=name)) from err

    return read
