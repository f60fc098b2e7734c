"""The activity log as the xAPI export reads it, and the forwarder's stored cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from bot.storage.tables import activity, xapi_cursor


class XapiRepository:
    """Activity rows in id order and named cursors over them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def activity(
        self, *, since: datetime | None = None, after_id: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Activity rows in id order, from `since` and after `after_id` (at most `limit`)."""
        query = select(activity).where(activity.c.id > after_id).order_by(activity.c.id)
        if since is not None:
            query = query.where(activity.c.at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def cursor(self, name: str) -> int:
        """The activity id the cursor `name` stands at (0 before its first move)."""
        query = select(xapi_cursor.c.last_id).where(xapi_cursor.c.name == name)
        with self._engine.connect() as conn:
            value = conn.execute(query).scalar()
        return int(value or 0)

    def advance(self, name: str, last_id: int, *, now: datetime) -> None:
        """Move the cursor `name` to `last_id` (created on its first move)."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(xapi_cursor)
                .where(xapi_cursor.c.name == name)
                .values(last_id=last_id, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(insert(xapi_cursor).values(name=name, last_id=last_id, updated_at=now))
