"""Chunk vectors in Chroma (embedded or server), with precomputed embeddings only.

Audience encoding: Chroma metadata cannot hold lists, so each chunk carries one boolean key per
audience, `aud_<role>: True` (`aud_everyone` when the module has no audience), which lets the
store filter by role inside Chroma, plus `audience` = "|sales|support|" for reading it back.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from content_index.model import Chunk, ModuleMeta
from retrieval.errors import VectorStoreError

DEFAULT_COLLECTION = "learnbot-chunks"
# Collection metadata key: the library generation the index holds every chunk of.
GENERATION_KEY = "learnbot_generation"
MAX_BATCH = 5000
EVERYONE = "everyone"
_MODULES_PER_LOOKUP = 500


def audience_key(role: str) -> str:
    """Metadata key marking a chunk as visible to `role`."""
    return f"aud_{role.strip().casefold()}"


def encode_audience(audience: Sequence[str]) -> dict[str, str | bool]:
    """Metadata entries for a module audience (empty means everyone)."""
    roles = sorted({r.strip().casefold() for r in audience if r.strip()} - {EVERYONE}) or [EVERYONE]
    entries: dict[str, str | bool] = {audience_key(r): True for r in roles}
    entries["audience"] = "|" + "|".join(roles) + "|"
    return entries


def decode_audience(value: object) -> tuple[str, ...]:
    """Inverse of the `audience` string of `encode_audience`; () means everyone."""
    roles = tuple(r for r in str(value or "").split("|") if r)
    return () if roles in ((), (EVERYONE,)) else roles


@dataclass(frozen=True)
class VectorHit:
    """One chunk returned by a vector query.

    Attributes:
        chunk_id: The chunk id.
        score: Cosine similarity to the query vector (1 - cosine distance).
        metadata: The stored metadata (module_id, ordinal, section, anchor, lines, audience).
        text: The stored chunk text.
    """

    chunk_id: str
    score: float
    metadata: Mapping[str, Any]
    text: str


@functools.cache
def _refusing_embedding_function_class() -> type:
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.utils.embedding_functions import register_embedding_function

    class PrecomputedOnly(EmbeddingFunction[Documents]):
        """Refuses to embed: vectors come from our own embedder, never Chroma's default model."""

        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Any:
            raise VectorStoreError(
                "Chroma was asked to embed text itself; learnbot passes precomputed embeddings."
            )

        @staticmethod
        def name() -> str:
            return "learnbot-precomputed"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> PrecomputedOnly:
            return PrecomputedOnly()

        def default_space(self) -> Any:
            return "cosine"

        def supported_spaces(self) -> Any:
            return ["cosine"]

    register: Any = register_embedding_function  # untyped in chromadb
    register(PrecomputedOnly)
    return PrecomputedOnly


def _client(*, path: Path | None, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise VectorStoreError(f"Chroma URL {url!r} must look like http://host:port.")
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        return chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings
        )
    if path is None:
        raise VectorStoreError("Give either a Chroma folder (path) or a server URL.")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def chunk_metadata(chunk: Chunk, meta: ModuleMeta) -> dict[str, str | int | bool]:
    """The Chroma metadata stored with one chunk."""
    return {
        "module_id": chunk.module_id,
        "ordinal": chunk.ordinal,
        "section": chunk.section,
        "anchor": chunk.anchor,
        "line_start": chunk.line_start,
        "line_end": chunk.line_end,
        **encode_audience(meta.audience),
    }


def _role_filter(roles: Collection[str]) -> dict[str, Any]:
    clauses = [{audience_key(r): True} for r in sorted({*roles, EVERYONE})]
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


