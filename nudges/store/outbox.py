"""The outbox table: every SQL statement behind `nudges.outbox.Outbox`.

Workers claim with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never
wait for or take the same row; on SQLite one `UPDATE ... WHERE id IN (SELECT ...)` takes the
database write lock, which makes the claim atomic.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.storage.tables import identities, outbox
from bot.storage.types import one_of
from nudges.outbox import (
    CANCELLED,
    CLAIMED,
    PENDING,
    REPLAN,
    RETRY,
    SENT,
    Notice,
    Nudge,
    PlanEdits,
)
from nudges.planner import PlannedNudge

# Planning never touches a row a worker holds (its claim may be sending right now).
_unclaimed = outbox.c.status.in_([PENDING, REPLAN, CANCELLED])


def _nudge(row: RowMapping) -> Nudge:
    return Nudge(**{name: row[name] for name in Nudge.__dataclass_fields__})


class OutboxStore:
    """Outbox rows in the database; which rows change, and how, is the caller's decision."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pg = engine.dialect.name == "postgresql"

    # Planning -------------------------------------------------------------------------------

    def rows(
        self, learner_id: str, *, since: datetime, conn: Connection | None = None
    ) -> list[Nudge]:
        """The learner's rows due from `since` on, and every open row whatever its time."""
        query = select(outbox).where(
            outbox.c.learner_id == learner_id,
            or_(outbox.c.due_at >= since, outbox.c.status.in_([PENDING, CLAIMED, RETRY, REPLAN])),
        )
        if conn is not None:
            return [_nudge(r) for r in conn.execute(query).mappings()]
        with self._engine.connect() as c:
            return [_nudge(r) for r in c.execute(query).mappings()]

    def edit_plan(
        self,
        learner_id: str,
        *,
        since: datetime,
        now: datetime,
        decide: Callable[[list[Nudge]], PlanEdits],
    ) -> PlanEdits:
        """In one transaction: read the learner's rows (as `rows`), let `decide` say what
        changes, and apply it. Moves and cancels skip rows a worker claimed meanwhile."""
        with self._engine.begin() as conn:
            edits = decide(self.rows(learner_id, since=since, conn=conn))
            for p in edits.insert:
                conn.execute(insert(outbox).values(_new_row(learner_id, p, now)))
            for row_id, p in edits.move:
                _move(conn, row_id, p, now)
            for row_id in edits.cancel:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id == row_id, _unclaimed)
                    .values(status=CANCELLED, updated_at=now)
                )
        return edits

    def rows_many(
        self, learner_ids: Sequence[str], *, since: datetime, conn: Connection
    ) -> dict[str, list[Nudge]]:
        """`rows` of many learners in one query, on the caller's transaction."""
        out: dict[str, list[Nudge]] = {i: [] for i in learner_ids}
        query = (
            select(outbox)
            .where(
                one_of(outbox.c.learner_id, learner_ids, engine=self._engine),
                or_(
                    outbox.c.due_at >= since,
                    outbox.c.status.in_([PENDING, CLAIMED, RETRY, REPLAN]),
                ),
            )
            .order_by(outbox.c.learner_id, outbox.c.id)
        )
        for r in conn.execute(query).mappings().all():
            out[r["learner_id"]].append(_nudge(r))
        return out

    def edit_plans(
        self,
        learner_ids: Sequence[str],
        *,
        since: datetime,
        now: datetime,
        decide: Callable[[dict[str, list[Nudge]]], dict[str, PlanEdits]],
    ) -> dict[str, PlanEdits]:
        """`edit_plan` for many learners in one transaction and a few statements: one read,
        one multi-row insert, one executemany of moves, one update of the cancels."""
        with self._engine.begin() as conn:
            edits = decide(self.rows_many(learner_ids, since=since, conn=conn))
            new = [_new_row(i, p, now) for i, e in edits.items() for p in e.insert]
            if new and self._pg:
                _copy_rows(conn, new)
            elif new:
                conn.execute(insert(outbox), new)
            moves = [_move_params(row_id, p, now) for e in edits.values() for row_id, p in e.move]
            if moves:
                conn.execute(_MOVE, moves)
            cancels = [row_id for e in edits.values() for row_id in e.cancel]
            for start in range(0, len(cancels), 1000):
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(cancels[start : start + 1000]), _unclaimed)
                    .values(status=CANCELLED, updated_at=now)
                )
        return edits

    def add(self, notice: Notice, *, now: datetime) -> bool:
        """Insert a notice due now; False when its (learner, kind, object, date) exists."""
        row = {
            "id": uuid.uuid4().hex,
            "learner_id": notice.learner_id,
            "kind": notice.kind,
            "object_id": notice.object_id[:300],
            "local_date": notice.local_date,
            "module_id": notice.module_id,
            "title": notice.title[:300],
            "reason": notice.reason,
            "minutes": 0,
            "priority": 0.0,
            "due_at": now,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(outbox).values(**row))
        except IntegrityError:
            return False
        return True

    def held(self, kind: str) -> list[Nudge]:
        """Rows of `kind` that delivery handed back for re-planning."""
        query = select(outbox).where(outbox.c.kind == kind, outbox.c.status == REPLAN)
        with self._engine.connect() as conn:
            return [_nudge(r) for r in conn.execute(query).mappings()]

    def set_status(
        self, ids: Sequence[str], *, status: str, now: datetime, due_at: datetime | None = None
    ) -> None:
        """Set the status (and due time) of rows still waiting for re-planning."""
        if not ids:
            return
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if due_at is not None:
            values["due_at"] = due_at
        with self._engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(ids)), outbox.c.status == REPLAN)
                .values(**values)
            )

    def upcoming(self, learner_id: str, *, since: datetime) -> list[Nudge]:
        """The learner's pending and retrying rows due from `since` on, earliest first."""
        query = (
            select(outbox)
            .where(
                outbox.c.learner_id == learner_id,
                outbox.c.status.in_([PENDING, RETRY]),
                outbox.c.due_at >= since,
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
        token: str,
        worker: str,
        now: datetime,
        until: datetime,
        limit: int,
        platforms: Collection[str] | None,
    ) -> list[Nudge]:
        """Mark up to `limit` due rows (and rows whose claim ran out) as claimed under `token`
        until `until`, counting an attempt; returns them, by due time then learner.

        With `platforms`, only rows of learners with an identity on one of them are taken.
        """
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
            "claimed_until": until,
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

    def finish(self, nudge: Nudge, values: dict[str, Any]) -> bool:
        """Set `values` on a row still claimed under the nudge's token; False if it is not."""
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
        """When the learner's sent nudges went out, from `since` on."""
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
        """Make the learner's row (not claimed right now) pending again at `at`, as new."""
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
                    intent_key=None,
                    intent_at=None,
                    resent=False,
                    updated_at=now,
                )
            )
        return done.rowcount == 1

    def unseen(self, learner_id: str, *, platform: str) -> list[Nudge]:
        """Sent rows of one platform not marked seen, in the order they were sent."""
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
        """Remember that these rows were shown."""
        if ids:
            with self._engine.begin() as conn:
                conn.execute(update(outbox).where(outbox.c.id.in_(list(ids))).values(seen_at=now))

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        with self._engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}


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


