"""PostgreSQL advisory locks, on a connection the caller keeps open for as long as it holds one."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection


def try_advisory_lock(conn: Connection, key: int) -> bool:
    """Take the session-level advisory lock `key` on `conn` if it is free; commits.

    The lock belongs to the connection's session: it stays held until released or until the
    connection closes, so the caller keeps `conn` out of the pool while it holds the lock.
    """
    got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
    conn.commit()
    return got


def ping(conn: Connection) -> None:
    """Run a trivial query on `conn` (raises `DBAPIError` if the connection is gone)."""
    conn.execute(text("SELECT 1"))
    conn.commit()


def advisory_unlock(conn: Connection, key: int) -> None:
    """Release the advisory lock `key` held by `conn`'s session; commits."""
    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    conn.commit()
