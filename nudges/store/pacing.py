"""Send pacing shared by every worker: token buckets in PostgreSQL or in Redis.

Both time buckets by the store's clock (PostgreSQL's `clock_timestamp()`, Redis's `TIME`),
never a worker's, and both update a bucket atomically: a row lock in PostgreSQL, a Lua script
in Redis. A 429's Retry-After is written to the bucket, so every worker holds back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

from nudges.pacing import DEFAULT_RATES, Bucket, Pacer, Rate, penalty, take
from nudges.store.job_leases import now_sql

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)
IDLE_TTL_S = 86_400  # a bucket untouched for a day is full again, so it may go


class RedisUnavailable(Exception):
    """The Redis server could not be reached."""


class DbPacer:
    """Token buckets as rows of `pace_buckets` (one per key), for PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        rates: dict[str, Rate] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._rates = DEFAULT_RATES if rates is None else rates
        self.clock = clock

    def reserve(self, platform: str, key: str) -> float:
        """Take a token for `key` now, or return the seconds until one is free (taking none)."""
        rate = self._rates.get(platform)
        if rate is None:
            return 0.0
        return self._update(key, rate, lambda old, now: take(old, rate, now))

    def penalise(self, platform: str, key: str, seconds: float) -> None:
        """A 429: no worker sends to `key` for `seconds`."""
        rate = self._rates.get(platform)
        if rate is not None:
            self._update(key, rate, lambda old, now: (penalty(old, now, seconds), 0.0))

    def _update(
        self, key: str, rate: Rate, step: Callable[[Bucket, float], tuple[Bucket, float]]
    ) -> float:
        lock = " FOR UPDATE" if self._engine.dialect.name == "postgresql" else ""
        with self._engine.begin() as conn:
            now = float(conn.execute(text(f"SELECT {now_sql(self._engine)}")).scalar_one())
            conn.execute(
                text(
                    "INSERT INTO pace_buckets (key, tokens, at, not_before) "
                    "VALUES (:k, :burst, :now, 0) ON CONFLICT (key) DO NOTHING"
                ),
                {"k": key, "burst": rate.burst, "now": now},
            )
            row = conn.execute(
                text(f"SELECT tokens, at, not_before FROM pace_buckets WHERE key = :k{lock}"),
                {"k": key},
            ).one()
            new, wait = step(Bucket(row.tokens, row.at, row.not_before), now)
            conn.execute(
                text(
                    "UPDATE pace_buckets SET tokens = :t, at = :a, not_before = :n WHERE key = :k"
                ),
                {"t": new.tokens, "a": new.at, "n": new.not_before, "k": key},
            )
        return wait

    def prune(self) -> int:
        """Delete buckets idle for a day (they would be full again); returns how many."""
        now = now_sql(self._engine)
        with self._engine.begin() as conn:
            done = conn.execute(
                text(f"DELETE FROM pace_buckets WHERE at < {now} - :idle AND not_before < {now}"),
                {"idle": IDLE_TTL_S},
            )
        return int(done.rowcount)


# KEYS[1] bucket; ARGV: mode ("take" | "penalise"), per_second, burst, seconds, idle ttl.
# The same arithmetic as nudges.pacing.take / penalty, on Redis's own clock.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'nb')
local tokens, at, nb = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
if tokens == nil then tokens, at, nb = burst, now, 0 end
local wait = 0
if ARGV[1] == 'penalise' then
  nb = math.max(now + tonumber(ARGV[4]), nb)
  tokens, at = 0, nb
elseif now < nb then
  return tostring(nb - now + math.max(0, 1 - tokens) / rate)
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  at = now
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'nb', tostring(nb))
redis.call('EXPIRE', KEYS[1], math.ceil(math.max(0, nb - now)) + tonumber(ARGV[5]))
return tostring(wait)
"""


class RedisPacer:
    """Token buckets as Redis hashes, each updated by one Lua script (atomic on the server).

    While Redis cannot be reached, this process paces on its own (in memory), as without
    REDIS_URL on SQLite, rather than stop delivering.
    """

    def __init__(
        self,
        client: Redis,
        rates: dict[str, Rate] | None = None,
        *,
        prefix: str = "learnbot:pace:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._rates = DEFAULT_RATES if rates is None else rates
        self._prefix = prefix
        self._script: Any = client.register_script(_SCRIPT)
        self.clock = clock
        self._local = Pacer(self._rates, clock=clock)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisPacer:
        """A pacer on the Redis server at `url` (redis:// or rediss://)."""
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5.0), **kwargs)

    def reserve(self, platform: str, key: str) -> float:
        """Take a token for `key` now, or return the seconds until one is free (taking none)."""
        rate = self._rates.get(platform)
        if rate is None:
            return 0.0
        try:
            return self._run(key, "take", rate, 0.0)
        except RedisUnavailable as err:
            log.warning("Redis unreachable (%s): pacing in this process only", type(err).__name__)
            return self._local.reserve(platform, key)

    def penalise(self, platform: str, key: str, seconds: float) -> None:
        """A 429: no worker sends to `key` for `seconds`."""
        rate = self._rates.get(platform)
        if rate is not None:
            try:
                self._run(key, "penalise", rate, seconds)
            except RedisUnavailable:
                self._local.penalise(platform, key, seconds)

    def _run(self, key: str, mode: str, rate: Rate, seconds: float) -> float:
        import redis

        args = [mode, rate.per_second, rate.burst, seconds, IDLE_TTL_S]
        try:
            return float(self._script(keys=[self._prefix + key], args=args))
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise RedisUnavailable(str(err)) from err
