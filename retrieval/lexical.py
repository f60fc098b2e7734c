"""The lexical side of hybrid search: which chunk fields BM25 indexes, and index caching."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from content_index.model import Chunk, ModuleMeta
from retrieval.bm25 import BM25Index, BM25Params
from retrieval.errors import IndexMismatchError

# Chunks are already length-bounded by the chunker, so strong BM25 length normalisation
# (Okapi's usual b=0.75) mostly penalises chunks for carrying more content; b=0.3 measured
# better on the handbook benchmark (bench/bench_retrieval.py, ablation table).
DEFAULT_LEXICAL_PARAMS = BM25Params(b=0.3)


def lexical_fields(chunk: Chunk, modules: Mapping[str, ModuleMeta]) -> tuple[str, str]:
    """(title field, body field) indexed by BM25 for a chunk."""
    title = chunk.context
    if not title:
        meta = modules.get(chunk.module_id)
        title = " ".join(p for p in ((meta.title if meta else ""), chunk.section) if p)
    return title, chunk.text


def build_lexical_index(
    chunks: Sequence[Chunk],
    modules: Mapping[str, ModuleMeta],
    *,
    params: BM25Params | None = None,
    cache_dir: Path | None = None,
) -> BM25Index:
    """BM25 index over chunks, reused from `cache_dir/bm25.npz` when the content is unchanged.

    Args:
        chunks: The chunks, in the order the retriever will hold them.
        modules: Module metadata (titles, for chunks without a breadcrumb).
        params: BM25 settings; defaults to `DEFAULT_LEXICAL_PARAMS`.
        cache_dir: Folder for the persisted index; None builds in memory only.
    """
    fields = [lexical_fields(c, modules) for c in chunks]
    ids = [c.id for c in chunks]
    bodies = [b for _, b in fields]
    titles = [t for t, _ in fields]
    params = params or DEFAULT_LEXICAL_PARAMS
    path = cache_dir / "bm25.npz" if cache_dir is not None else None
    if path is not None and path.is_file():
        version = BM25Index.version_for(ids=ids, bodies=bodies, titles=titles)
        with contextlib.suppress(IndexMismatchError, OSError, ValueError, KeyError):
            cached = BM25Index.load(path, expected_version=version)
            if cached.params == params:
                return cached
    index = BM25Index.build(ids=ids, bodies=bodies, titles=titles, params=params)
    if path is not None:
        index.save(path)
    return index
