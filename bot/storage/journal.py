"""Append-only records: processed platform events, the audit log and learning activity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import database_now
from bot.storage.tables import activity, audit_log, processed_events

RECEIVED, DONE = "received", "done"


@dataclass(frozen=True)
class Claim:
    """A received event this process holds until its lease runs out (`EventLog.receive`).

    Attributes:
        key: The platform's event key (`slack:Ev...`).
        token: This holder's claim; `done` and `renew` need it.
        payload: The normalized event, as the adapter stored it.
    """

    key: str
    token: str
    payload: dict[str, Any]


class EventLog:
    """Remembers platform event ids so a retried delivery is processed once.

    Two ways: `first_time` records an id once (events whose work cannot be replayed); and
    `receive` -> `done` records an event as received with its normalized payload before it
    is acknowledged, then as done after the work: an event received and not done (its holder
    died) is claimed again by `receive` (the platform's retry) or `unfinished` (on start).

    Leases are timed by the database's clock (`database_now`), never the caller's: `now`
    dates the record and bounds `unfinished`'s age window only, so a replica whose clock is
    off neither takes over a live claim nor holds a lapsed one.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pg = engine.dialect.name == "postgresql"

    def receive(
        self, key: str, payload: dict[str, Any], *, now: datetime, lease: timedelta
    ) -> Claim | None:
        """Record an event as received and claim it for `lease`.

        Returns the claim, or None when the event is done or another holder's lease is live.
        A received event whose holder's lease ran out is claimed again (its stored payload).
        """
        token = uuid.uuid4().hex
        row: dict[str, Any] = {"status": RECEIVED, "claim_token": token}
        try:
            with self._engine.begin() as conn:
                until = database_now(conn) + lease
                conn.execute(
                    insert(processed_events).values(
                        key=key[:200], seen_at=now, payload=payload, claimed_until=until, **row
                    )
                )
            return Claim(key[:200], token, payload)
        except IntegrityError:
            pass
        with self._engine.begin() as conn:
            clock = database_now(conn)
            taken = conn.execute(
                update(processed_events)
                .where(processed_events.c.key == key[:200], _expired(clock))
                .values(claimed_until=clock + lease, **row)
            )
            if taken.rowcount != 1:
                return None
            stored = conn.execute(
                select(processed_events.c.payload).where(processed_events.c.key == key[:200])
            ).scalar_one()
        return Claim(key[:200], token, stored or payload)

    def renew(self, claim: Claim, *, now: datetime, lease: timedelta) -> bool:
        """Extend a live claim (long work) to `lease` from the database's now; False when it
        was lost. (`now` is the caller's time, unused: kept for the callers' symmetry.)"""
        del now
        return self._update(claim, lease=lease)

    def note(self, claim: Claim, payload: dict[str, Any]) -> bool:
        """Replace the stored payload of a live claim (what a later holder needs to know, such
        as a message already posted); False when the claim was lost."""
        return self._update(claim, payload=payload)

    def done(self, claim: Claim) -> bool:
        """Record the work as done; the payload is dropped. False when the claim was lost."""
        return self._update(claim, status=DONE, payload=None, claim_token=None, claimed_until=None)

    def unfinished(
        self, *, prefix: str, now: datetime, lease: timedelta, since: datetime, limit: int = 50
    ) -> list[Claim]:
        """Claim received events (keys starting with `prefix`, received since `since`) whose
        holder's lease ran out; PostgreSQL skips rows another replica is claiming."""
        token = uuid.uuid4().hex
        with self._engine.begin() as conn:
            clock = database_now(conn)
            where = and_(
                processed_events.c.key.startswith(prefix, autoescape=True),
                processed_events.c.seen_at >= since,
                _expired(clock),
            )
            values = {"claim_token": token, "claimed_until": clock + lease}
            pick = (
                select(processed_events.c.key)
                .where(where)
                .order_by(processed_events.c.seen_at)
                .limit(limit)
            )
            if self._pg:
                keys = list(conn.execute(pick.with_for_update(skip_locked=True)).scalars())
                if not keys:
                    return []
                target = processed_events.c.key.in_(keys)
            else:
                target = processed_events.c.key.in_(pick.scalar_subquery())
            conn.execute(update(processed_events).where(target, where).values(**values))
            rows = conn.execute(
                select(processed_events.c.key, processed_events.c.payload)
                .where(processed_events.c.claim_token == token)
                .order_by(processed_events.c.seen_at)
            ).all()
        return [Claim(key, token, payload or {}) for key, payload in rows]

    def status(self, key: str) -> str | None:
        """received, done, or None when the key is unknown."""
        query = select(processed_events.c.status).where(processed_events.c.key == key[:200])
        with self._engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else str(found)

    def _update(self, claim: Claim, *, lease: timedelta | None = None, **values: Any) -> bool:
        with self._engine.begin() as conn:
            if lease is not None:
                values["claimed_until"] = database_now(conn) + lease
            done = conn.execute(
                update(processed_events)
                .where(
                    processed_events.c.key == claim.key,
                    processed_events.c.status == RECEIVED,
                    processed_events.c.claim_token == claim.token,
                )
                .values(**values)
            )
        return done.rowcount == 1

    def first_time(self, key: str, *, now: datetime) -> bool:
        """Record `key`; True the first time it is seen, False for every repeat."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(processed_events).values(key=key[:200], seen_at=now))
        except IntegrityError:
            return False
        return True

    def prune(self, *, older_than: timedelta, now: datetime) -> int:
        """Forget event ids older than the platforms' retry window (received events that
        were never done are kept a week, for the record)."""
        old = processed_events.c.seen_at < now - older_than
        with self._engine.begin() as conn:
            done = conn.execute(
                delete(processed_events).where(
                    or_(
                        and_(old, processed_events.c.status == DONE),
                        processed_events.c.seen_at < now - max(older_than, timedelta(days=7)),
                    )
                )
            )
        return int(done.rowcount)


def _expired(now: datetime) -> Any:
    return and_(
        processed_events.c.status == RECEIVED,
        or_(processed_events.c.claimed_until.is_(None), processed_events.c.claimed_until < now),
    )


class AuditLog:
    """The append-only log of admin and manager actions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        *,
        actor: str,
        action: str,
        target: str = "",
        detail: dict[str, Any] | None = None,
        now: datetime,
    ) -> None:
        """Append one entry."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=now, actor=actor, action=action, target=target[:200], detail=detail or {}
                )
            )

    def entries(self, *, limit: int = 1000) -> list[dict[str, Any]]:
        """The newest entries first."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


class ActivityLog:
    """Learning events per learner (answered, completed, mastered, asked, nudged, ...)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        learner_id: str,
        verb: str,
        *,
        object_id: str = "",
        detail: dict[str, Any] | None = None,
        now: datetime,
    ) -> bool:
        """Append one learning event; False when the same event (learner, verb, object and
        instant) is already stored, as when one request is replayed."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(activity).values(
                        learner_id=learner_id,
                        at=now,
                        verb=verb,
                        object_id=object_id[:200],
                        detail=detail or {},
                    )
                )
        except IntegrityError:
            return False
        return True

    def for_learner(self, learner_id: str) -> list[dict[str, Any]]:
        """Every event of one learner, oldest first."""
        query = select(activity).where(activity.c.learner_id == learner_id).order_by(activity.c.id)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
