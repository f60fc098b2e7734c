"""Pacing sends to platform rate limits: a token bucket per Slack channel and per Teams tenant.

Slack allows about one message per second per channel (short bursts tolerated); the Bot
Framework connector about 50 requests per second per tenant. Buckets live in the worker's
memory, so each worker process paces its own sends; several workers share a platform's
budget, which is why a 429 is still handled as a retry with the platform's Retry-After.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.events import Identity


@dataclass(frozen=True)
class Rate:
    """`per_second` tokens refill continuously, up to `burst`."""

    per_second: float
    burst: float


# 95% of the documented rates, so that jitter between our clock and the platform's does not
# turn the last message of a second into a 429; and bursts small enough that burst + one
# second of refill stays under a limit counted over any sliding second.
DEFAULT_RATES = {
    "slack": Rate(per_second=0.95, burst=1.0),
    "teams": Rate(per_second=47.5, burst=2.0),
}


def pacing_key(identity: Identity, channel_id: str | None = None) -> str:
    """What a platform limits by: the channel on Slack, the tenant on Teams."""
    if identity.platform == "slack":
        return f"slack:{identity.workspace}:{channel_id or identity.user_id}"
    if identity.platform == "teams":
        return f"teams:{identity.workspace}"
    return f"{identity.platform}:{identity.user_id}"


class Pacer:
    """Token buckets by key; `reserve` says how long to wait before a send may go."""

    def __init__(self, rates: dict[str, Rate] | None = None, *, clock: Callable[[], float]) -> None:
        self._rates = DEFAULT_RATES if rates is None else rates
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def reserve(self, platform: str, key: str) -> float:
        """Take a token for `key` now, or return the seconds until one is free (taking none).

        Platforms without a rate (the terminal) never wait.
        """
        rate = self._rates.get(platform)
        if rate is None:
            return 0.0
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (rate.burst, now))
            tokens = min(rate.burst, tokens + (now - last) * rate.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate.per_second

    def penalise(self, platform: str, key: str, seconds: float) -> None:
        """The platform said 429: empty the bucket so nothing goes for `seconds`."""
        rate = self._rates.get(platform)
        if rate is None:
            return
        with self._lock:
            self._buckets[key] = (-seconds * rate.per_second, self.clock())
