"""Which process plans: one leader per database, elected with a PostgreSQL advisory lock.

Every replica delivers (claims keep that safe), but planning and calendar refreshes run in
one process at a time. On PostgreSQL the leader holds `pg_try_advisory_lock` on a connection
of its own for as long as it lives; if that connection drops, the lock goes with it and
another replica takes over at its next tick. SQLite is single-process: always the leader.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from nudges.store.locks import advisory_unlock, ping, try_advisory_lock

log = logging.getLogger(__name__)
LOCK_KEY = 0x6C6E_6264_6765  # "lnbdge": the nudge planner's lock id


class Leadership:
    """Holds (or tries to hold) the planner's lock."""

    def __init__(self, engine: Engine, *, key: int = LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        """Whether several processes may share the database (PostgreSQL)."""
        return self._engine.dialect.name == "postgresql"

    def check(self) -> bool:
        """True if this process is the leader now (acquiring the lock if it is free)."""
        if not self.shared:
            return True
        with self._lock:
            if self._conn is not None and self._alive(self._conn):
                return True
            self._drop()
            return self._try_acquire()

    def _try_acquire(self) -> bool:
        conn = self._engine.connect()
        try:
            got = try_advisory_lock(conn, self._key)
        except DBAPIError:
            conn.close()
            return False
        if not got:
            conn.close()
            return False
        log.info("this process now plans nudges (advisory lock held)")
        self._conn = conn
        return True

    @staticmethod
    def _alive(conn: Connection) -> bool:
        try:
            ping(conn)
        except DBAPIError:
            return False
        return True

    def _drop(self) -> None:
        # invalidate() closes the session itself, so a lock it may still hold is released
        # instead of going back into the pool with the connection.
        if self._conn is not None:
            self._conn.invalidate()
            self._conn.close()
            self._conn = None

    def release(self) -> None:
        """Give the lock up (at shutdown)."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(DBAPIError):
                    advisory_unlock(self._conn, self._key)
            self._drop()
