"""Lesson cards and the page content of each module (written with the module's rows), and
each learner's lesson positions and events.

A module's row in `lesson_cards` holds `{"cards": [...], "page": {...}}`; rows written before
module pages existed hold the bare list of cards (they have no page until the next ingest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.storage.tables import lesson_cards, lesson_events, lesson_progress
from content_index.lessons import Card
from content_index.model import ContentBlock
from content_index.page import PageContent, PageSection


def card_to_json(card: Card) -> dict[str, Any]:
    """A card as JSON-ready data (`overflow` only when it has any)."""
    data: dict[str, Any] = {
        "n": card.n,
        "kind": card.kind,
        "text": card.text,
        "chars": card.chars,
        "section": card.section,
        "anchor": card.anchor,
    }
    if card.overflow:
        data["overflow"] = list(card.overflow)
    return data


def card_from_json(data: dict[str, Any]) -> Card:
    """A card from stored JSON."""
    return Card(
        n=int(data["n"]),
        kind=str(data["kind"]),
        text=str(data["text"]),
        chars=int(data["chars"]),
        section=str(data.get("section", "")),
        anchor=str(data.get("anchor", "")),
        overflow=tuple(data.get("overflow", ())),
    )


def page_to_json(page: PageContent) -> dict[str, Any]:
    """Page content as JSON-ready data."""
    return {
        "folder": page.folder,
        "base": page.base,
        "sections": [
            {
                "title": s.title,
                "anchor": s.anchor,
                "level": s.level,
                "blocks": [_block_to_json(b) for b in s.blocks],
            }
            for s in page.sections
        ],
    }


def page_from_json(data: dict[str, Any]) -> PageContent:
    """Page content from stored JSON."""
    sections = tuple(
        PageSection(
            title=str(s.get("title", "")),
            anchor=str(s.get("anchor", "")),
            level=int(s.get("level", 0)),
            blocks=tuple(
                ContentBlock(str(b["kind"]), str(b["text"]), str(b.get("src", "")))
                for b in s.get("blocks", ())
            ),
        )
        for s in data.get("sections", ())
    )
    return PageContent(sections, str(data.get("folder", "")), str(data.get("base", "")))


def _block_to_json(block: ContentBlock) -> dict[str, str]:
    data = {"kind": block.kind, "text": block.text}
    if block.src:
        data["src"] = block.src
    return data


def replace_cards(
    conn: Connection, module_id: str, cards: Sequence[Card], page: PageContent | None = None
) -> None:
    """Replace a module's cards (and page) inside the caller's transaction (the module row
    must exist)."""
    stored: Any = [card_to_json(c) for c in cards]
    if page is not None:
        stored = {"cards": stored, "page": page_to_json(page)}
    conn.execute(delete(lesson_cards).where(lesson_cards.c.module_id == module_id))
    conn.execute(insert(lesson_cards).values(module_id=module_id, cards=stored))


class LessonRepository:
    """Reads the lesson cards stored at ingest (`ContentRepository.save` writes them)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def cards(self, module_id: str) -> tuple[Card, ...] | None:
        """A module's cards in order; None when none were stored (ingested before lessons)."""
        stored = self._stored(module_id)
        if stored is None:
            return None
        listed = stored["cards"] if isinstance(stored, dict) else stored
        return tuple(card_from_json(c) for c in listed)

    def page(self, module_id: str) -> PageContent | None:
        """A module's page content; None when none was stored (ingested before pages)."""
        stored = self._stored(module_id)
        if not isinstance(stored, dict) or "page" not in stored:
            return None
        return page_from_json(stored["page"])

    def _stored(self, module_id: str) -> Any:
        query = select(lesson_cards.c.cards).where(lesson_cards.c.module_id == module_id)
        with self._engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()


@dataclass(frozen=True)
class LessonPosition:
    """Where a learner is in a module's lesson.

    Attributes:
        card: The index of the card they are on (from 0).
        cards: How many cards the lesson had then.
        started_at: When they first opened it.
        updated_at: When they last moved.
        finished_at: When they first reached its end, if ever.
        rating: Their last rating of it (useful, not_useful, too_long), if any.
    """

    card: int
    cards: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    rating: str | None = None


@dataclass(frozen=True)
class LessonStats:
    """One module's lessons, for the admins' report.

    Attributes:
        module_id: The module.
        started: Learners who opened its lesson.
        finished: Learners who reached its end.
        left_on: The card (from 1) that learners who have not finished most often stopped on,
            with how many stopped there; None when everyone finished.
        skips: Parts skipped.
        answers: Practice questions answered in the lesson.
        correct: Of those, answered correctly.
        ratings: Rating -> count.
    """

    module_id: str
    started: int
    finished: int
    left_on: tuple[int, int] | None
    skips: int
    answers: int
    correct: int
    ratings: dict[str, int]


