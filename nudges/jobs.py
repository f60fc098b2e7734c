"""Periodic jobs every worker offers and exactly one runs per period, under a database lease.

Each tick a worker tries to claim every job; a claim succeeds only when the job is due and
no live lease is held, both judged by the database's clock. The winner runs the job and
gives the lease back with the next due time; a worker that dies mid-run loses the lease when
it expires and the next worker to tick takes the job over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.context import Services
from bot.features.xapi import Forwarder
from nudges import calendars, gap_notices
from nudges.store import job_leases as leases

log = logging.getLogger(__name__)
CALENDAR_PERIOD_S = 900.0
RETRY_AFTER_FAILURE_S = 60.0


@dataclass(frozen=True)
class Job:
    """A named periodic job: `run` returns how many things it did.

    `lease` must exceed the longest run: past it, another worker may start the job too.
    """

    name: str
    period: float
    run: Callable[[], int]
    lease: float = 600.0


class JobRunner:
    """Claims and runs due jobs for one worker (`holder` names it in the lease rows)."""

    def __init__(self, engine: Engine, jobs: list[Job], *, holder: str) -> None:
        self._engine = engine
        self.jobs = jobs
        self.holder = holder

    def tick(self) -> dict[str, int]:
        """Run every job this worker could claim; returns what each of them did."""
        done: dict[str, int] = {}
        for job in self.jobs:
            if not leases.try_claim(self._engine, job.name, holder=self.holder, ttl=job.lease):
                continue
            count = self._run(job)
            if count is not None:
                done[job.name] = count
        return done

    def _run(self, job: Job) -> int | None:
        try:
            count = job.run()
        # One failing job (an LRS that is down) must not stop the others or the worker.
        except Exception as err:  # noqa: BLE001
            log.warning(
                "job %s failed: %s; retrying in %ds",
                job.name,
                type(err).__name__,
                RETRY_AFTER_FAILURE_S,
            )
            leases.finish(
                self._engine, job.name, holder=self.holder, next_in=RETRY_AFTER_FAILURE_S, ran=False
            )
            return None
        if not leases.finish(
            self._engine, job.name, holder=self.holder, next_in=job.period, ran=True
        ):
            log.warning("job %s overran its %ds lease", job.name, job.lease)
        return count


def default_jobs(services: Services) -> list[Job]:
    """Calendar feeds and file expiry always; gap notices with a content library; LRS
    forwarding when LRS_URL is set."""
    clock = services.clock

    def refresh_calendars() -> int:
        now = clock.now()
        return calendars.refresh_due(services, now=now) + calendars.expire_files(services, now=now)

    jobs = [Job("calendars", CALENDAR_PERIOD_S, refresh_calendars)]
    if services.library is not None:

        def notify_gaps() -> int:
            return gap_notices.run(services, now=clock.now())

        jobs.append(Job("gap-notices", gap_notices.PERIOD_S, notify_gaps))
    settings = services.settings
    if settings.lrs_url:
        forwarder = Forwarder(services.xapi, settings)
        period = settings.lrs_forward_seconds

        def forward() -> int:
            return forwarder.forward(now=clock.now(), retries=2)

        jobs.append(Job("lrs-forward", period, forward))
    return jobs
