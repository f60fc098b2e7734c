"""The durable outbox: planned nudges, claimed by delivery workers under a lease.

Each row is unique per (learner, kind, object, local date), so planning again and again never
makes a second nudge. Statuses:

- pending: planned, waiting for its time (the planner may still move or cancel it);
- claimed: a worker holds it until `claimed_until` (a crashed worker's rows come back);
- retry: the platform failed; tried again at `due_at`;
- replan: the worker declined to send it now (stale, quiet hours, caps, pause): the next
  planning pass gives it a new time or cancels it;
- sent, dead (gave up, or the recipient is gone), cancelled (no longer planned).

Workers claim with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never
wait for or take the same row; on SQLite one `UPDATE ... WHERE id IN (SELECT ...)` takes the
database write lock, which makes the claim atomic.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from bot.core.ports import Delivered
from bot.storage.tables import identities, outbox
from nudges.planner import PlannedNudge, SentNudge

PENDING, CLAIMED, RETRY, REPLAN = "pending", "claimed", "retry", "replan"
SENT, DEAD, CANCELLED = "sent", "dead", "cancelled"
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

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, object id, local ISO date)."""
        return (self.kind, self.object_id, self.local_date)


def _nudge(row: RowMapping) -> Nudge:
    return Nudge(**{name: row[name] for name in Nudge.__dataclass_fields__})


# Planning never touches a row a worker holds (its claim may be sending right now).
_unclaimed = outbox.c.status.in_([PENDING, REPLAN, CANCELLED])


def replaceable(row: Nudge, *, now: datetime, stale: timedelta = STALE) -> bool:
    """Whether planning may move or cancel this row (it is not sent, in flight or imminent)."""
    if row.status in {REPLAN, CANCELLED}:
        return True
    if row.status != PENDING:
        return False
    return row.due_at > now + FREEZE or row.due_at < now - stale


@dataclass(frozen=True)
class PlanChanges:
    """What applying a plan did."""

    inserted: int = 0
    moved: int = 0
    cancelled: int = 0


