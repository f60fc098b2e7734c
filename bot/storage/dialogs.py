"""Dialog state persisted after every step, with optimistic concurrency against double clicks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import RowMapping

from bot.storage.tables import dialogs

ACTIVE = "active"
DONE = "done"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class DialogRecord:
    """A stored dialog: which state machine, where it is, and its saved state."""

    id: str
    learner_id: str
    kind: str
    status: str
    step: int
    version: int
    state: dict[str, Any]


class DialogRepository:
    """Stores dialogs; `advance` succeeds only for the version it read, once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self, learner_id: str, kind: str, state: dict[str, Any], *, now: datetime
    ) -> DialogRecord:
        """Start a dialog, cancelling any active dialog of the same kind for the learner."""
        record = DialogRecord(uuid.uuid4().hex, learner_id, kind, ACTIVE, 0, 0, state)
        with self._engine.begin() as conn:
            conn.execute(
                update(dialogs)
                .where(
                    dialogs.c.learner_id == learner_id,
                    dialogs.c.kind == kind,
                    dialogs.c.status == ACTIVE,
                )
                .values(status=CANCELLED, updated_at=now)
            )
            conn.execute(
                insert(dialogs).values(
                    id=record.id,
                    learner_id=learner_id,
                    kind=kind,
                    status=ACTIVE,
                    step=0,
                    version=0,
                    state=state,
                    created_at=now,
                    updated_at=now,
                )
            )
        return record

    def get(self, dialog_id: str) -> DialogRecord | None:
        """A dialog by id."""
        with self._engine.connect() as conn:
            row = conn.execute(select(dialogs).where(dialogs.c.id == dialog_id)).mappings().first()
        return None if row is None else _record(row)

    def active(self, learner_id: str, kind: str | None = None) -> DialogRecord | None:
        """The learner's most recently updated active dialog (of a kind, if given)."""
        query = select(dialogs).where(
            dialogs.c.learner_id == learner_id, dialogs.c.status == ACTIVE
        )
        if kind is not None:
            query = query.where(dialogs.c.kind == kind)
        with self._engine.connect() as conn:
            row = conn.execute(query.order_by(dialogs.c.updated_at.desc())).mappings().first()
        return None if row is None else _record(row)

    def latest(self, learner_id: str, kind: str) -> DialogRecord | None:
        """The learner's most recent dialog of a kind, whatever its status."""
        query = (
            select(dialogs)
            .where(dialogs.c.learner_id == learner_id, dialogs.c.kind == kind)
            .order_by(dialogs.c.updated_at.desc())
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _record(row)

    def advance(
        self,
        record: DialogRecord,
        *,
        state: dict[str, Any],
        status: str,
        now: datetime,
        next_step: bool = True,
    ) -> DialogRecord | None:
        """Save a new state if nobody else advanced the dialog since `record` was read.

        Returns:
            The saved record, or None when another request won the race (a double click or a
            replayed request), in which case nothing was changed.
        """
        step = record.step + 1 if next_step else record.step
        with self._engine.begin() as conn:
            done = conn.execute(
                update(dialogs)
                .where(dialogs.c.id == record.id, dialogs.c.version == record.version)
                .values(
                    state=state,
                    status=status,
                    step=step,
                    version=record.version + 1,
                    updated_at=now,
                )
            )
        if done.rowcount != 1:
            return None
        return DialogRecord(
            record.id, record.learner_id, record.kind, status, step, record.version + 1, state
        )


def _record(row: RowMapping) -> DialogRecord:
    return DialogRecord(
        id=row["id"],
        learner_id=row["learner_id"],
        kind=row["kind"],
        status=row["status"],
        step=row["step"],
        version=row["version"],
        state=dict(row["state"]),
    )
