"""Shard leases of the planning tick, timed by the database's clock (never the worker's).

A lease row says which worker plans a shard and until when (`lease_until`, epoch seconds of
the database's clock). A worker claims a shard whose lease has run out with one conditional
statement, so two workers never both get it; it extends the lease while it plans and, when
done, keeps the shard until the next tick is due.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Float, cast, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.tables import nudge_shard_leases as leases


def _db_now(dialect: str) -> ColumnElement[Any]:
    """The database's current time in epoch seconds (PostgreSQL clock_timestamp, SQLite now)."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", func.clock_timestamp()), Float)
    return (func.julianday(literal("now")) - 2440587.5) * 86400.0


class LeaseStore:
    """Claims, extends and finishes shard leases."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._now = _db_now(engine.dialect.name)

    def db_now(self) -> float:
        """The database's clock, epoch seconds."""
        with self._engine.connect() as conn:
            return float(conn.execute(select(self._now)).scalar_one())

    def claim(self, shard: int, *, holder: str, ttl: float) -> bool:
        """Take `shard` for `holder` for `ttl` seconds if its lease ran out (or was never set)."""
        holder = holder[:64]
        with self._engine.begin() as conn:
            if self._take(conn, shard, holder, ttl):
                return True
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(leases).values(
                        shard=shard,
                        holder=holder,
                        claimed_at=self._now,
                        lease_until=self._now + ttl,
                    )
                )
        except IntegrityError:
            return False  # the row exists: another worker holds it (or just took it)
        return True

    def _take(self, conn: Connection, shard: int, holder: str, ttl: float) -> bool:
        done = conn.execute(
            update(leases)
            .where(leases.c.shard == shard, leases.c.lease_until < self._now)
            .values(holder=holder, claimed_at=self._now, lease_until=self._now + ttl)
        )
        return done.rowcount == 1

    def extend(self, shard: int, *, holder: str, ttl: float) -> bool:
        """Keep holding `shard` for `ttl` more seconds; False when the lease was lost."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(leases)
                .where(leases.c.shard == shard, leases.c.holder == holder[:64])
                .values(lease_until=self._now + ttl)
            )
        return done.rowcount == 1

    def finish(self, shard: int, *, holder: str, hold: float) -> bool:
        """Mark the shard planned; it stays leased until `hold` seconds after it was claimed
        (the next tick), so a worker ticking a little later does not plan it again."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(leases)
                .where(leases.c.shard == shard, leases.c.holder == holder[:64])
                .values(planned_at=self._now, lease_until=leases.c.claimed_at + hold)
            )
        return done.rowcount == 1

    def release(self, shard: int, *, holder: str) -> None:
        """Give a shard up at once (shutdown): another worker may take it straight away."""
        with self._engine.begin() as conn:
            conn.execute(
                update(leases)
                .where(leases.c.shard == shard, leases.c.holder == holder[:64])
                .values(lease_until=self._now - 1.0)
            )

    def holders(self) -> dict[int, tuple[str, float]]:
        """Shard -> (holder, seconds left on its lease, negative when expired)."""
        query = select(leases.c.shard, leases.c.holder, leases.c.lease_until - self._now)
        with self._engine.connect() as conn:
            return {int(s): (str(h), float(left)) for s, h, left in conn.execute(query)}
