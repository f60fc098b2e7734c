"""Slack Web API clients with retries, quiet logging, per-channel pacing and error mapping."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ports import DeliveryFailed, RecipientGone

# The SDKs log request and response bodies (tokens included) at DEBUG: their loggers stay
# at WARNING whatever LEARNBOT_LOG_LEVEL says.
SDK_LOGGER = "learnbot.slack.sdk"
RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_S = 15
GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "token_revoked",
        "not_authed",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "team_access_not_granted",
    }
)
T = TypeVar("T")
# Each retry kind, for the blocking and the asyncio client, with its retry count.
_RETRIES: tuple[tuple[type[RetryHandler], type[AsyncRetryHandler], int], ...] = (
    (ConnectionErrorRetryHandler, AsyncConnectionErrorRetryHandler, CONNECTION_RETRIES),
    (RateLimitErrorRetryHandler, AsyncRateLimitErrorRetryHandler, RATE_LIMIT_RETRIES),
    (ServerErrorRetryHandler, AsyncServerErrorRetryHandler, SERVER_ERROR_RETRIES),
)


def quiet_logger(name: str = SDK_LOGGER) -> logging.Logger:
    """A logger that never passes the SDKs' DEBUG/INFO lines (they include bodies)."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def api_base(url: str) -> str:
    """The Web API base URL with the trailing slash the SDK expects."""
    return url if url.endswith("/") else url + "/"


def client_options(base_url: str, *, asynchronous: bool) -> dict[str, Any]:
    """How every Slack Web API client is configured, blocking or asyncio.

    The base URL (SLACK_API_URL), a timeout, the quiet SDK logger, and retries: 429 after
    Retry-After (`RATE_LIMIT_RETRIES` times), 5xx (`SERVER_ERROR_RETRIES` times) and dropped
    connections (`CONNECTION_RETRIES` times).
    """
    retries: list[RetryHandler | AsyncRetryHandler] = [
        (on_async if asynchronous else on_sync)(max_retry_count=count)
        for on_sync, on_async, count in _RETRIES
    ]
    return {
        "base_url": api_base(base_url),
        "timeout": TIMEOUT_S,
        "logger": quiet_logger(),
        "retry_handlers": retries,
    }


def make_client(token: str | None, base_url: str) -> WebClient:
    """A blocking client (the chat port, users.info, files.info), as `client_options` says."""
    return WebClient(token=token, **client_options(base_url, asynchronous=False))


def make_async_client(token: str | None, base_url: str) -> AsyncWebClient:
    """The asyncio client bolt uses (auth.test, the OAuth exchange, Socket Mode)."""
    return AsyncWebClient(token=token, **client_options(base_url, asynchronous=True))


def _retry_after(err: SlackApiError) -> float | None:
    headers = getattr(err.response, "headers", None) or {}
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def delivery_error(err: Exception) -> DeliveryFailed:
    """The port error for an SDK failure (after the SDK's own retries were used up)."""
    if isinstance(err, SlackApiError):
        status = getattr(err.response, "status_code", 0) or 0
        code = str(err.response.get("error", "")) if err.response is not None else ""
        if status == 429 or code == "ratelimited":
            return DeliveryFailed(
                "slack: rate limited", retryable=True, retry_after=_retry_after(err)
            )
        if status >= 500:
            return DeliveryFailed(f"slack: server error {status}", retryable=True)
        if code in GONE_ERRORS:
            return RecipientGone(f"slack: {code}")
        return DeliveryFailed(f"slack: {code or status}", retryable=False)
    return DeliveryFailed(f"slack: {type(err).__name__}", retryable=True)


def call(fn: Callable[[], T]) -> T:
    """Run one Web API call, turning SDK and network errors into port errors."""
    try:
        return fn()
    except (SlackClientError, OSError, TimeoutError, ValueError) as err:
        raise delivery_error(err) from err


@dataclass
class Pacer:
    """Keeps posts to one channel near Slack's 1 message/second, allowing a short burst.

    A token bucket per channel: `burst` messages may go at once, then one per `interval`.
    """

    interval: float = 1.0
    burst: int = 3
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def delay(self, channel: str) -> float:
        """Reserve a slot for one message to `channel`; return how long to wait for it."""
        with self._lock:
            now = self.clock()
            earliest = now - (self.burst - 1) * self.interval
            slot = max(self._next.get(channel, earliest), earliest)
            self._next[channel] = slot + self.interval
            if len(self._next) > 10_000:
                self._forget(now)
            return max(0.0, slot - now)

    def wait(self, channel: str) -> None:
        """Block until a message to `channel` may go."""
        pause = self.delay(channel)
        if pause > 0:
            self.sleep(pause)

    def _forget(self, now: float) -> None:
        for key in [k for k, v in self._next.items() if v < now]:
            del self._next[key]


def response_data(response: Any) -> dict[str, Any]:
    """The JSON body of an SDK response as a dict."""
    data = getattr(response, "data", None)
    return data if isinstance(data, dict) else {}
