"""The durable outbox: planned nudges, claimed by delivery workers under a lease.

Each row is unique per (learner, kind, object, local date), so planning again and again never
makes a second nudge. Statuses:

- pending: planned, waiting for its time (the planner may still move or cancel it);
- claimed: a worker holds it until `claimed_until` (a crashed worker's rows come back);
- retry: the platform failed; tried again at `due_at`;
- replan: the worker declined to send it now (stale, quiet hours, caps, pause): the next
  planning pass gives it a new time or cancels it;
- sent, dead (gave up, or the recipient is gone), cancelled (no longer planned).

Before a worker calls the platform it records a send intent on its claimed row (an
idempotency key and the time): a row whose claim ran out with an intent left on it was
maybe sent. `nudges.delivery` settles such a row before anything else (README "Nudges").

This module holds the rows' value and the rules; `nudges.store.outbox` runs the SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.ports import Delivered
from nudges.planner import PlannedNudge, SentNudge

if TYPE_CHECKING:
    from nudges.store.outbox import OutboxStore

PENDING, CLAIMED, RETRY, REPLAN = "pending", "claimed", "retry", "replan"
SENT, DEAD, CANCELLED = "sent", "dead", "cancelled"
_OPEN = frozenset({PENDING, CLAIMED, RETRY, REPLAN})
# Kinds the planner never plans (notices queued by jobs): planning leaves their rows alone.
GAP_ANSWERED = "gap_answered"
UNPLANNED_KINDS = frozenset({GAP_ANSWERED})
FREEZE = timedelta(minutes=2)
STALE = timedelta(minutes=30)
HISTORY_DAYS = 35


@dataclass(frozen=True)
class Nudge:
    """One outbox row."""

    id: str
    learner_id: str
    kind: str
    object_id: str
    local_date: str
    module_id: str | None
    title: str
    reason: str
    minutes: int
    due_at: datetime
    status: str
    attempts: int
    claim_token: str | None
    sent_at: datetime | None
    platform: str | None
    message_id: str | None
    response: str | None
    intent_key: str | None = None
    intent_at: datetime | None = None
    resent: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, object id, local ISO date)."""
        return (self.kind, self.object_id, self.local_date)


def replaceable(row: Nudge, *, now: datetime, stale: timedelta = STALE) -> bool:
    """Whether planning may move or cancel this row (it is not sent, in flight or imminent)."""
    if row.status in {REPLAN, CANCELLED}:
        return True
    if row.status != PENDING:
        return False
    return row.due_at > now + FREEZE or row.due_at < now - stale


@dataclass(frozen=True)
class Notice:
    """A one-off message queued through the outbox by a job (not by the planner)."""

    learner_id: str
    kind: str
    object_id: str
    local_date: str
    module_id: str | None
    title: str
    reason: str


@dataclass(frozen=True)
class PlanChanges:
    """What applying a plan did."""

    inserted: int = 0
    moved: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class PlanEdits:
    """The row changes that make a learner's outbox match a plan.

    Attributes:
        insert: Planned nudges with no row yet.
        move: (row id, planned nudge) for open rows to reschedule or reopen.
        cancel: Ids of open rows the plan no longer holds.
    """

    insert: tuple[PlannedNudge, ...] = ()
    move: tuple[tuple[str, PlannedNudge], ...] = ()
    cancel: tuple[str, ...] = ()


def plan_edits(
    rows: Sequence[Nudge], plan: Sequence[PlannedNudge], *, now: datetime, stale: timedelta
) -> PlanEdits:
    """What applying `plan` changes in the learner's current rows.

    A planned nudge whose key is already sent or in flight is left alone; open rows the
    plan no longer holds are cancelled.
    """
    by_key = {r.key: r for r in rows if r.kind not in UNPLANNED_KINDS}
    wanted = set()
    inserts: list[PlannedNudge] = []
    moves: list[tuple[str, PlannedNudge]] = []
    for p in plan:
        wanted.add(p.key)
        row = by_key.get(p.key)
        if row is None:
            inserts.append(p)
        elif replaceable(row, now=now, stale=stale) and (
            row.status != PENDING or row.due_at != p.at
        ):
            moves.append((row.id, p))
    cancels = [
        row.id
        for key, row in by_key.items()
        if key not in wanted
        and row.status in {PENDING, REPLAN}
        and replaceable(row, now=now, stale=stale)
    ]
    return PlanEdits(tuple(inserts), tuple(moves), tuple(cancels))


