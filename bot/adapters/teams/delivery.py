"""Sending to the Bot Connector with learnbot's retry policy (the SDK never retries 429).

The connector client's own retries are switched off where learnbot sends (`no_sdk_retries`),
so one policy decides: 403/404 mean the recipient is gone (never retried); 429, 412, 408 and
5xx are retried with exponential backoff and full jitter, honouring `Retry-After`.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError
from urllib3 import Retry

from bot.core.ports import DeliveryFailed, RecipientGone

log = logging.getLogger(__name__)
T = TypeVar("T")
GONE = frozenset({403, 404})
RETRYABLE = frozenset({408, 412, 429, 500, 502, 503, 504})
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a send.

    Attributes:
        attempts: Tries in total (the first one included).
        base_delay: Backoff before the second try, in seconds; doubles each time.
        max_delay: Cap of one backoff.
        max_retry_after: A longer `Retry-After` is not waited for: the send fails as
            retryable with that delay, for the caller's queue to honour.
        sleep: The async sleep (tests pass one that records instead of waiting).
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    sleep: Sleep = field(default=asyncio.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random delay up to base * 2**attempt (capped)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a connector error, if it has one."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def retry_after(error: BaseException, *, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if present."""
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(raw)).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


async def deliver(send: Callable[[], Awaitable[T]], policy: RetryPolicy, *, what: str) -> T:
    """Run `send` under the retry policy.

    Raises:
        RecipientGone: on 403 or 404 (at once).
        DeliveryFailed: retryable after the last attempt or a long Retry-After; not
            retryable for other client errors (400, 401, 413, ...).
    """
    for attempt in range(policy.attempts):
        try:
            return await send()
        except HttpOperationError as err:
            status = status_of(err)
            if status in GONE:
                raise RecipientGone(f"Teams answered {status} for {what}") from err
            if status not in RETRYABLE:
                raise DeliveryFailed(
                    f"Teams answered {status} for {what}", retryable=False
                ) from err
            wait = retry_after(err)
            reason = f"Teams answered {status} for {what}"
        except ClientRequestError as err:
            wait, reason = None, f"could not reach Teams for {what}: {type(err).__name__}"
        if wait is not None and wait > policy.max_retry_after:
            raise DeliveryFailed(reason, retryable=True, retry_after=wait)
        if attempt + 1 == policy.attempts:
            raise DeliveryFailed(reason, retryable=True, retry_after=wait)
        delay = wait + policy.backoff(0) if wait is not None else policy.backoff(attempt)
        log.info(
            "%s; retrying in %.2f s (attempt %d of %d)", reason, delay, attempt + 2, policy.attempts
        )
        await policy.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def no_sdk_retries(connector_client: Any) -> None:
    """Switch off the connector client's own retries, so `deliver` is the only policy.

    msrest retries 408 and 5xx (and 429 when it carries Retry-After) inside `requests`, and
    when its retries run out it raises an error without the status. With no retries and no
    status list, every response reaches `deliver` with its status and headers.
    """
    policy = getattr(getattr(connector_client, "config", None), "retry_policy", None)
    if policy is not None:
        policy.policy = Retry(
            total=0, status_forcelist=(), respect_retry_after_header=False, raise_on_status=False
        )
