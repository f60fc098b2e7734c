"""Content-gap groups, their questions and answer-feedback adjustments: every SQL statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, and_, cast, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import (
    answer_adjustments,
    answer_feedback,
    content_gaps,
    gap_groups,
    gap_questions,
)
from retrieval.feedback import Adjustment

OPEN, CLOSED = "open", "closed"
UNANSWERED, NOT_HELPFUL = "unanswered", "not_helpful"


@dataclass(frozen=True)
class GapGroupRow:
    """A stored group with its counts."""

    id: int
    example: str
    centroid: tuple[float, ...]
    size: int
    status: str
    first_at: datetime
    last_at: datetime
    closed_at: datetime | None
    checked_generation: int
    unanswered: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class GapQuestion:
    """One question of a group."""

    id: int
    group_id: int
    learner_id: str | None
    kind: str
    question: str
    at: datetime
    notified: bool


def _group(row: Any, counts: dict[tuple[int, str], int]) -> GapGroupRow:
    return GapGroupRow(
        id=row["id"],
        example=row["example"],
        centroid=tuple(row["centroid"]),
        size=row["size"],
        status=row["status"],
        first_at=row["first_at"],
        last_at=row["last_at"],
        closed_at=row["closed_at"],
        checked_generation=row["checked_generation"],
        unanswered=counts.get((row["id"], UNANSWERED), 0),
        not_helpful=counts.get((row["id"], NOT_HELPFUL), 0),
    )


def _question(row: Any) -> GapQuestion:
    return GapQuestion(
        row["id"],
        row["group_id"],
        row["learner_id"],
        row["kind"],
        row["question"],
        row["at"],
        bool(row["notified"]),
    )


class GapRepository:
    """Gap groups and their questions; the adjustments "Not helpful" leaves behind."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # Groups ---------------------------------------------------------------------------------

    def groups(self) -> list[GapGroupRow]:
        """Every group, with how many of its questions were unanswered or not helpful
        (counted since it was closed, for a closed group)."""
        since = func.coalesce(gap_groups.c.closed_at, gap_questions.c.at)
        counted = (
            select(gap_questions.c.group_id, gap_questions.c.kind, func.count())
            .join(gap_groups, gap_groups.c.id == gap_questions.c.group_id)
            .where(gap_questions.c.at >= since)
            .group_by(gap_questions.c.group_id, gap_questions.c.kind)
        )
        with self._engine.connect() as conn:
            counts = {(g, k): int(n) for g, k, n in conn.execute(counted)}
            rows = conn.execute(select(gap_groups).order_by(gap_groups.c.id)).mappings()
            return [_group(r, counts) for r in rows]

    def add(
        self,
        *,
        source: str,
        group_id: int | None,
        centroid: Sequence[float],
        learner_id: str | None,
        kind: str,
        question: str,
        vector: Sequence[float],
        at: datetime,
    ) -> bool:
        """Add a question to group `group_id` (its new centroid given) or to a new group.

        A new unanswered question reopens a closed group. Returns False when `source` was
        added before (another process got there first).
        """
        try:
            with self._engine.begin() as conn:
                if group_id is None:
                    group_id = conn.execute(
                        insert(gap_groups)
                        .values(
                            example=question[:2000],
                            centroid=list(centroid),
                            size=1,
                            status=OPEN,
                            first_at=at,
                            last_at=at,
                            closed_at=None,
                            checked_generation=0,
                        )
                        .returning(gap_groups.c.id)
                    ).scalar_one()
                else:
                    last = conn.execute(
                        select(gap_groups.c.last_at).where(gap_groups.c.id == group_id)
                    ).scalar_one()
                    values: dict[str, Any] = {
                        "centroid": list(centroid),
                        "size": gap_groups.c.size + 1,
                        "last_at": max(last, at),
                    }
                    if kind == UNANSWERED:
                        values |= {"status": OPEN, "closed_at": None, "checked_generation": 0}
                    conn.execute(
                        update(gap_groups).where(gap_groups.c.id == group_id).values(**values)
                    )
                conn.execute(
                    insert(gap_questions).values(
                        source=source[:64],
                        group_id=group_id,
                        learner_id=learner_id,
                        kind=kind,
                        question=question[:2000],
                        vector=[float(x) for x in vector],
                        at=at,
                        notified=False,
                    )
                )
        except IntegrityError:
            return False
        return True

    def questions(self, group_id: int, *, kind: str | None = None) -> list[GapQuestion]:
        """A group's questions, oldest first."""
        query = select(gap_questions).where(gap_questions.c.group_id == group_id)
        if kind is not None:
            query = query.where(gap_questions.c.kind == kind)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(gap_questions.c.id)).mappings()
            return [_question(r) for r in rows]

    def checked(self, group_id: int, *, generation: int) -> None:
        """Remember that the group was checked against this library generation."""
        with self._engine.begin() as conn:
            conn.execute(
                update(gap_groups)
                .where(gap_groups.c.id == group_id)
                .values(checked_generation=generation)
            )

    def close(self, group_id: int, *, generation: int, now: datetime) -> bool:
        """Mark an open group closed (the library now answers it); False if it was not open."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(gap_groups)
                .where(gap_groups.c.id == group_id, gap_groups.c.status == OPEN)
                .values(status=CLOSED, closed_at=now, checked_generation=generation)
            )
        return done.rowcount == 1

    def to_notify(self) -> list[tuple[GapGroupRow, GapQuestion]]:
        """Unanswered questions of closed groups whose asker has not been told yet."""
        query = (
            select(gap_questions, gap_groups.c.closed_at.label("closed"))
            .join(gap_groups, gap_groups.c.id == gap_questions.c.group_id)
            .where(
                gap_groups.c.status == CLOSED,
                gap_questions.c.kind == UNANSWERED,
                gap_questions.c.notified.is_(False),
                gap_questions.c.learner_id.is_not(None),
                gap_questions.c.at <= gap_groups.c.closed_at,
            )
            .order_by(gap_questions.c.id)
        )
        groups = {g.id: g for g in self.groups()}
        with self._engine.connect() as conn:
            rows = list(conn.execute(query).mappings())
        return [(groups[r["group_id"]], _question(r)) for r in rows if r["group_id"] in groups]

    def mark_notified(self, question_ids: Sequence[int]) -> None:
        """Remember that these askers were told (or chose not to be)."""
        if not question_ids:
            return
        with self._engine.begin() as conn:
            conn.execute(
                update(gap_questions)
                .where(gap_questions.c.id.in_(list(question_ids)))
                .values(notified=True)
            )

    # Sources not grouped yet ----------------------------------------------------------------

    def ungrouped_gaps(self, *, limit: int = 1000) -> list[dict[str, Any]]:
        """Content-gap rows not yet in a group, oldest first."""
        source = literal("gap:") + cast(content_gaps.c.id, String)
        query = (
            select(content_gaps)
            .where(~exists().where(gap_questions.c.source == source))
            .order_by(content_gaps.c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # Answers and their adjustments ----------------------------------------------------------

    def answer(self, answer_id: str) -> dict[str, Any] | None:
        """One stored answer (question, sources, learner, rating), None when unknown."""
        query = select(answer_feedback).where(answer_feedback.c.id == answer_id[:32])
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else dict(row)

    def last_answer(self, learner_id: str, *, since: datetime) -> dict[str, Any] | None:
        """The learner's latest answer given from `since` on and not rated yet."""
        query = (
            select(answer_feedback)
            .where(
                and_(
                    answer_feedback.c.learner_id == learner_id,
                    answer_feedback.c.at >= since,
                    answer_feedback.c.helpful.is_(None),
                )
            )
            .order_by(answer_feedback.c.at.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else dict(row)

    def adjust(
        self,
        answer_id: str,
        *,
        learner_id: str,
        passages: Sequence[tuple[str, str]],
        vector: Sequence[float],
        reason: str,
        now: datetime,
    ) -> bool:
        """Store the adjustments of one "Not helpful" (once per answer and passage).

        Returns False when this answer was adjusted before.
        """
        rows = [
            {
                "answer_id": answer_id[:32],
                "ordinal": n,
                "learner_id": learner_id,
                "module_id": module_id[:200],
                "section": section[:500],
                "vector": [float(x) for x in vector],
                "reason": reason[:16],
                "at": now,
            }
            for n, (module_id, section) in enumerate(passages)
        ]
        if not rows:
            return False
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(answer_adjustments), rows)
        except IntegrityError:
            return False
        return True

    def adjustments_version(self) -> tuple[int, str]:
        """Changes whenever an adjustment is stored (so a reader may cache them)."""
        query = select(func.count(), func.max(answer_adjustments.c.at))
        with self._engine.connect() as conn:
            count, latest = conn.execute(query).one()
        return int(count), str(latest)

    def adjustments(self, *, since: datetime) -> list[Adjustment]:
        """Adjustments made from `since` on."""
        query = select(answer_adjustments).where(answer_adjustments.c.at >= since)
        with self._engine.connect() as conn:
            return [
                Adjustment(r["module_id"], r["section"], tuple(r["vector"]), r["at"])
                for r in conn.execute(query).mappings()
            ]
