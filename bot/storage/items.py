"""The item bank and the response log: quiz items with their 2PL parameters, and every answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, case, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import items, responses
from learning.irt import FloatArray
from learning.items import Item, Option, prior_params

CONTEXTS = ("intake", "quiz", "check", "practice")
# Answers that measure: practice in a lesson comes after reading the answer, so it is left out
# of calibration and of the items a check counts as already met.
ASSESSED = ("intake", "quiz", "check")


@dataclass(frozen=True)
class ImportOutcome:
    """What storing a set of imported items changed.

    Attributes:
        added: Ids of items that were new.
        updated: Ids of items that replaced a stored item with the same id.
    """

    added: tuple[str, ...]
    updated: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    """One stored answer (scored; `chosen` is empty for "I don't know")."""

    learner_id: str
    item_id: str
    chosen: tuple[str, ...]
    correct: bool
    at: datetime
    context: str
    dialog_id: str | None


def item_to_row(item: Item) -> dict[str, Any]:
    """The columns describing an item's content (not its bookkeeping)."""
    return {
        "id": item.id,
        "stem": item.stem,
        "kind": item.kind,
        "options": [
            {"id": o.id, "text": o.text, "correct": o.correct, "feedback": o.feedback}
            for o in item.options
        ],
        "competency": item.competency,
        "module_id": item.module_id,
        "difficulty": item.difficulty,
        "explanation": item.explanation,
        "tags": list(item.tags),
        "source_line": item.source_line,
    }


def item_from_row(row: Any) -> Item:
    """An item from its stored row."""
    return Item(
        id=row["id"],
        stem=row["stem"],
        kind=row["kind"],
        options=tuple(
            Option(o["id"], o["text"], bool(o["correct"]), o.get("feedback", ""))
            for o in row["options"]
        ),
        competency=row["competency"],
        module_id=row["module_id"],
        difficulty=row["difficulty"],
        explanation=row["explanation"],
        a=float(row["a"]),
        b=float(row["b"]),
        tags=tuple(row["tags"]),
        source_line=int(row["source_line"]),
    )


