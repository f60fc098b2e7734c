"""Learning-path records: module progress, when a role started, waivers and recommendations."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import module_progress, module_waivers, recommendations, role_assignments

ProgressStatus = Literal["started", "done", "skipped", "unverified"]
PROGRESS_STATUSES: tuple[ProgressStatus, ...] = ("started", "done", "skipped", "unverified")
# Statuses that complete a module: "unverified" is done without passing its mastery check.
COMPLETING: frozenset[str] = frozenset({"done", "unverified"})
RecordKind = Literal["path", "exemption", "waiver"]


@dataclass(frozen=True)
class Progress:
    """Where a learner is with one module.

    Attributes:
        module_id: The module.
        status: started, done, skipped or unverified (done without passing its mastery
            check), the latest action.
        at: When the status last changed.
        completed_at: When it was last completed, kept when it is started again for a review.
    """

    module_id: str
    status: ProgressStatus
    at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Recommendation:
    """A recorded recommendation or exemption, with the inputs that produced it."""

    id: int
    learner_id: str
    at: datetime
    kind: RecordKind
    subject: str
    inputs: dict[str, Any]
    output: dict[str, Any]


def digest(inputs: Any, output: Any) -> str:
    """A stable hash of a record's content (to skip recording the same thing twice in a row)."""
    text = json.dumps([inputs, output], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class PathRepository:
    """Progress, role start dates, waivers and recommendation records of learners."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def mark(
        self, learner_id: str, module_id: str, status: ProgressStatus, *, now: datetime
    ) -> None:
        """Record that a learner started, completed (verified or not) or skipped a module."""
        if status not in PROGRESS_STATUSES:
            raise ValueError(f"unknown progress status {status!r}")
        values: dict[str, Any] = {"status": status, "at": now}
        if status in COMPLETING:
            values["completed_at"] = now
        key = (module_progress.c.learner_id == learner_id) & (
            module_progress.c.module_id == module_id[:200]
        )
        with self._engine.begin() as conn:
            if conn.execute(update(module_progress).where(key).values(**values)).rowcount == 0:
                conn.execute(
                    insert(module_progress).values(
                        learner_id=learner_id, module_id=module_id[:200], **values
                    )
                )

    def reopen(self, learner_id: str, module_id: str, *, now: datetime) -> None:
        """Put a module back on the learner's path: started, its earlier completion dropped."""
        self.mark(learner_id, module_id, "started", now=now)
        key = (module_progress.c.learner_id == learner_id) & (
            module_progress.c.module_id == module_id[:200]
        )
        with self._engine.begin() as conn:
            conn.execute(update(module_progress).where(key).values(completed_at=None))

    def progress(self, learner_id: str) -> list[Progress]:
        """Every module the learner touched, most recent first."""
        query = (
            select(module_progress)
            .where(module_progress.c.learner_id == learner_id)
            .order_by(module_progress.c.at.desc(), module_progress.c.module_id)
        )
        with self._engine.connect() as conn:
            return [
                Progress(r["module_id"], r["status"], r["at"], r["completed_at"])
                for r in conn.execute(query).mappings()
            ]

    def role_since(self, learner_id: str, role_id: str, *, default: datetime) -> datetime:
        """When the learner took up `role_id`; the first call records `default`."""
        with self._engine.begin() as conn:
            found = self._since(conn, learner_id, role_id)
            if found is not None:
                return found
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(role_assignments).values(
                        learner_id=learner_id, role_id=role_id, since=default
                    )
                )
        except IntegrityError:
            pass  # recorded at the same moment by another request; read theirs
        with self._engine.connect() as conn:
            found = self._since(conn, learner_id, role_id)
        assert found is not None
        return found

    def roles(self, learner_id: str) -> dict[str, datetime]:
        """Every role the learner was seen in, with its start."""
        query = select(role_assignments).where(role_assignments.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            return {r["role_id"]: r["since"] for r in conn.execute(query).mappings()}

    @staticmethod
    def _since(conn: Connection, learner_id: str, role_id: str) -> datetime | None:
        row = conn.execute(
            select(role_assignments.c.since).where(
                role_assignments.c.learner_id == learner_id, role_assignments.c.role_id == role_id
            )
        ).first()
        return None if row is None else row.since

    def waive(
        self, learner_id: str, module_id: str, *, reason: str, actor: str, now: datetime
    ) -> str:
        """Waive a required module for a learner (replacing an earlier waiver); returns its id."""
        waiver_id = uuid.uuid4().hex
        values = {"waiver_id": waiver_id, "reason": reason[:500], "actor": actor[:200], "at": now}
        key = (module_waivers.c.learner_id == learner_id) & (
            module_waivers.c.module_id == module_id
        )
        with self._engine.begin() as conn:
            if conn.execute(update(module_waivers).where(key).values(**values)).rowcount == 0:
                conn.execute(
                    insert(module_waivers).values(
                        learner_id=learner_id, module_id=module_id, **values
                    )
                )
        return waiver_id

    def waivers(self, learner_id: str) -> dict[str, str]:
        """Waived modules of a learner: module id -> waiver id."""
        query = select(module_waivers).where(module_waivers.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            return {r["module_id"]: r["waiver_id"] for r in conn.execute(query).mappings()}

    def record(
        self,
        learner_id: str,
        kind: RecordKind,
        *,
        subject: str = "",
        inputs: dict[str, Any],
        output: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Record a recommendation with its inputs, unless it repeats the latest of its kind.

        Returns:
            Whether a new record was written.
        """
        fingerprint = digest(inputs, output)
        latest = (
            select(recommendations.c.digest)
            .where(
                recommendations.c.learner_id == learner_id,
                recommendations.c.kind == kind,
                recommendations.c.subject == subject[:200],
            )
            .order_by(recommendations.c.id.desc())
            .limit(1)
        )
        with self._engine.begin() as conn:
            if conn.execute(latest).scalar_one_or_none() == fingerprint:
                return False
            conn.execute(
                insert(recommendations).values(
                    learner_id=learner_id,
                    at=now,
                    kind=kind,
                    subject=subject[:200],
                    digest=fingerprint,
                    inputs=inputs,
                    output=output,
                )
            )
        return True

    def latest_paths(self, *, batch: int = 1000) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Each learner shown a path, with the outputs of their path records oldest first,
        streamed learner by learner through a server-side cursor (constant memory)."""
        query = (
            select(recommendations.c.learner_id, recommendations.c.output)
            .where(recommendations.c.kind == "path")
            .order_by(recommendations.c.learner_id, recommendations.c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            current: str | None = None
            outputs: list[dict[str, Any]] = []
            for row in rows:
                if row.learner_id != current:
                    if current is not None:
                        yield current, outputs
                    current, outputs = row.learner_id, []
                outputs.append(row.output)
            if current is not None:
                yield current, outputs

    def completed_many(self, learner_ids: Sequence[str]) -> dict[str, set[str]]:
        """Learner id -> modules they completed (every id present)."""
        out: dict[str, set[str]] = {i: set() for i in learner_ids}
        query = select(module_progress.c.learner_id, module_progress.c.module_id).where(
            module_progress.c.completed_at.is_not(None)
        )
        with self._engine.connect() as conn:
            for start in range(0, len(learner_ids), 1000):
                ids = list(learner_ids[start : start + 1000])
                for row in conn.execute(query.where(module_progress.c.learner_id.in_(ids))):
                    out[row.learner_id].add(row.module_id)
        return out

    def recommendations(
        self, *, learner_id: str | None = None, kind: RecordKind | None = None
    ) -> list[Recommendation]:
        """Records, oldest first, of one learner and/or one kind."""
        query = select(recommendations).order_by(recommendations.c.id)
        if learner_id is not None:
            query = query.where(recommendations.c.learner_id == learner_id)
        if kind is not None:
            query = query.where(recommendations.c.kind == kind)
        with self._engine.connect() as conn:
            return [
                Recommendation(
                    r["id"],
                    r["learner_id"],
                    r["at"],
                    r["kind"],
                    r["subject"],
                    r["inputs"],
                    r["output"],
                )
                for r in conn.execute(query).mappings()
            ]
