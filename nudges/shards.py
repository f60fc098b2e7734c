"""The planning tick split into shards by learner hash, each planned under a database lease.

Every worker runs the same tick: it claims any shard whose lease has run out, plans that
shard's learners chunk by chunk (extending the lease after each chunk), and marks it planned
until the next tick is due; then it claims the next free shard. Two workers ticking together
split the shards between them; a worker killed mid-shard leaves a lease that runs out after
`ttl` seconds, and the next worker to tick takes the shard over. Lease times come from the
database's clock, so a worker whose own clock is off does not change who holds what.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from nudges.service import CHUNK, NudgeService, PlanPass
from nudges.store.leases import LeaseStore

log = logging.getLogger(__name__)


def shard_of(learner_id: str, shards: int) -> int:
    """The learner's shard: a stable hash of the id (the same in every process)."""
    digest = hashlib.blake2b(learner_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass(frozen=True)
class LeaseConfig:
    """How the tick is split and how long a worker holds a shard.

    Attributes:
        shards: Shards the learners are split into (1: one worker plans everyone per tick).
        ttl: Seconds a claim lasts without being extended (a killed worker's shard is free
            again after this long).
        hold: Seconds after its claim that a planned shard stays taken (about the tick's
            interval, so the next tick plans it again and no worker plans it twice per tick).
    """

    shards: int = 1
    ttl: float = 120.0
    hold: float = 270.0


@dataclass
class TickReport:
    """What one worker's tick did."""

    shards: list[int] = field(default_factory=list)
    planned: int = 0
    failed: int = 0
    lost: list[int] = field(default_factory=list)

    @property
    def plan_pass(self) -> PlanPass:
        """The learners planned and failed, as `NudgeService.replan_all` reports them."""
        return PlanPass(planned=self.planned, failed=self.failed)


class ShardedTick:
    """One worker's share of the planning tick."""

    def __init__(
        self,
        service: NudgeService,
        *,
        leases: LeaseStore,
        worker_id: str,
        config: LeaseConfig,
        chunk: int = CHUNK,
    ) -> None:
        self.service = service
        self.leases = leases
        self.worker_id = worker_id
        self.config = config
        self.chunk = chunk

    def split(self, learner_ids: Sequence[str]) -> list[list[str]]:
        """Learner ids per shard, in their given order."""
        parts: list[list[str]] = [[] for _ in range(self.config.shards)]
        for learner_id in learner_ids:
            parts[shard_of(learner_id, self.config.shards)].append(learner_id)
        return parts

    def claim_next(self, *, skip: Collection[int] = ()) -> int | None:
        """Claim the first shard (not in `skip`) whose lease ran out; None when every shard
        is taken."""
        offset = shard_of(self.worker_id, self.config.shards)
        for n in range(self.config.shards):
            shard = (offset + n) % self.config.shards
            if shard in skip:
                continue
            if self.leases.claim(shard, holder=self.worker_id, ttl=self.config.ttl):
                return shard
        return None

    def run(self, *, now: Callable[[], datetime], stop: Callable[[], bool] = bool) -> TickReport:
        """Plan every shard this worker can claim, one after another, until none is free.

        Args:
            now: The clock planning reads (the learners' `now`, not the leases' time).
            stop: Checked between chunks; when true the worker gives its shard back.
        """
        parts = self.split(self.service.services.learners.all_ids())
        report = TickReport()
        # A shard planned in this run is not claimed again by it, even if planning it took
        # longer than `hold` and its lease has already run out.
        while not stop() and (shard := self.claim_next(skip=report.shards)) is not None:
            self.plan_shard(shard, parts[shard], now=now(), stop=stop, report=report)
        return report

    def plan_shard(
        self,
        shard: int,
        ids: Sequence[str],
        *,
        now: datetime,
        stop: Callable[[], bool] = bool,
        report: TickReport | None = None,
    ) -> TickReport:
        """Plan a shard this worker has claimed, chunk by chunk, extending its lease; then
        mark it planned (or give it back when `stop` is set, or note it lost)."""
        report = report if report is not None else TickReport()
        report.shards.append(shard)
        if not self._plan(shard, ids, now=now, stop=stop, report=report):
            report.lost.append(shard)
        return report

    def _plan(
        self,
        shard: int,
        ids: Sequence[str],
        *,
        now: datetime,
        stop: Callable[[], bool],
        report: TickReport,
    ) -> bool:
        cfg, me = self.config, self.worker_id
        for start in range(0, len(ids), self.chunk):
            done = self.service.replan_learners(ids[start : start + self.chunk], now=now)
            report.planned += done.planned
            report.failed += done.failed
            if stop():
                self.leases.release(shard, holder=me)
                return True
            if not self.leases.extend(shard, holder=me, ttl=cfg.ttl):
                log.warning("lost the lease of nudge shard %d; another worker plans it", shard)
                return False
        self.leases.finish(shard, holder=me, hold=cfg.hold)
        return True
