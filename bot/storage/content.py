"""The content library's records: modules, their chunks, content gaps and answer feedback."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, case, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.core.errors import Conflict
from bot.storage.lessons import replace_cards
from bot.storage.tables import (
    answer_feedback,
    chunks,
    content_gaps,
    lesson_cards,
    library_state,
    modules,
)
from content_index.model import Chunk, ModuleMeta

if TYPE_CHECKING:
    from content_index.lessons import Card
    from content_index.page import PageContent


@dataclass(frozen=True)
class ModuleRecord:
    """A stored module: its metadata, the hash of the ingested bytes, and whether retired."""

    meta: ModuleMeta
    content_hash: str
    retired: bool
    ingested_at: datetime


def meta_to_json(meta: ModuleMeta) -> dict[str, Any]:
    """ModuleMeta as JSON-ready data."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(meta).items()}


def meta_from_json(data: dict[str, Any]) -> ModuleMeta:
    """ModuleMeta from stored JSON (unknown keys from older versions are ignored)."""
    known = {f.name for f in fields(ModuleMeta)}
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known
    }
    return ModuleMeta(**values)


class ContentRepository:
    """Modules and chunks, written together in one transaction per document."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The database the records are in (other repositories of the library share it)."""
        return self._engine

    def by_source(self, source: str) -> ModuleRecord | None:
        """The module ingested from `source`, if any."""
        with self._engine.connect() as conn:
            row = conn.execute(select(modules).where(modules.c.source == source)).mappings().first()
        return None if row is None else _record(row)

    def get(self, module_id: str) -> ModuleRecord | None:
        """A module by id."""
        with self._engine.connect() as conn:
            row = conn.execute(select(modules).where(modules.c.id == module_id)).mappings().first()
        return None if row is None else _record(row)

    def modules(self, *, include_retired: bool = False) -> list[ModuleRecord]:
        """Every module, ordered by id."""
        query = select(modules).order_by(modules.c.id)
        if not include_retired:
            query = query.where(modules.c.retired.is_(False))
        with self._engine.connect() as conn:
            return [_record(r) for r in conn.execute(query).mappings()]

    def save(
        self,
        meta: ModuleMeta,
        *,
        content_hash: str,
        new_chunks: list[Chunk],
        now: datetime,
        cards: Sequence[Card] | None = None,
        page: PageContent | None = None,
    ) -> list[str]:
        """Insert or replace a module, all its chunks, its lesson cards and page atomically.

        The module's old cards go in the same transaction, so a module never keeps the cards
        of an older version; `cards=None` stores none (the lesson asks for a new ingest), and
        `page` is stored only with cards.

        Returns:
            The ids of the chunks the module had before (to remove from the vector index).

        Raises:
            Conflict: when another source already uses this module id.
        """
        with self._engine.begin() as conn:
            owner = conn.execute(
                select(modules.c.source).where(modules.c.id == meta.id)
            ).scalar_one_or_none()
            if owner is not None and owner != meta.source:
                raise Conflict(f"{meta.source}: module id '{meta.id}' is already used by {owner}")
            old = self._chunk_ids(conn, meta.id)
            conn.execute(delete(chunks).where(chunks.c.module_id == meta.id))
            replaced = select(modules.c.id).where(modules.c.source == meta.source)
            conn.execute(
                delete(lesson_cards).where(
                    (lesson_cards.c.module_id == meta.id) | lesson_cards.c.module_id.in_(replaced)
                )
            )
            conn.execute(delete(modules).where(modules.c.source == meta.source))
            conn.execute(
                insert(modules).values(
                    id=meta.id,
                    title=meta.title,
                    source=meta.source,
                    content_hash=content_hash,
                    meta=meta_to_json(meta),
                    retired=False,
                    ingested_at=now,
                )
            )
            if new_chunks:
                conn.execute(insert(chunks), [_chunk_row(c) for c in new_chunks])
            if cards is not None:
                replace_cards(conn, meta.id, cards, page)
            _bump(conn)
        return old

    def has_cards(self, module_id: str, *, with_page: bool = False) -> bool:
        """Whether the module's lesson cards (and, with `with_page`, its page) are stored:
        modules ingested before lessons have no cards, those ingested before pages no page."""
        query = select(lesson_cards.c.cards).where(lesson_cards.c.module_id == module_id)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return False
        return not with_page or (isinstance(row[0], dict) and "page" in row[0])

    def add_cards(
        self, module_id: str, cards: Sequence[Card], page: PageContent | None = None
    ) -> bool:
        """Store the cards (and page) of an unchanged module; False when the module does not
        exist."""
        with self._engine.begin() as conn:
            found = conn.execute(select(modules.c.id).where(modules.c.id == module_id)).first()
            if found is None:
                return False
            replace_cards(conn, module_id, cards, page)
        return True

    def delete(self, module_id: str) -> list[str]:
        """Delete a module; returns its chunk ids."""
        with self._engine.begin() as conn:
            old = self._chunk_ids(conn, module_id)
            conn.execute(delete(lesson_cards).where(lesson_cards.c.module_id == module_id))
            conn.execute(delete(modules).where(modules.c.id == module_id))
            _bump(conn)
        return old

    def set_retired(self, module_id: str, retired: bool) -> bool:
        """Retire or restore a module; False when it does not exist."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(modules).where(modules.c.id == module_id).values(retired=retired)
            )
            if done.rowcount == 1:
                _bump(conn)
        return done.rowcount == 1

    def set_tags(self, module_id: str, tags: tuple[str, ...]) -> bool:
        """Replace a module's tags; False when it does not exist."""
        record = self.get(module_id)
        if record is None:
            return False
        meta = meta_to_json(replace(record.meta, tags=tags))
        with self._engine.begin() as conn:
            conn.execute(update(modules).where(modules.c.id == module_id).values(meta=meta))
        return True

    def chunks(self, *, module_ids: list[str] | None = None) -> list[Chunk]:
        """Stored chunks (of some modules, or all), in module and ordinal order."""
        query = select(chunks).order_by(chunks.c.module_id, chunks.c.ordinal)
        if module_ids is not None:
            query = query.where(chunks.c.module_id.in_(module_ids))
        with self._engine.connect() as conn:
            return [_chunk(r) for r in conn.execute(query).mappings()]

    def has_chunks(self) -> bool:
        """Whether the library holds anything to search (one cheap query per question)."""
        with self._engine.connect() as conn:
            return conn.execute(select(chunks.c.id).limit(1)).first() is not None

    def version(self) -> tuple[int, int, str]:
        """Changes whenever modules are ingested, replaced, deleted, retired or restored.

        A process compares it before each search, so content ingested through another
        replica is searched without a restart.
        """
        retired = func.sum(case((modules.c.retired.is_(True), 1), else_=0))
        query = select(func.count(), retired, func.max(modules.c.ingested_at))
        with self._engine.connect() as conn:
            count, retired_count, latest = conn.execute(query).one()
        return int(count), int(retired_count or 0), str(latest)

    def generation(self) -> int:
        """The library's generation: bumped by every ingest, replacement, deletion, retirement
        and restoration (in the same transaction), 0 for a library never written to."""
        query = select(library_state.c.generation).where(library_state.c.id == 1)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one_or_none() or 0)

    def chunk_ids(self) -> set[str]:
        """Every stored chunk id (to tell live index entries from orphans)."""
        with self._engine.connect() as conn:
            return set(conn.execute(select(chunks.c.id)).scalars())

    def record_gap(
        self, question: str, *, learner_id: str | None, best_score: float, now: datetime
    ) -> None:
        """Remember a question the library could not answer."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(content_gaps).values(
                    at=now,
                    learner_id=learner_id,
                    question=question[:2000],
                    best_score=best_score,
                )
            )

    def gaps(self, *, limit: int = 500) -> list[dict[str, Any]]:
        """Unanswered questions, newest first."""
        query = select(content_gaps).order_by(content_gaps.c.id.desc()).limit(limit)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def record_answer(
        self, *, learner_id: str, question: str, sources: list[dict[str, Any]], now: datetime
    ) -> str:
        """Store an answer's question and sources; returns the id its feedback buttons carry."""
        answer_id = uuid.uuid4().hex
        with self._engine.begin() as conn:
            conn.execute(
                insert(answer_feedback).values(
                    id=answer_id,
                    at=now,
                    learner_id=learner_id,
                    question=question[:2000],
                    sources=sources,
                    helpful=None,
                )
            )
        return answer_id

    def rate_answer(self, answer_id: str, *, learner_id: str, helpful: bool) -> bool:
        """Record Helpful / Not helpful on the learner's own answer; False if not theirs."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(answer_feedback)
                .where(
                    answer_feedback.c.id == answer_id, answer_feedback.c.learner_id == learner_id
                )
                .values(helpful=helpful)
            )
        return done.rowcount == 1

    @staticmethod
    def _chunk_ids(conn: Connection, module_id: str) -> list[str]:
        return list(
            conn.execute(select(chunks.c.id).where(chunks.c.module_id == module_id)).scalars()
        )


def _bump(conn: Connection) -> None:
    """Advance the library generation (the row is made when missing)."""
    state = library_state
    done = conn.execute(
        update(state).where(state.c.id == 1).values(generation=state.c.generation + 1)
    )
    if done.rowcount == 0:
        conn.execute(insert(state).values(id=1, generation=1))


def _record(row: Any) -> ModuleRecord:
    return ModuleRecord(
        meta_from_json(row["meta"]), row["content_hash"], bool(row["retired"]), row["ingested_at"]
    )


def _chunk_row(c: Chunk) -> dict[str, Any]:
    return asdict(c)


def _chunk(row: Any) -> Chunk:
    return Chunk(**{f.name: row[f.name] for f in fields(Chunk)})
