"""Running nudges: `learnbot worker` in its own process, or inside `learnbot serve`.

The caller builds the core and hands its services over; this module runs what it is given.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable

from bot.context import Services
from nudges.leader import Leadership
from nudges.pacing import Pacer, PacerPort
from nudges.service import nudge_service
from nudges.shards import LeaseConfig, ShardedTick
from nudges.store.leases import LeaseStore
from nudges.store.pacing import DbPacer, RedisPacer

log = logging.getLogger(__name__)
PRUNE_PERIOD_S = 86_400.0


def start_in_process(services: Services) -> Callable[[], None]:
    """Start the scheduler (planning, delivery, leased jobs) in background threads.

    Args:
        services: The core's services, with the chat ports nudges are delivered through.

    Returns:
        A callable that stops it gracefully (running jobs finish; the lock is released).
    """
    from datetime import timedelta

    from nudges.delivery import DeliveryConfig
    from nudges.jobs import Job, JobRunner, default_jobs
    from nudges.scheduler import Intervals, NudgeScheduler

    settings = services.settings
    service = nudge_service(services)
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tick = ShardedTick(
        service,
        leases=LeaseStore(services.engine),
        worker_id=worker_id,
        config=LeaseConfig(
            shards=settings.nudge_shards,
            ttl=settings.nudge_lease_seconds,
            hold=settings.nudge_tick_seconds * 0.9,
        ),
    )
    pacer = shared_pacer(services)
    delivery = service.delivery(
        worker_id=worker_id,
        config=DeliveryConfig(
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            pause_after_send=settings.test_pause_after_send,
        ),
        pacer=pacer,
    )
    jobs = default_jobs(services)
    if isinstance(pacer, DbPacer):
        jobs.append(Job("pace-prune", PRUNE_PERIOD_S, pacer.prune))
    runner = JobRunner(services.engine, jobs, holder=delivery.worker_id)
    scheduler = NudgeScheduler(
        service,
        delivery=delivery,
        leadership=Leadership(services.engine),
        intervals=Intervals(
            plan=settings.nudge_tick_seconds, deliver=settings.delivery_poll_seconds
        ),
        tick=tick,
        jobs=runner,
    )
    scheduler.start()
    return scheduler.stop


def shared_pacer(services: Services) -> PacerPort:
    """Where send budgets live: Redis with REDIS_URL, else PostgreSQL, else this process.

    SQLite means one process, so its buckets stay in memory as before.
    """
    if services.settings.redis_url:
        return RedisPacer.from_url(services.settings.redis_url)
    if services.engine.dialect.name == "postgresql":
        return DbPacer(services.engine)
    return Pacer(clock=time.monotonic)


def run_worker(services: Services, *, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM, SIGINT (Ctrl-C) or `stop` is set, then shut down gracefully."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    shutdown = start_in_process(services)
    log.info("nudge worker started")
    try:
        stop.wait()
    finally:
        shutdown()
        log.info("nudge worker stopped")