_MOVE = (
    update(outbox)
    # `_unclaimed` spelled without IN (...): an expanding IN cannot run as an executemany.
    .where(
        outbox.c.id == bindparam("row_id"),
        or_(*(outbox.c.status == s for s in (PENDING, REPLAN, CANCELLED))),
    )
    .values(
        due_at=bindparam("p_due_at"),
        status=PENDING,
        module_id=bindparam("p_module_id"),
        title=bindparam("p_title"),
        reason=bindparam("p_reason"),
        minutes=bindparam("p_minutes"),
        priority=bindparam("p_priority"),
        claim_token=None,
        claimed_by=None,
        claimed_until=None,
        updated_at=bindparam("p_now"),
    )
)


def _move_params(row_id: str, p: PlannedNudge, now: datetime) -> dict[str, Any]:
    return {
        "row_id": row_id,
        "p_due_at": p.at,
        "p_module_id": p.module_id,
        "p_title": p.title[:300],
        "p_reason": p.reason,
        "p_minutes": p.minutes,
        "p_priority": p.priority,
        "p_now": now,
    }


def _copy_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new outbox rows with PostgreSQL's COPY, on the caller's transaction (many
    times cheaper for the server than one INSERT per row)."""
    columns = list(rows[0])
    statement = f"COPY {outbox.name} ({', '.join(columns)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except conn.dialect.loaded_dbapi.Error as err:
        # As SQLAlchemy reports a failed statement (a learner deleted meanwhile, say).
        raise DBAPIError.instance(statement, None, err, conn.dialect.loaded_dbapi.Error) from err


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