class LessonProgressRepository:
    """Lesson positions and the lesson event log."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def position(self, learner_id: str, module_id: str) -> LessonPosition | None:
        """Where the learner is in the module's lesson; None if they never opened it."""
        query = select(lesson_progress).where(
            lesson_progress.c.learner_id == learner_id, lesson_progress.c.module_id == module_id
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return LessonPosition(
            card=row["card"],
            cards=row["cards"],
            started_at=row["started_at"],
            updated_at=row["updated_at"],
            finished_at=row["finished_at"],
            rating=row["rating"],
        )

    def unfinished(self, learner_id: str) -> list[str]:
        """Modules whose lesson the learner opened and has not finished, latest first."""
        query = (
            select(lesson_progress.c.module_id)
            .where(lesson_progress.c.learner_id == learner_id)
            .where(lesson_progress.c.finished_at.is_(None))
            .order_by(lesson_progress.c.updated_at.desc(), lesson_progress.c.module_id)
        )
        with self._engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def move(
        self, learner_id: str, module_id: str, *, card: int, cards: int, now: datetime
    ) -> None:
        """Record the card the learner is on (creating the row on the first card)."""
        where = (lesson_progress.c.learner_id == learner_id) & (
            lesson_progress.c.module_id == module_id
        )
        with self._engine.begin() as conn:
            done = conn.execute(
                update(lesson_progress).where(where).values(card=card, cards=cards, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(
                    insert(lesson_progress).values(
                        learner_id=learner_id,
                        module_id=module_id,
                        card=card,
                        cards=cards,
                        started_at=now,
                        updated_at=now,
                    )
                )

    def finish(self, learner_id: str, module_id: str, *, now: datetime) -> bool:
        """Mark the lesson finished (the first time only); True if this call finished it."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(lesson_progress)
                .where(
                    lesson_progress.c.learner_id == learner_id,
                    lesson_progress.c.module_id == module_id,
                    lesson_progress.c.finished_at.is_(None),
                )
                .values(finished_at=now, updated_at=now)
            )
        return done.rowcount == 1

    def rate(self, learner_id: str, module_id: str, rating: str, *, now: datetime) -> bool:
        """Store the learner's rating of a lesson they opened; False if they never did."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(lesson_progress)
                .where(
                    lesson_progress.c.learner_id == learner_id,
                    lesson_progress.c.module_id == module_id,
                )
                .values(rating=rating)
            )
        return done.rowcount == 1

    def log(
        self,
        learner_id: str,
        module_id: str,
        kind: str,
        *,
        card: int,
        now: datetime,
        value: str = "",
        seconds: float | None = None,
    ) -> None:
        """Append one lesson event (view, skip, answer, pause, finish or rate)."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(lesson_events).values(
                    learner_id=learner_id,
                    module_id=module_id,
                    at=now,
                    kind=kind,
                    card=card,
                    value=value[:32],
                    seconds=seconds,
                )
            )

    def events(self, learner_id: str, module_id: str) -> list[dict[str, Any]]:
        """A learner's events in one lesson, oldest first."""
        query = (
            select(lesson_events)
            .where(lesson_events.c.learner_id == learner_id)
            .where(lesson_events.c.module_id == module_id)
            .order_by(lesson_events.c.id)
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def stats(self) -> list[LessonStats]:
        """Every opened lesson's figures, most started first (a few grouped queries)."""
        p, e = lesson_progress.c, lesson_events.c
        with self._engine.connect() as conn:
            opened = conn.execute(
                select(p.module_id, func.count(), func.count(p.finished_at)).group_by(p.module_id)
            ).all()
            stops = conn.execute(
                select(p.module_id, p.card, func.count())
                .where(p.finished_at.is_(None))
                .group_by(p.module_id, p.card)
            ).all()
            counted = conn.execute(
                select(e.module_id, e.kind, e.value, func.count())
                .where(e.kind.in_(("skip", "answer", "rate")))
                .group_by(e.module_id, e.kind, e.value)
            ).all()
        left: dict[str, tuple[int, int]] = {}
        for module_id, card, n in stops:
            best = left.get(module_id)
            if best is None or n > best[1] or (n == best[1] and card + 1 < best[0]):
                left[module_id] = (int(card) + 1, int(n))
        tallies: dict[str, dict[str, int]] = {}
        ratings: dict[str, dict[str, int]] = {}
        for module_id, kind, value, n in counted:
            tally = tallies.setdefault(module_id, {"skip": 0, "answer": 0, "correct": 0})
            if kind == "rate":
                ratings.setdefault(module_id, {})[value] = int(n)
                continue
            tally[kind] += int(n)
            if kind == "answer" and value == "correct":
                tally["correct"] += int(n)
        found = []
        for module_id, started, finished in opened:
            tally = tallies.get(module_id, {"skip": 0, "answer": 0, "correct": 0})
            found.append(
                LessonStats(
                    module_id=module_id,
                    started=int(started),
                    finished=int(finished),
                    left_on=left.get(module_id),
                    skips=tally["skip"],
                    answers=tally["answer"],
                    correct=tally["correct"],
                    ratings=ratings.get(module_id, {}),
                )
            )
        return sorted(found, key=lambda s: (-s.started, s.module_id))