class Outbox:
    """Outbox rows: applying plans, claiming under a lease, and recording what happened to
    each send (the rules here, the statements in `nudges.store.outbox.OutboxStore`)."""

    def __init__(self, store: OutboxStore, *, stale: timedelta = STALE) -> None:
        self._store = store
        self.stale = stale

    # Planning -------------------------------------------------------------------------------

    def history(self, learner_id: str, *, now: datetime) -> list[SentNudge]:
        """Nudges the planner must count: sent lately, in flight, retrying or imminent."""
        return self._history(self._rows(learner_id, since=now - timedelta(days=HISTORY_DAYS)), now)

    def _history(self, rows: Sequence[Nudge], now: datetime) -> list[SentNudge]:
        return [
            SentNudge(r.sent_at or r.due_at, r.kind, r.object_id)
            for r in rows
            if r.status in {SENT, CLAIMED, RETRY}
            or (r.status == PENDING and not replaceable(r, now=now, stale=self.stale))
        ]

    def apply_plan(
        self, learner_id: str, plan: Sequence[PlannedNudge], *, now: datetime
    ) -> PlanChanges:
        """Make the learner's open rows match a new plan, in one transaction (`plan_edits`)."""
        edits = self._store.edit_plan(
            learner_id,
            since=now - timedelta(days=2),
            now=now,
            decide=lambda rows: plan_edits(rows, plan, now=now, stale=self.stale),
        )
        return PlanChanges(len(edits.insert), len(edits.move), len(edits.cancel))

    def plan_many(
        self,
        learner_ids: Sequence[str],
        *,
        now: datetime,
        plan_for: Callable[[str, list[SentNudge]], Sequence[PlannedNudge] | None],
    ) -> dict[str, PlanChanges]:
        """`history` and `apply_plan` for many learners in one transaction of a few statements.

        `plan_for(learner id, history)` gives each learner's plan (None: leave their rows as
        they are, e.g. their planning failed). The rows read are those `history` reads; the
        edits look at the ones `apply_plan` would (due in the last two days, or open).
        """
        since = now - timedelta(days=2)

        def decide(rows: dict[str, list[Nudge]]) -> dict[str, PlanEdits]:
            edits = {}
            for learner_id, mine in rows.items():
                planned = plan_for(learner_id, self._history(mine, now))
                if planned is None:
                    continue
                current = [r for r in mine if r.due_at >= since or r.status in _OPEN]
                edits[learner_id] = plan_edits(current, planned, now=now, stale=self.stale)
            return edits

        done = self._store.edit_plans(
            learner_ids, since=now - timedelta(days=HISTORY_DAYS), now=now, decide=decide
        )
        return {i: PlanChanges(len(e.insert), len(e.move), len(e.cancel)) for i, e in done.items()}

    def _rows(self, learner_id: str, *, since: datetime) -> list[Nudge]:
        return self._store.rows(learner_id, since=since)

    def upcoming(self, learner_id: str, *, now: datetime) -> list[Nudge]:
        """The learner's open nudges from now on, earliest first."""
        return self._store.upcoming(learner_id, since=now - self.stale)

    def get(self, nudge_id: str) -> Nudge | None:
        """One row by id."""
        return self._store.get(nudge_id)

    # Notices ---------------------------------------------------------------------------------

    def add_notice(self, notice: Notice, *, now: datetime) -> bool:
        """Queue a notice the planner does not plan, due now; at most one row per learner,
        kind, object and date (False when it was queued before)."""
        return self._store.add(notice, now=now)

    def rearm_held(
        self, kind: str, *, now: datetime, opted_out: Callable[[str], bool]
    ) -> tuple[int, int]:
        """Notices of `kind` that delivery held back (quiet hours, caps, pause) are due again
        now; those of learners who stopped nudges are cancelled.

        Returns:
            (re-armed, cancelled)
        """
        held = self._store.held(kind)
        cancel = [n.id for n in held if opted_out(n.learner_id)]
        again = [n.id for n in held if n.id not in set(cancel)]
        self._store.set_status(cancel, status=CANCELLED, now=now)
        self._store.set_status(again, status=PENDING, now=now, due_at=now)
        return len(again), len(cancel)

    # Delivery -------------------------------------------------------------------------------

    def claim(
        self,
        *,
        worker: str,
        now: datetime,
        limit: int = 50,
        lease: timedelta,
        platforms: Collection[str] | None = None,
    ) -> list[Nudge]:
        """Take up to `limit` due rows (and rows whose lease expired) for one worker.

        With `platforms`, only rows of learners with an identity on one of them are taken, so
        a process that cannot reach a platform (a stand-alone worker has no Teams port)
        leaves those rows to a process that can.
        """
        return self._store.claim(
            token=uuid.uuid4().hex,
            worker=worker,
            now=now,
            until=now + lease,
            limit=limit,
            platforms=platforms,
        )

    def mark_sent(self, nudge: Nudge, delivered: Delivered, *, now: datetime) -> bool:
        """Record the platform's message id; False when the claim was lost (lease expired)."""
        return self._finish(
            nudge,
            status=SENT,
            sent_at=now,
            platform=delivered.platform,
            channel_id=delivered.channel_id[:200],
            message_id=delivered.message_id[:200],
            last_error=None,
            now=now,
        )

    def record_intent(self, nudge: Nudge, *, resend: bool, now: datetime) -> Nudge | None:
        """Write down, before the platform call, that this nudge is about to be sent.

        The idempotency key is kept when an earlier send left one (its outcome is unknown);
        otherwise a new one is made. Returns the row as it now is, or None when the claim
        was lost (the row must then not be sent).
        """
        started = replace(
            nudge,
            intent_key=nudge.intent_key or uuid.uuid4().hex,
            intent_at=now,
            resent=nudge.resent or resend,
        )
        values = {
            "intent_key": started.intent_key,
            "intent_at": now,
            "resent": started.resent,
            "updated_at": now,
        }
        return started if self._store.finish(nudge, values) else None

    def clear_intent(self, nudge: Nudge, *, now: datetime) -> Nudge | None:
        """Forget a send intent that is known not to have reached the platform."""
        values = {"intent_key": None, "intent_at": None, "updated_at": now}
        if not self._store.finish(nudge, values):
            return None
        return replace(nudge, intent_key=None, intent_at=None)

    def mark_retry(self, nudge: Nudge, *, at: datetime, error: str, now: datetime) -> bool:
        """Try again at `at` (the platform refused the send, so no intent is left open)."""
        return self._finish(
            nudge,
            status=RETRY,
            due_at=at,
            last_error=error[:300],
            intent_key=None,
            intent_at=None,
            now=now,
        )

    def mark_unknown(self, nudge: Nudge, *, at: datetime, error: str, now: datetime) -> bool:
        """Try again at `at`, keeping the intent: the send may have reached the platform."""
        return self._finish(nudge, status=RETRY, due_at=at, last_error=error[:300], now=now)

    def release(self, nudge: Nudge, *, at: datetime, now: datetime) -> bool:
        """Give a claimed row back untried (pacing): due again at `at`, no attempt counted."""
        return self._finish(
            nudge, status=RETRY, due_at=at, attempts=max(0, nudge.attempts - 1), now=now
        )

    def give_back(self, nudge: Nudge, *, now: datetime) -> bool:
        """Return a claimed row untried to pending, as it was (no port here for its learner)."""
        return self._finish(
            nudge, status=PENDING, attempts=max(0, nudge.attempts - 1), claimed_by=None, now=now
        )

    def mark_dead(self, nudge: Nudge, *, error: str, now: datetime) -> bool:
        """Give up on a row."""
        return self._finish(nudge, status=DEAD, last_error=error[:300], now=now)

    def mark_replan(self, nudge: Nudge, *, why: str, now: datetime) -> bool:
        """Hand a row back to the planner (not sent: stale, quiet hours, caps or pause)."""
        return self._finish(nudge, status=REPLAN, last_error=why[:300], now=now)

    def _finish(self, nudge: Nudge, *, now: datetime, **values: Any) -> bool:
        values |= {"claim_token": None, "claimed_until": None, "updated_at": now}
        return self._store.finish(nudge, values)

    def sent_since(self, learner_id: str, *, since: datetime) -> list[datetime]:
        """When the learner's sent nudges went out, from `since` on (send-time cap checks)."""
        return self._store.sent_since(learner_id, since=since)

    # Learner actions ------------------------------------------------------------------------

    def respond(self, nudge_id: str, *, learner_id: str, response: str, now: datetime) -> bool:
        """Record the learner's button on their own nudge; False if unchanged or not theirs."""
        return self._store.respond(nudge_id, learner_id=learner_id, response=response, now=now)

    def rearm(self, nudge_id: str, *, learner_id: str, at: datetime, now: datetime) -> bool:
        """Bring a sent nudge back at `at` (Snooze 1 hour)."""
        return self._store.rearm(nudge_id, learner_id=learner_id, at=at, now=now)

    def unseen(self, learner_id: str, *, platform: str) -> list[Nudge]:
        """Sent nudges of one platform the learner has not been shown yet (the terminal)."""
        return self._store.unseen(learner_id, platform=platform)

    def mark_seen(self, ids: Sequence[str], *, now: datetime) -> None:
        """Remember that these nudges were shown."""
        self._store.mark_seen(ids, now=now)

    def counts(self) -> dict[str, int]:
        """Rows per status (for the worker's log line and tests)."""
        return self._store.counts()
