"""Web API clients per workspace, and the briefly cached `users.info` directory."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.web import WebClient

from bot.adapters.slack.inbound import user_info
from bot.adapters.slack.web import call, make_client, response_data
from bot.core.events import Identity, UserInfo
from bot.core.ports import DeliveryFailed, RecipientGone

log = logging.getLogger(__name__)
TokenLookup = Callable[[str], str | None]


class Clients:
    """Hands out a WebClient for a workspace: one bot token, or each installation's own.

    Args:
        base_url: The Web API base URL (SLACK_API_URL).
        token: The single workspace's bot token (SLACK_BOT_TOKEN), or None with OAuth.
        lookup: With OAuth, finds a workspace's bot token in the installation store.
        token_ttl: Seconds a looked-up token is reused before asking the store again.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None = None,
        lookup: TokenLookup | None = None,
        token_ttl: float = 300.0,
    ) -> None:
        self.base_url = base_url
        self._single = make_client(token, base_url) if token else None
        self._lookup = lookup
        self._ttl = token_ttl
        self._cache: dict[str, tuple[float, WebClient]] = {}
        self._lock = threading.Lock()

    @property
    def multi_workspace(self) -> bool:
        """Whether tokens come from installations (OAuth) rather than one setting."""
        return self._single is None

    def token(self, workspace: str) -> str:
        """The bot token for a workspace (for authenticated file downloads)."""
        token = self.for_workspace(workspace).token
        assert token is not None
        return token

    def for_workspace(self, workspace: str) -> WebClient:
        """A client holding the workspace's bot token.

        Raises:
            RecipientGone: when the workspace has no installation.
        """
        if self._single is not None:
            return self._single
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(workspace)
            if cached and cached[0] > now:
                return cached[1]
        token = self._lookup(workspace) if self._lookup else None
        if not token:
            raise RecipientGone(f"slack: workspace {workspace} is not installed")
        client = make_client(token, self.base_url)
        with self._lock:
            self._cache[workspace] = (now + self._ttl, client)
        return client

    def forget(self, workspace: str) -> None:
        """Drop a workspace's cached client (after an uninstall or token revocation)."""
        with self._lock:
            self._cache.pop(workspace, None)


class UserDirectory:
    """What Slack says about users (`users.info`), cached for a few minutes per user.

    A failed lookup gives an empty UserInfo: the message is still handled, just without the
    time zone or email.
    """

    def __init__(
        self,
        clients: Clients,
        *,
        ttl: float = 600.0,
        size: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._cache: OrderedDict[Identity, tuple[float, UserInfo]] = OrderedDict()
        self._lock = threading.Lock()

    def info(self, identity: Identity) -> UserInfo:
        """The user's profile facts (display name, email, time zone, guest/admin status)."""
        now = self._clock()
        with self._lock:
            hit = self._cache.get(identity)
            if hit and hit[0] > now:
                self._cache.move_to_end(identity)
                return hit[1]
        try:
            client = self._clients.for_workspace(identity.workspace)
            response = call(lambda: client.users_info(user=identity.user_id))
        except DeliveryFailed as err:
            log.warning("slack users.info failed for a user: %s", err)
            return UserInfo()
        user = response_data(response).get("user")
        info = user_info(user) if isinstance(user, dict) else UserInfo()
        self.remember(identity, info)
        return info

    def remember(self, identity: Identity, info: UserInfo) -> None:
        """Store fresh facts (from `users.info` or a `user_change` event)."""
        with self._lock:
            self._cache[identity] = (self._clock() + self._ttl, info)
            self._cache.move_to_end(identity)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def forget_workspace(self, workspace: str) -> None:
        """Drop every cached user of a workspace."""
        with self._lock:
            for key in [k for k in self._cache if k.workspace == workspace]:
                del self._cache[key]
