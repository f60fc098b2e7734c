"""Files shared with the bot: metadata from `files.info`, then a capped, host-checked download."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.adapters.slack.clients import Clients
from bot.adapters.slack.web import call, response_data
from bot.core import messages as msg
from bot.core.errors import UpstreamError, UserError
from bot.features.fetch import read_capped

SLACK_FILE_HOST = "files.slack.com"
TIMEOUT_S = 30


@dataclass(frozen=True)
class SlackFile:
    """What `files.info` says about a file."""

    id: str
    name: str
    size: int
    mime: str
    url: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the bot token must never follow a file URL to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class FileFetcher:
    """Reads file metadata and downloads file bytes with the workspace's bot token.

    Args:
        clients: Web API clients per workspace.
        extra_hosts: Hosts trusted besides files.slack.com (the SLACK_API_URL host, so a
            proxy or a test server can serve files too).
    """

    def __init__(self, clients: Clients, *, extra_hosts: frozenset[str] = frozenset()) -> None:
        self._clients = clients
        self._hosts = frozenset({SLACK_FILE_HOST}) | extra_hosts
        self._opener = urllib.request.build_opener(_NoRedirects)

    def info(self, workspace: str, file_id: str) -> SlackFile:
        """The file's name, size, type and private download URL."""
        client = self._clients.for_workspace(workspace)
        response = call(lambda: client.files_info(file=file_id))
        data = response_data(response).get("file")
        file = data if isinstance(data, dict) else {}
        size = file.get("size")
        return SlackFile(
            id=file_id,
            name=str(file.get("name") or file.get("title") or file_id)[:300],
            size=size if isinstance(size, int) and size >= 0 else -1,
            mime=str(file.get("mimetype") or ""),
            url=str(file.get("url_private_download") or file.get("url_private") or ""),
        )

    def trusted(self, url: str) -> bool:
        """Whether a download URL points at Slack's file host (or the configured API host)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        secure = parts.scheme == "https" or (parts.scheme == "http" and host != SLACK_FILE_HOST)
        return secure and host in self._hosts

    def download(self, workspace: str, file: SlackFile, max_bytes: int) -> bytes:
        """The file's bytes, reading at most `max_bytes`.

        Raises:
            UserError: the file is larger than max_bytes, or its URL is not a Slack host.
            UpstreamError: the download failed.
        """
        if not self.trusted(file.url):
            raise UserError(msg.UPLOAD_NOT_ON_SLACK)
        request = urllib.request.Request(
            file.url, headers={"Authorization": f"Bearer {self._clients.token(workspace)}"}
        )
        try:
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                return read_capped(response, max_bytes, too_big=lambda _: _too_big(max_bytes))
        except urllib.error.URLError as err:
            raise UpstreamError(msg.SLACK_DOWNLOAD_FAILED) from err


def _too_big(max_bytes: int) -> UserError:
    return UserError(msg.UPLOAD_READ_TOO_BIG.format(limit=max_bytes))
