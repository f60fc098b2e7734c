"""Pacing sends to platform rate limits: a token bucket per Slack channel and per Teams tenant.

Slack allows about one message per second per channel (short bursts tolerated); the Bot
Framework connector about 50 requests per second per tenant. `Pacer` keeps its buckets in the
process's memory (the default, and all SQLite needs); `nudges/store/pacing.py` keeps them in
PostgreSQL or Redis, so that every worker draws on one budget and a 429's Retry-After holds
back all of them. The bucket arithmetic (`take`, `penalty`) is shared by the memory and
PostgreSQL pacers; the Redis pacer runs the same steps in a Lua script.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

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


class PacerPort(Protocol):
    """What delivery needs from a pacer: `clock` is only for timing waits in this process."""

    clock: Callable[[], float]

    def reserve(self, platform: str, key: str) -> float:
        """Take a token for `key` now, or return the seconds until one is free (taking none)."""
        ...

    def penalise(self, platform: str, key: str, seconds: float) -> None:
        """The platform said 429 with Retry-After `seconds`: hold `key` back that long."""
        ...


@dataclass(frozen=True)
class Bucket:
    """A bucket's state: `tokens` as of `at`; nothing goes before `not_before`."""

    tokens: float
    at: float
    not_before: float = 0.0


def take(bucket: Bucket | None, rate: Rate, now: float) -> tuple[Bucket, float]:
    """Take a token at `now` if one is free; returns the new state and the wait (0 = go)."""
    if bucket is None:
        bucket = Bucket(rate.burst, now)
    if now < bucket.not_before:
        refill = max(0.0, 1.0 - bucket.tokens) / rate.per_second
        return bucket, bucket.not_before - now + refill
    tokens = min(rate.burst, bucket.tokens + max(0.0, now - bucket.at) * rate.per_second)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, now, bucket.not_before), 0.0
    return Bucket(tokens, now, bucket.not_before), (1.0 - tokens) / rate.per_second


def penalty(bucket: Bucket | None, now: float, seconds: float) -> Bucket:
    """After a 429: the bucket is empty `seconds` from now (or later, if an earlier 429 said so).

    So the next send goes one refill after the Retry-After, not on its edge.
    """
    until = max(now + seconds, bucket.not_before if bucket else 0.0)
    return Bucket(0.0, until, until)


class Pacer:
    """Token buckets by key in this process's memory; `reserve` says how long to wait."""

    def __init__(self, rates: dict[str, Rate] | None = None, *, clock: Callable[[], float]) -> None:
        self._rates = DEFAULT_RATES if rates is None else rates
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def reserve(self, platform: str, key: str) -> float:
        """Take a token for `key` now, or return the seconds until one is free (taking none).

        Platforms without a rate (the terminal) never wait.
        """
        rate = self._rates.get(platform)
        if rate is None:
            return 0.0
        with self._lock:
            bucket, wait = take(self._buckets.get(key), rate, self.clock())
            self._buckets[key] = bucket
            return wait

    def penalise(self, platform: str, key: str, seconds: float) -> None:
        """The platform said 429: nothing goes to `key` for `seconds`."""
        if platform not in self._rates:
            return
        with self._lock:
            self._buckets[key] = penalty(self._buckets.get(key), self.clock(), seconds)
