"""Shared pacing: two pacers on one PostgreSQL or Redis draw on one budget and share 429s."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nudges.pacing import Pacer, PacerPort, Rate
from nudges.store.pacing import DbPacer, RedisPacer

REDIS_URL = "redis://127.0.0.1:6379/15"
RATES = {"slack": Rate(per_second=20.0, burst=2.0)}
MakePacer = Callable[[], PacerPort]


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
def make_pacer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakePacer]:
    """Builds pacers that share one store (each with its own connection pool)."""
    if request.param == "postgres":
        from bot.app import build_app
        from bot.settings import Settings

        url = request.getfixturevalue("pg_schema_url")
        settings = Settings(LEARNBOT_HOME=tmp_path / "h", DATABASE_URL=url, _env_file=None)
        build_app(settings).services.engine.dispose()  # migrates
        engines = []

        def db_pacer() -> PacerPort:
            from sqlalchemy import create_engine

            engines.append(create_engine(url))
            return DbPacer(engines[-1], RATES)

        yield db_pacer
        for engine in engines:
            engine.dispose()
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as err:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {type(err).__name__}")
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    yield lambda: RedisPacer(redis.Redis.from_url(REDIS_URL), RATES, prefix=prefix)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def _send_for(pacers: list[PacerPort], seconds: float) -> list[float]:
    """Every pacer sends to one channel as fast as it is allowed; returns the send times."""
    sent: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def loop(pacer: PacerPort) -> None:
        while time.monotonic() < end:
            wait = pacer.reserve("slack", "slack:T1:C1")
            if wait <= 0:
                with lock:
                    sent.append(time.monotonic())
            else:
                time.sleep(min(wait, 0.05))

    threads = [threading.Thread(target=loop, args=(p,)) for p in pacers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(sent)


def _most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


def test_two_pacers_together_keep_to_one_budget(make_pacer: MakePacer) -> None:
    sent = _send_for([make_pacer(), make_pacer()], seconds=1.5)
    rate = RATES["slack"]
    assert len(sent) <= rate.burst + rate.per_second * 1.5 + 1
    assert len(sent) >= rate.per_second * 1.5 * 0.7, "the budget is used, not starved"
    # Local send times trail the store's clock by a little jitter: allow one send of it.
    assert _most_in_any_window(sent, 0.5) <= rate.burst + rate.per_second * 0.5 + 1


def test_pacers_in_memory_would_each_spend_the_whole_budget() -> None:
    sent = _send_for([Pacer(RATES, clock=time.monotonic) for _ in range(2)], seconds=1.0)
    assert len(sent) >= 2 * RATES["slack"].per_second * 0.9


def test_a_retry_after_seen_by_one_holds_back_the_other(make_pacer: MakePacer) -> None:
    first, second = make_pacer(), make_pacer()
    refill = 1 / RATES["slack"].per_second
    assert second.reserve("slack", "slack:T1:C2") == 0.0
    first.penalise("slack", "slack:T1:C2", 1.0)
    waits = [p.reserve("slack", "slack:T1:C2") for p in (second, first)]
    assert all(0.7 < w <= 1.0 + refill for w in waits), waits
    assert second.reserve("slack", "slack:T1:C9") == 0.0, "other channels are not held back"
    time.sleep(max(waits) + refill + 0.02)
    assert second.reserve("slack", "slack:T1:C2") == 0.0


def test_a_platform_without_a_rate_never_waits(make_pacer: MakePacer) -> None:
    pacer = make_pacer()
    assert all(pacer.reserve("terminal", "terminal:ana") == 0.0 for _ in range(50))


def test_the_worker_shares_budgets_where_several_processes_can_run(settings) -> None:
    from bot.app import build_app
    from nudges.worker import shared_pacer

    services = build_app(settings).services
    expected = DbPacer if settings.database_url.startswith("postgresql") else Pacer
    assert type(shared_pacer(services)) is expected
    with_redis = settings.model_copy(update={"redis_url": REDIS_URL})
    services.settings = with_redis
    assert type(shared_pacer(services)) is RedisPacer


def test_without_redis_a_worker_paces_on_its_own() -> None:
    import redis

    down = redis.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    pacer = RedisPacer(down, RATES)
    rate = RATES["slack"]
    waits = [pacer.reserve("slack", "slack:T1:C1") for _ in range(3)]
    assert waits[: int(rate.burst)] == [0.0] * int(rate.burst)
    assert waits[-1] == pytest.approx(1 / rate.per_second, rel=0.2)
    pacer.penalise("slack", "slack:T1:C1", 5.0)
    assert pacer.reserve("slack", "slack:T1:C1") > 4.9
