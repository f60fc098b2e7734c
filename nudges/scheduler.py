"""The scheduler: APScheduler 3 ticks planning, delivery and the leased periodic jobs.

This is the only module that imports apscheduler. It is infrastructure only: jobs carry no
data, and what to send is decided when a job fires, by the pure planner over what is in the
database. The job store is in memory on purpose: the plan itself lives in the outbox table,
so nothing is lost when the process stops, and no pickled job can run twice when two
replicas start (only the elected leader plans; every replica delivers; each periodic job,
calendar refreshes and LRS forwarding, runs in whichever worker claims its database lease).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from nudges.delivery import Delivery, DeliveryStats
from nudges.jobs import JobRunner
from nudges.leader import Leadership
from nudges.service import NudgeService, PlanPass
from nudges.shards import ShardedTick

log = logging.getLogger(__name__)
JOBS_CHECK_S = 60.0
MAX_BATCHES_PER_TICK = 100


@dataclass(frozen=True)
class Intervals:
    """Seconds between ticks."""

    plan: float = 300.0
    deliver: float = 5.0
    jobs: float = JOBS_CHECK_S


class NudgeScheduler:
    """Runs the planner (leader only), delivery and leased jobs in background threads."""

    def __init__(
        self,
        service: NudgeService,
        *,
        delivery: Delivery,
        leadership: Leadership,
        intervals: Intervals,
        tick: ShardedTick | None = None,
        jobs: JobRunner | None = None,
    ) -> None:
        self.service = service
        self.tick = tick
        self.delivery = delivery
        self.leadership = leadership
        self.intervals = intervals
        self.jobs = jobs
        self.stats = DeliveryStats()
        self._stopping = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self) -> None:
        """Start ticking now (the first plan and delivery run at once)."""
        now = datetime.now(UTC)
        add = self._scheduler.add_job
        add(self.plan_tick, "interval", seconds=self.intervals.plan, id="plan", next_run_time=now)
        add(
            self.deliver_tick,
            "interval",
            seconds=self.intervals.deliver,
            id="deliver",
            next_run_time=now,
        )
        if self.jobs is not None:
            add(
                self.jobs.tick,
                "interval",
                seconds=self.intervals.jobs,
                id="jobs",
                next_run_time=now,
            )
        self._scheduler.start()

    def stop(self) -> None:
        """Stop ticking, let running jobs finish, and give up leadership."""
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.leadership.release()

    def plan_tick(self) -> PlanPass:
        """Plan this worker's shards (under their leases), or, without a sharded tick, every
        learner if this process is the leader; returns what the pass did."""
        clock = self.service.services.clock
        if self.tick is not None:
            report = self.tick.run(now=clock.now, stop=self._stopping.is_set)
            if report.shards:
                log.info(
                    "planned nudge shards %s: %d learners, %d failed",
                    report.shards,
                    report.planned,
                    report.failed,
                )
            return report.plan_pass
        if not self.leadership.check():
            return PlanPass()
        return self.service.replan_all(now=clock.now())

    def deliver_tick(self) -> DeliveryStats:
        """Send what is due, batch after batch, until nothing is due or the process stops."""
        total = DeliveryStats()
        for _ in range(MAX_BATCHES_PER_TICK):
            if self._stopping.is_set():
                break
            stats = self.delivery.run_once()
            total.add(stats)
            if stats.claimed < self.delivery.config.batch:
                break
        self.stats.add(total)
        if total.claimed:
            log.info(
                "nudges: %d sent, %d retried, %d re-planned, %d deferred, %d dead",
                total.sent,
                total.retried,
                total.replanned,
                total.deferred,
                total.dead,
            )
        return total
