"""Running nudges: `learnbot worker` in its own process, or inside `learnbot serve`.

The caller builds the core and hands its services over; this module runs what it is given.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable

from bot.context import Services
from nudges.leader import Leadership
from nudges.service import nudge_service
from nudges.shards import LeaseConfig, ShardedTick
from nudges.store.leases import LeaseStore

log = logging.getLogger(__name__)


def start_in_process(services: Services) -> Callable[[], None]:
    """Start the scheduler (planning, delivery, calendar refreshes) in background threads.

    Args:
        services: The core's services, with the chat ports nudges are delivered through.

    Returns:
        A callable that stops it gracefully (running jobs finish; the lock is released).
    """
    from datetime import timedelta

    from nudges.delivery import DeliveryConfig
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
    scheduler = NudgeScheduler(
        service,
        delivery=service.delivery(
            worker_id=worker_id,
            config=DeliveryConfig(
                lease=timedelta(seconds=settings.delivery_lease_seconds),
                pause_after_send=settings.test_pause_after_send,
            ),
        ),
        leadership=Leadership(services.engine),
        intervals=Intervals(
            plan=settings.nudge_tick_seconds, deliver=settings.delivery_poll_seconds
        ),
        tick=tick,
    )
    scheduler.start()
    return scheduler.stop


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
