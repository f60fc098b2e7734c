"""The content library service: ingestion kept consistent across database and index, and Q&A.

The shape of an answer (`Answered`, `Source`) is in `bot.core.model`; citing is in
`bot.features.answers`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core import messages as msg
from bot.core.clock import Clock
from bot.core.errors import Conflict, UserError
from bot.core.model import Answered, IndexStatus, IngestReport
from bot.features.answers import cited_source, source_of, unique_modules
from bot.settings import Settings
from bot.storage.content import ContentRepository
from bot.storage.files import private_dir
from bot.storage.gaps import GapRepository

if TYPE_CHECKING:
    from content_index.lessons import Card
    from content_index.model import Chunk, ParsedDocument
    from content_index.page import PageContent
    from retrieval.answer import Answer
    from retrieval.feedback import AdjustmentSet
    from retrieval.hybrid import Hit, HybridRetriever
    from retrieval.store import ChromaVectorStore

log = logging.getLogger(__name__)
# How long a vector store that could not be opened is left alone before the next try.
STORE_RETRY_S = 10.0
Progress = Callable[[int, int, str], None]
# A follow-up's previous module: its hits' fused scores count this much more, enough to win
# a near tie, not to hide a clearly better module.
PREFERRED_BOOST = 0.2
EMBED_GROUP = 1024  # chunks embedded together (length-sorted batches need a wide pool)


@dataclass(frozen=True)
class _Prepared:
    """A parsed document, its chunks, lesson cards and page, waiting to be embedded and
    written."""

    doc: ParsedDocument
    chunks: list[Chunk]
    cards: tuple[Card, ...]
    page: PageContent


class Library:
    """Ingests documents and answers questions from them.

    The database is the source of truth. A document's new vectors are written first, then its
    module and chunk rows in one transaction, then its old vectors are deleted; if the database
    write fails the new vectors are removed again. Search ignores vectors whose chunk is not in
    the database, so a crash in between can leave unused vectors, never a half-written module.
    """

    def __init__(
        self,
        *,
        content: ContentRepository,
        settings: Settings,
        clock: Clock,
        chat_model: Any = None,
        embedder: Any = None,
    ) -> None:
        self._content = content
        self._feedback = GapRepository(content.engine)
        self._settings = settings
        self._clock = clock
        self._chat_model = chat_model
        self._embedder: Any = embedder
        self._lock = threading.RLock()  # request threads share one retriever
        self._rebuilding = threading.Event()
        self._version: tuple[int, int, str] | None = None
        self._store: ChromaVectorStore | None = None
        self._store_retry_at = 0.0  # monotonic time before which a failed open is not retried
        self._retriever: HybridRetriever | None = None
        self._adjustment_cache: tuple[tuple[int, str], AdjustmentSet] | None = None

    @property
    def content(self) -> ContentRepository:
        """The module and chunk records."""
        return self._content

    def embedder(self) -> Any:
        """The embedding model (loaded on first use)."""
        if self._embedder is None:
            from retrieval.onnx_embedder import OnnxEmbedder

            self._embedder = OnnxEmbedder(self._settings.models_dir)
        return self._embedder

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Question vectors from the library's embedding model (normalised)."""
        vectors = self.embedder().embed_documents(list(texts))
        return [[float(x) for x in v] for v in vectors]

    def store(self) -> ChromaVectorStore:
        """The vector store: embedded Chroma in the data folder, or a Chroma server."""
        if self._store is None:
            from retrieval.errors import VectorStoreError
            from retrieval.store import ChromaVectorStore

            if time.monotonic() < self._store_retry_at:
                # Opening a client to a server that is down takes seconds of retries; while
                # it is down each question would pay them, so wait before trying again.
                raise VectorStoreError("the vector store was unreachable moments ago")
            url = self._settings.chroma_url
            path = None if url else private_dir(self._settings.index_dir / "chroma")
            try:
                self._store = ChromaVectorStore(path=path, url=url)
            except VectorStoreError:
                self._store_retry_at = time.monotonic() + STORE_RETRY_S
                raise
        return self._store

    def ingest(
        self, paths: Sequence[Path], *, prune: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Ingest files and folders; unchanged documents are skipped by content hash.

        Documents are parsed one by one but embedded in groups of about `EMBED_GROUP` chunks,
        so the encoder batches texts of similar length across documents; each document is
        then written on its own, so a failure affects only that document.
        """
        from content_index import discover

        report = IngestReport()
        found = discover(list(paths))
        group: list[_Prepared] = []
        for done, (path, source) in enumerate(found, start=1):
            prepared = self._prepare_file(path, source, report)
            if prepared is not None:
                group.append(prepared)
            if sum(len(p.chunks) for p in group) >= EMBED_GROUP or done == len(found):
                self._write_group(group, report)
                group = []
            if progress is not None:
                progress(done, len(found), source)
        if prune:
            report.pruned = self._prune({source for _, source in found})
        self._retriever = None
        self._record_generation()
        return report

    def ingest_upload(self, name: str, data: bytes) -> IngestReport:
        """Ingest one uploaded file (sent in chat or fetched from a URL); its source is `name`."""
        report = IngestReport()
        prepared = self._prepare(data, source=name, filename=name, sidecar=None, report=report)
        self._write_group([prepared] if prepared else [], report)
        self._retriever = None
        self._record_generation()
        return report

    def set_retired(self, module_id: str, retired: bool) -> bool:
        """Retire or restore a module (its vectors stay: search follows the database)."""
        done = self._content.set_retired(module_id, retired)
        if done:
            self._record_generation()
        return done

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the vector index from the stored chunks (after retags or a lost index),
        and record the library generation it now holds.

        Returns:
            How many chunks were written.
        """
        generation = self._content.generation()
        store, written = self.store(), 0
        records = self._content.modules(include_retired=True)
        for done, record in enumerate(records, start=1):
            chunks = self._content.chunks(module_ids=[record.meta.id])
            vectors = self.embedder().embed_documents([_embed_text(c) for c in chunks])
            store.upsert_module(record.meta, chunks, vectors)
            written += len(chunks)
            if progress is not None:
                progress(done, len(records), record.meta.source)
        live = {r.meta.id for r in self._content.modules(include_retired=True)}
        for module_id in store.module_ids() - live:
            store.delete_module(module_id)
        self._retriever = None
        store.record_generation(generation, ceiling=self._content.generation())
        return written

    def index_status(self) -> IndexStatus:
        """Whether the index can be searched and holds the library's current generation."""
        from retrieval.errors import VectorStoreError

        library = self._content.generation()
        if self._rebuilding.is_set():
            return IndexStatus("rebuilding", library)
        if not self._content.has_chunks():
            return IndexStatus("empty", library)
        if self._index_gone():
            return IndexStatus("missing", library)
        try:
            index = self.store().generation()
        except VectorStoreError:
            return IndexStatus("unreachable", library)
        return IndexStatus("ok" if index == library else "stale", library, index)

    def rebuild_if_needed(self, progress: Progress | None = None) -> bool:
        """Rebuild a missing or stale index from the stored chunks (run at start-up).

        An index written before generations were recorded is adopted without re-embedding
        when it holds exactly the stored chunks. While the rebuild runs, `ask` answers that
        the library is being rebuilt.

        Returns:
            Whether the index was rebuilt.
        """
        status = self.index_status()
        if status.state not in ("missing", "stale"):
            return False
        if status.index is None and status.state == "stale" and self._adopt(status.library):
            return False
        self._rebuilding.set()
        try:
            log.info(
                "content index %s (library version %s, index %s): rebuilding it from the database",
                status.state,
                status.library,
                status.index,
            )
            written = self.reindex(progress=_logged(progress))
            log.info("content index rebuilt: %d chunks", written)
        finally:
            self._rebuilding.clear()
        return True

    def _adopt(self, generation: int) -> bool:
        store = self.store()
        if store.ids() != self._content.chunk_ids():
            return False
        store.record_generation(generation)
        log.info("content index matches the database: recorded library version %s", generation)
        return True

    def _index_gone(self) -> bool:
        """Whether the embedded index folder is absent (a Chroma server is never 'gone')."""
        return not self._settings.chroma_url and not (self._settings.index_dir / "chroma").is_dir()

    def _record_generation(self) -> None:
        """Record the database's generation with the index after a write (a store that
        cannot be reached now leaves the index stale: health says so, start-up rebuilds)."""
        from retrieval.errors import VectorStoreError

        generation = self._content.generation()
        try:
            self.store().record_generation(generation, ceiling=generation)
        except VectorStoreError as err:
            log.warning("could not record library version %s with the index: %s", generation, err)

    def _prepare_file(self, path: Path, source: str, report: IngestReport) -> _Prepared | None:
        from content_index import ContentError, find_sidecar, load_sidecar
        from content_index.safety import check_size

        try:
            check_size(path.stat().st_size, max_bytes=self._settings.max_upload_bytes, path=source)
            sidecar_path = find_sidecar(path)
            sidecar = load_sidecar(sidecar_path) if sidecar_path else None
            data = path.read_bytes()
        except (ContentError, OSError) as err:
            report.failed.append({"path": source, "error": str(err)})
            return None
        return self._prepare(
            data,
            source=source,
            filename=path.name,
            sidecar=sidecar,
            report=report,
            folder=_library_folder(path, source),
        )

    def _prepare(
        self,
        data: bytes,
        *,
        source: str,
        filename: str,
        sidecar: dict[str, Any] | None,
        report: IngestReport,
        folder: str = "",
    ) -> _Prepared | None:
        """Parse and chunk a document, or None when it is unchanged or fails (reported).

        `folder` is the library folder the file was found in ("" for an upload)."""
        from content_index import ContentError, chunk_document
        from content_index.lessons import build_cards
        from content_index.page import page_of

        digest = hashlib.sha256(data).hexdigest()
        existing = self._content.by_source(source)
        if existing is not None and existing.content_hash == digest and data:
            if not self._content.has_cards(existing.meta.id, with_page=True):
                self._add_missing_cards(existing.meta.id, data, source, filename, sidecar, folder)
            report.skipped += 1
            return None
        try:
            doc = self._parse(data, source, filename, sidecar)
        except ContentError as err:
            report.failed.append({"path": source, "error": str(err)})
            return None
        salt = doc.content_hash[:8]
        chunks = [_with_id(c, f"{c.module_id}::{salt}::{c.ordinal}") for c in chunk_document(doc)]
        return _Prepared(doc, chunks, build_cards(doc), page_of(doc, folder=folder))

    def _parse(
        self, data: bytes, source: str, filename: str, sidecar: dict[str, Any] | None
    ) -> ParsedDocument:
        from content_index import parse_document

        return parse_document(
            data,
            source=source,
            filename=filename,
            sidecar=sidecar,
            max_bytes=self._settings.max_upload_bytes,
        )

    def _add_missing_cards(
        self,
        module_id: str,
        data: bytes,
        source: str,
        filename: str,
        sidecar: dict[str, Any] | None,
        folder: str,
    ) -> None:
        """Build the cards and page of a module stored before they existed (no re-embedding)."""
        from content_index import ContentError
        from content_index.lessons import build_cards
        from content_index.page import page_of

        try:
            doc = self._parse(data, source, filename, sidecar)
        except ContentError:
            return  # it parsed when it was stored; the lesson keeps asking for an ingest
        self._content.add_cards(module_id, build_cards(doc), page_of(doc, folder=folder))

    def _write_group(self, group: Sequence[_Prepared], report: IngestReport) -> None:
        if not group:
            return
        texts = [_embed_text(c) for p in group for c in p.chunks]
        vectors = self.embedder().embed_documents(texts)
        start = 0
        for prepared in group:
            end = start + len(prepared.chunks)
            try:
                report.chunks += self._write(prepared, vectors[start:end])
            except Conflict as err:
                report.failed.append({"path": prepared.doc.meta.source, "error": str(err)})
            else:
                report.ingested += 1
                if prepared.doc.meta.inferred:
                    report.inferred[prepared.doc.meta.source] = list(prepared.doc.meta.inferred)
            start = end

    def _write(self, prepared: _Prepared, vectors: Any) -> int:
        doc, chunks = prepared.doc, prepared.chunks
        store = self.store()
        store.add_chunks(doc.meta, chunks, vectors)
        try:
            old = self._content.save(
                doc.meta,
                content_hash=doc.content_hash,
                new_chunks=chunks,
                now=self._clock.now(),
                cards=prepared.cards,
                page=prepared.page,
            )
        except Exception:
            store.delete_ids([c.id for c in chunks])
            raise
        store.delete_ids([i for i in old if i not in {c.id for c in chunks}])
        return len(chunks)

    def _prune(self, seen: set[str]) -> int:
        removed = 0
        for record in self._content.modules(include_retired=True):
            if record.meta.source not in seen:
                self.store().delete_ids(self._content.delete(record.meta.id))
                removed += 1
        return removed

    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over every live chunk (rebuilt after ingestion)."""
        with self._lock:
            return self._retriever_locked()

    def _retriever_locked(self) -> HybridRetriever:
        version = self._content.version()
        if self._retriever is None or version != self._version:
            from retrieval.hybrid import HybridRetriever

            modules = {r.meta.id: r.meta for r in self._content.modules()}
            chunks = self._content.chunks(module_ids=list(modules))
            # The store is opened at each search, so a Chroma server that was down when the
            # retriever was built is used as soon as it is back.
            self._retriever = HybridRetriever(
                embedder=self.embedder(), store=self.store, chunks=chunks, modules=modules
            )
            self._version = version
        return self._retriever

    def warm_up(self) -> None:
        """Load the embedding model and build the retriever now, not on the first question."""
        self.embedder().embed_query("warm up")
        self.retriever()

    def search(self, question: str, *, roles: Sequence[str] | None, k: int = 10) -> list[Hit]:
        """The best chunks for a question, among modules visible to `roles`."""
        retriever = self._live_retriever()
        return retriever.search(question, k=k, roles=roles) if retriever else []

    def _live_retriever(self) -> HybridRetriever | None:
        """The retriever, or None for an empty library (no index is built for it)."""
        return self.retriever() if self._content.has_chunks() else None

    def ask(
        self, question: str, *, roles: Sequence[str] | None, prefer: str | None = None
    ) -> Answered:
        """Answer a question from the library, or say honestly that it has no answer.

        The answer is confident only when the evidence supports it (the best match's
        similarity, dense and lexical search agreeing, the question's words in the passage,
        an answer-like sentence: `retrieval.confidence.should_answer`); otherwise the
        result carries up to three related modules and no answer. `prefer` names a module
        whose hits count `PREFERRED_BOOST` more (a follow-up's previous module).

        Raises:
            UserError: the index is being rebuilt or is gone, so nothing can be searched (the
                question is not an unanswered one: it was never searched).
        """
        if self._rebuilding.is_set() or (self._index_gone() and self._content.has_chunks()):
            raise UserError(msg.LIBRARY_REBUILDING)
        retriever = self._live_retriever()
        hits, reduced = self._rank(retriever, question, roles=roles, prefer=prefer)
        if reduced:
            log.warning("vector store unreachable: searching in reduced (lexical) mode")
        modules: Mapping[str, Any] = retriever.modules if retriever else {}
        sources = tuple(source_of(h, modules) for h in hits)
        if retriever is None or not hits or not _should_answer(question, hits, retriever):
            return Answered("", False, (), related=unique_modules(sources)[:3], reduced=reduced)
        answer = self._compose(question, hits, modules)
        if answer is None or not answer.text:
            return Answered("", False, (), related=unique_modules(sources)[:3], reduced=reduced)
        cited = tuple(cited_source(c, hits) for c in answer.citations)
        others = [
            s for s in unique_modules(sources) if s.module_id not in {c.module_id for c in cited}
        ]
        return Answered(answer.text, True, cited, related=tuple(others[:3]), reduced=reduced)

    def ranked(
        self, question: str, *, roles: Sequence[str] | None, prefer: str | None = None
    ) -> list[Hit]:
        """The hits an answer is decided from: the search, the preferred module's boost, and
        the "Not helpful" adjustments of similar questions (`retrieval.feedback`), which only
        ever lower a passage's score."""
        return self._rank(self._live_retriever(), question, roles=roles, prefer=prefer)[0]

    def _rank(
        self,
        retriever: HybridRetriever | None,
        question: str,
        *,
        roles: Sequence[str] | None,
        prefer: str | None = None,
    ) -> tuple[list[Hit], bool]:
        """`ranked` with the live retriever already looked up (None for an empty library),
        saying whether the search ran in reduced (lexical) mode."""
        from retrieval.feedback import adjusted, factors

        found = retriever.find(question, k=10, roles=roles) if retriever else None
        hits, reduced = (found.hits, found.reduced) if found else ([], False)
        if prefer:
            hits = _preferring(hits, prefer)
        now = self._clock.now()
        stored = self._adjustments(now) if hits else None
        if stored is None or not stored.adjustments:
            return hits, reduced
        query = self.embedder().embed_query(question)
        return adjusted(hits, factors(query, stored, now=now)), reduced

    def _adjustments(self, now: datetime) -> AdjustmentSet:
        """The stored adjustments within `HORIZON`, read again only when they changed."""
        from retrieval.feedback import HORIZON, AdjustmentSet

        version = self._feedback.adjustments_version()
        with self._lock:
            cached = self._adjustment_cache
            if cached is not None and cached[0] == version:
                return cached[1]
        found = AdjustmentSet(self._feedback.adjustments(since=now - HORIZON))
        with self._lock:
            self._adjustment_cache = (version, found)
        return found

    def chat_model(self) -> Any:
        """The configured chat model (LEARNBOT_LLM), or None for extractive answers."""
        if self._chat_model is None and self._settings.llm:
            from retrieval.llm import load_chat_model

            self._chat_model = load_chat_model(self._settings.llm)
        return self._chat_model

    def standalone_question(self, previous: str, follow_up: str) -> str | None:
        """The follow-up rewritten as a standalone question by the configured chat model.

        Returns None without a chat model, or when it fails or gives no usable question
        (the caller then reads the follow-up with the previous question's words).
        """
        try:
            model = self.chat_model()
        except (ImportError, ValueError) as err:
            log.warning("chat model unavailable, follow-up read without it: %s", err)
            return None
        if model is None:
            return None
        from retrieval.llm import rewrite_follow_up

        try:
            return rewrite_follow_up(previous, follow_up, model)
        except Exception as err:  # noqa: BLE001  (any provider failure: keep the plain reading)
            log.warning("chat model failed to rewrite a follow-up: %s", type(err).__name__)
            return None

    def _compose(
        self, question: str, hits: Sequence[Hit], modules: Mapping[str, Any]
    ) -> Answer | None:
        """A generated answer when a chat model is configured, else an extractive one.

        Returns None when the model found no answer in the sources (it cited nothing).
        A model that fails (unreachable, misconfigured) falls back to the extractive answer.
        """
        from retrieval.answer import compose_extractive

        try:
            model = self.chat_model()
        except (ImportError, ValueError) as err:
            log.warning("chat model unavailable, answering extractively: %s", err)
            model = None
        if model is not None:
            from retrieval.llm import compose_with_llm

            try:
                generated = compose_with_llm(question, hits, model, modules=modules)
            except Exception as err:  # noqa: BLE001  (any provider failure: fall back)
                log.warning("chat model failed, answering extractively: %s", type(err).__name__)
            else:
                return generated if generated.citations else None
        return compose_extractive(question, hits, modules=modules)


def _library_folder(path: Path, source: str) -> str:
    """The absolute folder `source` (a path relative to it, or the file name) was found in."""
    depth = len(Path(source).parts)
    return str(path.absolute().parents[depth - 1]) if depth else ""


def _logged(progress: Progress | None) -> Progress:
    """A progress callback that also logs about every tenth module."""

    def report(done: int, total: int, source: str) -> None:
        step = max(1, total // 10)
        if done == total or done % step == 0:
            log.info("rebuilding the content index: %d of %d modules", done, total)
        if progress is not None:
            progress(done, total, source)

    return report


def _preferring(hits: Sequence[Hit], module_id: str) -> list[Hit]:
    """Hits re-ranked with the preferred module's scores raised by `PREFERRED_BOOST`."""
    from dataclasses import replace

    boosted = [
        replace(h, score=h.score * (1 + PREFERRED_BOOST)) if h.module_id == module_id else h
        for h in hits
    ]
    return sorted(boosted, key=lambda h: -h.score)


def _should_answer(question: str, hits: Sequence[Hit], retriever: HybridRetriever) -> bool:
    """Whether the evidence supports a confident answer (`retrieval.confidence`)."""
    from retrieval.confidence import gather_evidence, should_answer

    evidence = gather_evidence(
        question,
        hits,
        modules=retriever.modules,
        unknown_share=retriever.unknown_share(question),
        term_weights=retriever.term_weights(question),
    )
    return should_answer(evidence)


def _with_id(chunk: Any, new_id: str) -> Any:
    from dataclasses import replace

    return replace(chunk, id=new_id)


def _embed_text(chunk: Any) -> str:
    from retrieval.embedding import embedding_text

    return str(embedding_text(chunk))
