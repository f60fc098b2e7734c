"""Job leases in the database, timed by the database's clock (never a worker's own).

A lease row per job says who runs it (`holder`), until when that claim holds (`lease_until`)
and when the job is due again (`next_due`), all in seconds since the epoch as the database
reads them. Claiming is one conditional UPDATE, so of two workers that race, one wins.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection


def now_sql(engine: Engine) -> str:
    """The SQL expression for the database's current time, in epoch seconds."""
    if engine.dialect.name == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
    return "((julianday('now') - 2440587.5) * 86400.0)"


def db_now(conn: Connection) -> float:
    """The database's current time in epoch seconds."""
    return float(conn.execute(text(f"SELECT {now_sql(conn.engine)}")).scalar_one())


def try_claim(engine: Engine, name: str, *, holder: str, ttl: float) -> bool:
    """Claim job `name` for `ttl` seconds if it is due and nobody holds a live lease."""
    now = now_sql(engine)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO job_leases (name) VALUES (:n) ON CONFLICT (name) DO NOTHING"),
            {"n": name},
        )
        done = conn.execute(
            text(
                f"UPDATE job_leases SET holder = :h, lease_until = {now} + :ttl "
                f"WHERE name = :n AND next_due <= {now} AND lease_until <= {now}"
            ),
            {"h": holder, "n": name, "ttl": ttl},
        )
        return done.rowcount == 1


def finish(engine: Engine, name: str, *, holder: str, next_in: float, ran: bool) -> bool:
    """Give the lease back; the job is due again in `next_in` seconds.

    Returns False when the lease had already passed to another worker (this run overran it).
    """
    now = now_sql(engine)
    last = f", last_run = {now}" if ran else ""
    with engine.begin() as conn:
        done = conn.execute(
            text(
                f"UPDATE job_leases SET holder = NULL, lease_until = 0, "
                f"next_due = {now} + :next{last} WHERE name = :n AND holder = :h"
            ),
            {"n": name, "h": holder, "next": next_in},
        )
        return done.rowcount == 1


def leases(engine: Engine) -> dict[str, dict[str, float | str | None]]:
    """Every lease row with the database's time (`doctor` and tests read them)."""
    with engine.connect() as conn:
        now = db_now(conn)
        rows = conn.execute(
            text("SELECT name, holder, lease_until, next_due, last_run FROM job_leases")
        ).mappings()
        return {r["name"]: {**dict(r), "db_now": now} for r in rows}