class ItemRepository:
    """Quiz items and the log of answers to them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def import_items(self, new: Sequence[Item], *, source: str, now: datetime) -> ImportOutcome:
        """Insert or replace items by id, all in one transaction.

        A replaced item keeps its calibrated parameters when its question and options are
        unchanged (rewording the explanation does not invalidate a calibration); otherwise it
        starts again from the prior of its difficulty label. Imported items are un-retired.
        """
        added: list[str] = []
        updated: list[str] = []
        with self._engine.begin() as conn:
            for item in new:
                row = item_to_row(item)
                old = conn.execute(select(items).where(items.c.id == item.id)).mappings().first()
                if old is None:
                    conn.execute(
                        insert(items).values(
                            **row,
                            **_fresh(item),
                            retired=False,
                            source=source[:1000],
                            imported_at=now,
                            updated_at=now,
                        )
                    )
                    added.append(item.id)
                    continue
                same = old["stem"] == row["stem"] and old["options"] == row["options"]
                params = {} if same and old["calibrated"] else _fresh(item)
                conn.execute(
                    update(items)
                    .where(items.c.id == item.id)
                    .values(**row, **params, retired=False, source=source[:1000], updated_at=now)
                )
                updated.append(item.id)
        return ImportOutcome(tuple(added), tuple(updated))

    def get(self, item_id: str) -> Item | None:
        """An item by id (retired or not)."""
        with self._engine.connect() as conn:
            row = conn.execute(select(items).where(items.c.id == item_id)).mappings().first()
        return None if row is None else item_from_row(row)

    def bank(
        self, competencies: Iterable[str] | None = None, *, include_retired: bool = False
    ) -> tuple[Item, ...]:
        """The items of some competencies (or all), ordered by id."""
        query = select(items).order_by(items.c.id)
        if competencies is not None:
            query = query.where(items.c.competency.in_(list(competencies)))
        if not include_retired:
            query = query.where(items.c.retired.is_(False))
        with self._engine.connect() as conn:
            return tuple(item_from_row(r) for r in conn.execute(query).mappings())

    def selection_bank(self, competencies: Iterable[str]) -> tuple[Item, ...]:
        """The live items of some competencies with only what item selection reads.

        Each item has its id, competency, difficulty label and (a, b), but an empty stem and
        no options: reading 4 plain columns instead of the whole row keeps a quiz step fast
        on a large bank. Use `get` for an item to show.
        """
        cols = (items.c.id, items.c.competency, items.c.difficulty, items.c.a, items.c.b)
        query = (
            select(*cols)
            .where(items.c.competency.in_(list(competencies)), items.c.retired.is_(False))
            .order_by(items.c.id)
        )
        with self._engine.connect() as conn:
            return tuple(
                Item(id=i, stem="", kind="single", options=(), competency=c, difficulty=d, a=a, b=b)
                for i, c, d, a, b in conn.execute(query)
            )

    def competencies(self) -> dict[str, int]:
        """Competency -> number of live items, for every competency that has some."""
        query = (
            select(items.c.competency, func.count())
            .where(items.c.retired.is_(False))
            .group_by(items.c.competency)
            .order_by(items.c.competency)
        )
        with self._engine.connect() as conn:
            return {str(c): int(n) for c, n in conn.execute(query)}

    def sources(self, item_ids: Sequence[str]) -> dict[str, str]:
        """The file each of these stored items was imported from (ids not stored are left out)."""
        if not item_ids:
            return {}
        query = select(items.c.id, items.c.source).where(items.c.id.in_(list(item_ids)))
        with self._engine.connect() as conn:
            return {str(i): str(s) for i, s in conn.execute(query)}

    def calibrated_ids(self) -> frozenset[str]:
        """Ids of items whose parameters came from calibration."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(items.c.id).where(items.c.calibrated.is_(True)))
            return frozenset(rows.scalars())

    def set_params(self, params: Mapping[str, tuple[float, float]], *, now: datetime) -> int:
        """Store calibrated (a, b) for items; returns how many stored items were updated."""
        done = 0
        with self._engine.begin() as conn:
            for item_id, (a, b) in params.items():
                result = conn.execute(
                    update(items)
                    .where(items.c.id == item_id)
                    .values(a=float(a), b=float(b), calibrated=True, updated_at=now)
                )
                done += int(result.rowcount)
        return done

    def set_retired(self, item_id: str, retired: bool, *, now: datetime) -> bool:
        """Retire an item (never asked again) or restore it; False when it does not exist."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(items).where(items.c.id == item_id).values(retired=retired, updated_at=now)
            )
        return result.rowcount == 1

    def record_response(
        self,
        *,
        learner_id: str,
        item_id: str,
        chosen: Sequence[str],
        correct: bool,
        context: str,
        dialog_id: str | None,
        now: datetime,
    ) -> bool:
        """Append one answer; False (and nothing stored) if the dialog already answered the item.

        Raises:
            ValueError: `context` is not intake, quiz, check or practice.
        """
        if context not in CONTEXTS:
            raise ValueError(f"unknown response context {context!r}")
        values = {
            "learner_id": learner_id,
            "item_id": item_id,
            "chosen": sorted(chosen),
            "correct": correct,
            "at": now,
            "context": context,
            "dialog_id": dialog_id,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(responses).values(**values))
        except IntegrityError:
            return False
        return True

    def responses(self, *, learner_id: str | None = None) -> list[Response]:
        """Stored answers (of one learner, or everyone's), oldest first."""
        query = select(responses).order_by(responses.c.id)
        if learner_id is not None:
            query = query.where(responses.c.learner_id == learner_id)
        with self._engine.connect() as conn:
            return [_response(r) for r in conn.execute(query).mappings()]

    def answered_ids(self, learner_id: str, *, practice: bool = False) -> frozenset[str]:
        """Ids of the items a learner has answered in a quiz or check (or in practice too)."""
        query = select(responses.c.item_id).where(responses.c.learner_id == learner_id)
        if not practice:
            query = query.where(responses.c.context.in_(ASSESSED))
        with self._engine.connect() as conn:
            return frozenset(conn.execute(query.distinct()).scalars())

    def practice_counts(self) -> dict[str, tuple[int, int]]:
        """Item id -> (practice answers in lessons, of which correct)."""
        query = (
            select(
                responses.c.item_id, func.count(), func.sum(case((responses.c.correct, 1), else_=0))
            )
            .where(responses.c.context == "practice")
            .group_by(responses.c.item_id)
        )
        with self._engine.connect() as conn:
            return {str(r[0]): (int(r[1]), int(r[2] or 0)) for r in conn.execute(query)}

    def response_matrix(self) -> tuple[tuple[str, ...], FloatArray]:
        """Learners x items of each learner's *first* answer to each item (1, 0 or NaN).

        Later answers to the same item are left out: after feedback and study they no longer
        measure the item the way a first encounter does. Practice answers in lessons are left
        out too: the learner has just read the answer. Columns are the items anyone
        answered, ordered by id.
        """
        with self._engine.connect() as conn:
            rows = _first_answers(conn)
        item_ids = tuple(sorted({item for _, item, _ in rows}))
        learners = sorted({learner for learner, _, _ in rows})
        col = {item: j for j, item in enumerate(item_ids)}
        row_of = {learner: i for i, learner in enumerate(learners)}
        matrix = np.full((len(learners), len(item_ids)), np.nan)
        for learner, item, correct in rows:
            matrix[row_of[learner], col[item]] = 1.0 if correct else 0.0
        return item_ids, matrix


def _fresh(item: Item) -> dict[str, Any]:
    a, b = prior_params(item.difficulty)
    return {"a": a, "b": b, "calibrated": False}


def _first_answers(conn: Connection) -> list[tuple[str, str, bool]]:
    first = (
        select(func.min(responses.c.id))
        .where(responses.c.context.in_(ASSESSED))
        .group_by(responses.c.learner_id, responses.c.item_id)
    )
    query = select(responses.c.learner_id, responses.c.item_id, responses.c.correct).where(
        responses.c.id.in_(first)
    )
    return [(str(r[0]), str(r[1]), bool(r[2])) for r in conn.execute(query)]


def _response(row: Any) -> Response:
    return Response(
        learner_id=row["learner_id"],
        item_id=row["item_id"],
        chosen=tuple(row["chosen"]),
        correct=bool(row["correct"]),
        at=row["at"],
        context=row["context"],
        dialog_id=row["dialog_id"],
    )