class ChromaVectorStore:
    """The chunk collection (cosine space) in an embedded Chroma folder or a Chroma server.

    Args:
        path: Folder for an embedded PersistentClient (ignored when `url` is given).
        url: A Chroma server, e.g. "http://127.0.0.1:8123".
        collection: Collection name.
        batch_size: Records per add/delete call (Chroma caps batches; at most 5,000).
    """

    def __init__(
        self,
        *,
        path: Path | None = None,
        url: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = MAX_BATCH,
    ) -> None:
        self._batch = max(1, min(batch_size, MAX_BATCH))
        target = url or str(path)
        try:
            client = _client(path=path, url=url)
            self._collection = client.get_or_create_collection(
                collection,
                embedding_function=_refusing_embedding_function_class()(),
                configuration={"hnsw": {"space": "cosine"}},
            )
        except VectorStoreError:
            raise
        except Exception as exc:  # chromadb raises many unrelated types
            raise VectorStoreError(
                f"Cannot open Chroma collection {collection!r} at {target}: {exc}"
            ) from exc
        self._client = client
        self._name = collection

    def generation(self) -> int | None:
        """The library generation recorded with the index (read afresh, so a generation
        recorded by another process is seen), or None when none was ever recorded.

        Raises:
            VectorStoreError: the store cannot be reached.
        """
        try:
            found = self._client.get_collection(
                self._name, embedding_function=_refusing_embedding_function_class()()
            )
        except Exception as exc:  # chromadb raises many unrelated types
            raise VectorStoreError(f"Cannot read Chroma collection {self._name!r}: {exc}") from exc
        value = (found.metadata or {}).get(GENERATION_KEY)
        return None if value is None else int(value)

    def record_generation(self, generation: int, *, ceiling: int | None = None) -> None:
        """Record that the index holds every chunk of library `generation`.

        A recorded generation is only raised, so two writers finishing out of order leave the
        newer one; one above `ceiling` (the database's current generation, as after a database
        restore) is replaced whatever its value.
        """
        current = self.generation()
        above_ceiling = ceiling is not None and current is not None and current > ceiling
        if current is not None and current >= generation and not above_ceiling:
            return
        self._collection.modify(metadata={GENERATION_KEY: int(generation)})

    def ids(self) -> set[str]:
        """Every chunk id in the index."""
        found: set[str] = set()
        for offset in range(0, self.count(), self._batch):
            found.update(self._collection.get(limit=self._batch, offset=offset, include=[])["ids"])
        return found

    def upsert_module(self, meta: ModuleMeta, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Replace all chunks of `meta.id`: write the new ones first, then drop leftovers.

        Readers see the old or the new chunk for each id, never a module without chunks.

        Raises:
            VectorStoreError: A chunk belongs to another module or vectors do not match chunks.
        """
        strays = [c.id for c in chunks if c.module_id != meta.id]
        if strays:
            raise VectorStoreError(f"Module {meta.id}: chunks {strays[:3]} belong elsewhere.")
        self.upsert_modules({meta.id: meta}, chunks, vectors)

    def upsert_modules(
        self, modules: Mapping[str, ModuleMeta], chunks: Sequence[Chunk], vectors: np.ndarray
    ) -> None:
        """Replace the chunks of every module in `modules` (bulk form of `upsert_module`).

        A module in `modules` without chunks in `chunks` ends up with none.

        Raises:
            VectorStoreError: A chunk's module is not in `modules`, or vectors do not match.
        """
        if len(chunks) != len(vectors):
            raise VectorStoreError(f"{len(chunks)} chunks but {len(vectors)} vectors.")
        unknown = sorted({c.module_id for c in chunks} - set(modules))
        if unknown:
            raise VectorStoreError(f"Chunks name modules without metadata: {unknown[:3]}.")
        old = set(self._ids_of(list(modules)))
        self._write(modules, chunks, vectors)
        self.delete_ids(sorted(old - {c.id for c in chunks}))

    def add_chunks(self, meta: ModuleMeta, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write (or overwrite) these chunks of one module, leaving its other chunks alone.

        The content library writes a document's new chunks under new ids with this, commits
        the database, and only then deletes the old ids, so a failure leaves the old version.

        Raises:
            VectorStoreError: A chunk belongs to another module or vectors do not match chunks.
        """
        if len(chunks) != len(vectors):
            raise VectorStoreError(f"{len(chunks)} chunks but {len(vectors)} vectors.")
        strays = [c.id for c in chunks if c.module_id != meta.id]
        if strays:
            raise VectorStoreError(f"Module {meta.id}: chunks {strays[:3]} belong elsewhere.")
        self._write({meta.id: meta}, chunks, vectors)

    def _write(
        self, modules: Mapping[str, ModuleMeta], chunks: Sequence[Chunk], vectors: np.ndarray
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(chunks), self._batch):
            part = chunks[start : start + self._batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c, modules[c.module_id]) for c in part],
            )

    def delete_module(self, module_id: str) -> int:
        """Remove every chunk of a module; returns how many were removed."""
        ids = self._ids_of([module_id])
        self.delete_ids(ids)
        return len(ids)

    def query(
        self,
        vector: np.ndarray,
        *,
        k: int,
        module_ids: Collection[str] | None = None,
        excluded_module_ids: Collection[str] | None = None,
        roles: Collection[str] | None = None,
    ) -> list[VectorHit]:
        """Nearest chunks by cosine similarity, best first.

        Raises:
            VectorStoreError: the store could not be reached or refused the query.

        Args:
            vector: The query embedding.
            k: How many chunks at most.
            module_ids: Only these modules (None: all).
            excluded_module_ids: Never these modules.
            roles: Only chunks visible to these roles (None: no audience restriction).
        """
        clauses: list[dict[str, Any]] = []
        if module_ids is not None:
            if not module_ids:
                return []
            clauses.append({"module_id": {"$in": sorted(module_ids)}})
        if excluded_module_ids:
            clauses.append({"module_id": {"$nin": sorted(excluded_module_ids)}})
        if roles is not None:
            clauses.append(_role_filter(roles))
        where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
        try:
            result = self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=max(1, k),
                where=where,
                include=["metadatas", "documents", "distances"],
            )
        except Exception as exc:  # chromadb raises many unrelated types (HTTP, connection)
            raise VectorStoreError(f"Chroma query failed: {type(exc).__name__}") from exc
        return [
            VectorHit(chunk_id=i, score=1.0 - float(d), metadata=m or {}, text=t or "")
            for i, d, m, t in zip(
                result["ids"][0],
                result["distances"][0],
                result["metadatas"][0],
                result["documents"][0],
                strict=True,
            )
        ]

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._collection.count())

    def module_ids(self) -> set[str]:
        """Ids of the modules that have at least one chunk."""
        found: set[str] = set()
        total = self.count()
        for offset in range(0, total, self._batch):
            page = self._collection.get(limit=self._batch, offset=offset, include=["metadatas"])
            found.update(str(m["module_id"]) for m in page["metadatas"] or [] if m)
        return found

    def _ids_of(self, module_ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        # Bounded $in lists keep each filter small for the server and the embedded engine.
        for start in range(0, len(module_ids), _MODULES_PER_LOOKUP):
            part = list(module_ids[start : start + _MODULES_PER_LOOKUP])
            where = {"module_id": part[0]} if len(part) == 1 else {"module_id": {"$in": part}}
            found.extend(self._collection.get(where=where, include=[])["ids"])
        return found

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        for start in range(0, len(ids), self._batch):
            self._collection.delete(ids=list(ids[start : start + self._batch]))
