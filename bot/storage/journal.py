"""Append-only records: processed platform events, the audit log and learning activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import activity, audit_log, processed_events


class EventLog:
    """Remembers platform event ids so a retried delivery is processed once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def first_time(self, key: str, *, now: datetime) -> bool:
        """Record `key`; True the first time it is seen, False for every repeat."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(processed_events).values(key=key[:200], seen_at=now))
        except IntegrityError:
            return False
        return True

    def prune(self, *, older_than: timedelta, now: datetime) -> int:
        """Forget event ids older than the platforms' retry window."""
        with self._engine.begin() as conn:
            done = conn.execute(
                delete(processed_events).where(processed_events.c.seen_at < now - older_than)
            )
        return int(done.rowcount)


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
