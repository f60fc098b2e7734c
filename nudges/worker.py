"""Running nudges: `learnbot worker` in its own process, or inside `learnbot serve`."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from nudges.leader import Leadership
from nudges.service import nudge_service

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def start_in_process(core: App) -> Callable[[], None]:
    """Start the scheduler (planning, delivery, calendar refreshes) in background threads.

    Returns:
        A callable that stops it gracefully (running jobs finish; the lock is released).
    """
    from nudges.scheduler import Intervals, NudgeScheduler

    settings = core.settings
    service = nudge_service(core.services)
    scheduler = NudgeScheduler(
        service,
        delivery=service.delivery(),
        leadership=Leadership(core.services.engine),
        intervals=Intervals(
            plan=settings.nudge_tick_seconds, deliver=settings.delivery_poll_seconds
        ),
    )
    scheduler.start()
    return scheduler.stop


def run_worker(core: App, *, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM, SIGINT (Ctrl-C) or `stop` is set, then shut down gracefully."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    shutdown = start_in_process(core)
    log.info("nudge worker started")
    try:
        stop.wait()
    finally:
        shutdown()
        log.info("nudge worker stopped")