class Outbox:
    """Outbox rows: applying plans, claiming, and recording what happened to each send."""

    def __init__(self, engine: Engine, *, stale: timedelta = STALE) -> None:
        self._engine = engine
        self._pg = engine.dialect.name == "postgresql"
        self.stale = stale

    # Planning -------------------------------------------------------------------------------

    def history(self, learner_id: str, *, now: datetime) -> list[SentNudge]:
        """Nudges the planner must count: sent lately, in flight, retrying or imminent."""
        rows = self._rows(learner_id, since=now - timedelta(days=HISTORY_DAYS))
        return [
            SentNudge(r.sent_at or r.due_at, r.kind, r.object_id)
            for r in rows
            if r.status in {SENT, CLAIMED, RETRY}
            or (r.status == PENDING and not replaceable(r, now=now, stale=self.stale))
        ]

    def apply_plan(
        self, learner_id: str, plan: Sequence[PlannedNudge], *, now: datetime
    ) -> PlanChanges:
        """Make the learner's open rows match a new plan, in one transaction.

        A planned nudge whose key is already sent or in flight is left alone; open rows the
        plan no longer holds are cancelled.
        """
        inserted = moved = cancelled = 0
        with self._engine.begin() as conn:
            rows = {
                r.key: r for r in self._rows(learner_id, since=now - timedelta(days=2), conn=conn)
            }
            wanted = set()
            for p in plan:
                wanted.add(p.key)
                row = rows.get(p.key)
                if row is None:
                    conn.execute(insert(outbox).values(_new_row(learner_id, p, now)))
                    inserted += 1
                elif replaceable(row, now=now, stale=self.stale) and (
                    row.status != PENDING or row.due_at != p.at
                ):
                    self._move(conn, row.id, p, now)
                    moved += 1
            for key, row in rows.items():
                open_row = row.status in {PENDING, REPLAN}
                if key not in wanted and open_row and replaceable(row, now=now, stale=self.stale):
                    self._set(conn, row.id, status=CANCELLED, updated_at=now)
                    cancelled += 1
        return PlanChanges(inserted, moved, cancelled)

    @staticmethod
    def _move(conn: Connection, row_id: str, p: PlannedNudge, now: datetime) -> None:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id, _unclaimed)
            .values(
                due_at=p.at,
                status=PENDING,
                module_id=p.module_id,
                title=p.title[:300],
                reason=p.reason,
                minutes=p.minutes,
                priority=p.priority,
                claim_token=None,
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
        )

    def _rows(
        self, learner_id: str, *, since: datetime, conn: Connection | None = None
    ) -> list[Nudge]:
        query = select(outbox).where(
            outbox.c.learner_id == learner_id,
            or_(outbox.c.due_at >= since, outbox.c.status.in_([PENDING, CLAIMED, RETRY, REPLAN])),
        )
        if conn is not None:
            return [_nudge(r) for r in conn.execute(query).mappings()]
        with self._engine.connect() as c:
            return [_nudge(r) for r in c.execute(query).mappings()]

    def upcoming(self, learner_id: str, *, now: datetime) -> list[Nudge]:
        """The learner's open nudges from now on, earliest first."""
        query = (
            select(outbox)
            .where(
                outbox.c.learner_id == learner_id,
                outbox.c.status.in_([PENDING, RETRY]),
                outbox.c.due_at >= now - self.stale,
            )
            .order_by(outbox.c.due_at)
        )
        with self._engine.connect() as conn:
            return [_nudge(r) for r in conn.execute(query).mappings()]

    def get(self, nudge_id: str) -> Nudge | None:
        """One row by id."""
        with self._engine.connect() as conn:
            row = conn.execute(select(outbox).where(outbox.c.id == nudge_id)).mappings().first()
        return None if row is None else _nudge(row)

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
        token = uuid.uuid4().hex
        claimable = or_(
            and_(outbox.c.status.in_([PENDING, RETRY]), outbox.c.due_at <= now),
            and_(outbox.c.status == CLAIMED, outbox.c.claimed_until < now),
        )
        if platforms is not None:
            claimable = and_(
                claimable,
                exists().where(
                    identities.c.learner_id == outbox.c.learner_id,
                    identities.c.platform.in_(sorted(platforms)),
                ),
            )
        values = {
            "status": CLAIMED,
            "claim_token": token,
            "claimed_by": worker[:64],
            "claimed_until": now + lease,
            "attempts": outbox.c.attempts + 1,
            "updated_at": now,
        }
        with self._engine.begin() as conn:
            # Ordered by learner within a due time, so a batch reads each learner once.
            order = (outbox.c.due_at, outbox.c.learner_id)
            pick = select(outbox.c.id).where(claimable).order_by(*order).limit(limit)
            if self._pg:
                locked = pick.with_for_update(skip_locked=True, of=outbox)
                ids = list(conn.execute(locked).scalars())
                if not ids:
                    return []
                conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(**values))
            else:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(pick.scalar_subquery()), claimable)
                    .values(**values)
                )
            rows = conn.execute(
                select(outbox).where(outbox.c.claim_token == token).order_by(*order)
            ).mappings()
            return [_nudge(r) for r in rows]

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

    def mark_retry(self, nudge: Nudge, *, at: datetime, error: str, now: datetime) -> bool:
        """Try again at `at`."""
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
        with self._engine.begin() as conn:
            done = conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == nudge.id,
                    outbox.c.status == CLAIMED,
                    outbox.c.claim_token == nudge.claim_token,
                )
                .values(**values)
            )
        return done.rowcount == 1

    def sent_since(self, learner_id: str, *, since: datetime) -> list[datetime]:
        """When the learner's sent nudges went out, from `since` on (send-time cap checks)."""
        query = select(outbox.c.sent_at).where(
            outbox.c.learner_id == learner_id, outbox.c.status == SENT, outbox.c.sent_at >= since
        )
        with self._engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # Learner actions ------------------------------------------------------------------------

    def respond(self, nudge_id: str, *, learner_id: str, response: str, now: datetime) -> bool:
        """Record the learner's button on their own nudge; False if unchanged or not theirs."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == nudge_id,
                    outbox.c.learner_id == learner_id,
                    or_(outbox.c.response.is_(None), outbox.c.response != response),
                )
                .values(response=response, responded_at=now, updated_at=now)
            )
        return done.rowcount == 1

    def rearm(self, nudge_id: str, *, learner_id: str, at: datetime, now: datetime) -> bool:
        """Bring a sent nudge back at `at` (Snooze 1 hour)."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == nudge_id,
                    outbox.c.learner_id == learner_id,
                    outbox.c.status != CLAIMED,
                )
                .values(
                    status=PENDING,
                    due_at=at,
                    attempts=0,
                    seen_at=None,
                    response=None,
                    updated_at=now,
                )
            )
        return done.rowcount == 1

    def unseen(self, learner_id: str, *, platform: str) -> list[Nudge]:
        """Sent nudges of one platform the learner has not been shown yet (the terminal)."""
        query = (
            select(outbox)
            .where(
                outbox.c.learner_id == learner_id,
                outbox.c.status == SENT,
                outbox.c.platform == platform,
                outbox.c.seen_at.is_(None),
            )
            .order_by(outbox.c.sent_at)
        )
        with self._engine.connect() as conn:
            return [_nudge(r) for r in conn.execute(query).mappings()]

    def mark_seen(self, ids: Sequence[str], *, now: datetime) -> None:
        """Remember that these nudges were shown."""
        if ids:
            with self._engine.begin() as conn:
                conn.execute(update(outbox).where(outbox.c.id.in_(list(ids))).values(seen_at=now))

    def counts(self) -> dict[str, int]:
        """Rows per status (for the worker's log line and tests)."""
        from sqlalchemy import func

        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        with self._engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}

    @staticmethod
    def _set(conn: Connection, row_id: str, **values: Any) -> None:
        conn.execute(update(outbox).where(outbox.c.id == row_id, _unclaimed).values(**values))


def _new_row(learner_id: str, p: PlannedNudge, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "learner_id": learner_id,
        "kind": p.kind,
        "object_id": p.object_id[:300],
        "local_date": p.local_date.isoformat(),
        "module_id": p.module_id,
        "title": p.title[:300],
        "reason": p.reason,
        "minutes": p.minutes,
        "priority": p.priority,
        "due_at": p.at,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
