"""Embedding chunks and writing them to the vector store, module by module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from content_index.model import Chunk, ModuleMeta
from retrieval.embedding import Embedder, embedding_text
from retrieval.store import ChromaVectorStore


def index_module(
    store: ChromaVectorStore, embedder: Embedder, meta: ModuleMeta, chunks: Sequence[Chunk]
) -> int:
    """Embed a module's chunks (breadcrumb + text) and replace its chunks in the store.

    Returns:
        The number of chunks written.
    """
    vectors = embedder.embed_documents([embedding_text(c) for c in chunks])
    store.upsert_module(meta, chunks, vectors)
    return len(chunks)


def index_library(
    store: ChromaVectorStore,
    embedder: Embedder,
    *,
    chunks: Sequence[Chunk],
    modules: Mapping[str, ModuleMeta],
) -> int:
    """Index every module's chunks in one embedding pass and bulk store writes.

    Raises:
        VectorStoreError: A chunk names a module missing from `modules`.
    """
    vectors = embedder.embed_documents([embedding_text(c) for c in chunks])
    present = {c.module_id for c in chunks}
    store.upsert_modules({m: modules[m] for m in present if m in modules}, chunks, vectors)
    return len(chunks)
