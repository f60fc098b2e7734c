"""Hybrid search over a real embedded Chroma store: ranking, audiences, filters, dedupe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from content_index.model import Chunk, ModuleMeta
from retrieval.bm25 import BM25Index
from retrieval.errors import IndexMismatchError
from retrieval.hybrid import HybridConfig, HybridRetriever, visible_to
from retrieval.indexing import index_library
from retrieval.lexical import build_lexical_index
from retrieval.store import ChromaVectorStore

from .conftest import HashingEmbedder, library_chunks

Library = tuple[list[Chunk], dict[str, ModuleMeta]]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ChromaVectorStore:
    chunks, modules = library_chunks()
    store = ChromaVectorStore(path=tmp_path_factory.mktemp("chroma"))
    index_library(store, HashingEmbedder(), chunks=chunks, modules=modules)
    return store


@pytest.fixture
def retriever(store: ChromaVectorStore, library: Library) -> HybridRetriever:
    chunks, modules = library
    return HybridRetriever(embedder=HashingEmbedder(), store=store, chunks=chunks, modules=modules)


def test_finds_the_relevant_section_first(retriever: HybridRetriever) -> None:
    hits = retriever.search("When do I file my travel voucher?", k=3)
    assert hits[0].chunk_id == "travel::1"
    assert hits[0].section == "Vouchers"
    assert hits[0].dense_score is not None
    assert hits[0].lexical_score is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hit_carries_chunk_location(retriever: HybridRetriever) -> None:
    hit = retriever.search("parental leave weeks", k=1)[0]
    assert (hit.module_id, hit.anchor, hit.line_start, hit.line_end) == (
        "leave",
        "parental-leave",
        11,
        19,
    )
    assert "twelve weeks" in hit.text


@pytest.mark.parametrize(
    ("roles", "forbidden"),
    [
        ((), {"sales-playbook", "security"}),
        (("support",), {"sales-playbook"}),
        (("sales",), {"security"}),
        (("Sales", "engineering"), set()),
    ],
)
def test_audience_never_leaks(
    retriever: HybridRetriever, roles: tuple[str, ...], forbidden: set[str]
) -> None:
    # Queries aimed squarely at the restricted modules.
    for query in ("approve hotel discounts sales", "password manager reuse", "pipeline review"):
        modules = {h.module_id for h in retriever.search(query, k=10, roles=roles)}
        assert not modules & forbidden, (query, roles)
    everything = {h.module_id for h in retriever.search("hotel password pipeline", k=10)}
    assert forbidden <= everything  # without roles nothing is hidden


def test_modules_without_metadata_are_hidden_from_learners(store: ChromaVectorStore) -> None:
    chunks, modules = library_chunks()
    del modules["leave"]
    retriever = HybridRetriever(
        embedder=HashingEmbedder(), store=store, chunks=chunks, modules=modules
    )
    assert "leave" not in {h.module_id for h in retriever.search("sick leave", roles=("x",))}
    assert "leave" in {h.module_id for h in retriever.search("sick leave")}


def test_allowed_predicate_restricts_modules(retriever: HybridRetriever) -> None:
    hits = retriever.search("leave", k=10, allowed=lambda m: m == "travel")
    assert hits
    assert {h.module_id for h in hits} == {"travel"}
    assert retriever.search("leave", k=10, allowed=lambda m: False) == []


def test_allowed_predicate_excluding_few_modules(retriever: HybridRetriever) -> None:
    hits = retriever.search("leave hotel password pipeline", k=10, allowed=lambda m: m != "leave")
    assert {h.module_id for h in hits} == {"travel", "sales-playbook", "security"}


def test_allowed_and_roles_combine(retriever: HybridRetriever) -> None:
    allowed = {"sales-playbook", "travel"}.__contains__
    hits = retriever.search("hotel discounts", k=10, allowed=allowed, roles=("support",))
    assert {h.module_id for h in hits} == {"travel"}


def test_visible_to() -> None:
    assert visible_to((), ())
    assert visible_to(("everyone",), ())
    assert visible_to(("Sales",), ("sales",))
    assert not visible_to(("sales",), ("support",))


def test_near_identical_chunks_are_returned_once(tmp_path: Path) -> None:
    chunks, modules = library_chunks()
    copy = replace(chunks[1], id="travel::9", ordinal=9, line_start=90, line_end=99)
    chunks.append(copy)
    embedder = HashingEmbedder()
    store = ChromaVectorStore(path=tmp_path)
    index_library(store, embedder, chunks=chunks, modules=modules)
    retriever = HybridRetriever(embedder=embedder, store=store, chunks=chunks, modules=modules)
    ids = [h.chunk_id for h in retriever.search("travel voucher", k=5)]
    assert len({"travel::1", "travel::9"} & set(ids)) == 1
    loose = HybridRetriever(
        embedder=embedder,
        store=store,
        chunks=chunks,
        modules=modules,
        config=HybridConfig(dedupe_threshold=1.01),
    )
    assert {"travel::1", "travel::9"} <= {h.chunk_id for h in loose.search("travel voucher", k=5)}


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_both_fusions_rank_the_obvious_answer_first(
    store: ChromaVectorStore, library: Library, fusion: str
) -> None:
    chunks, modules = library
    other = HybridRetriever(
        embedder=HashingEmbedder(),
        store=store,
        chunks=chunks,
        modules=modules,
        config=HybridConfig(fusion=fusion, module_weight=0.0),  # type: ignore[arg-type]
    )
    assert other.search("sick leave payroll", k=1)[0].chunk_id == "leave::0"


def test_rejects_a_lexical_index_over_other_chunks(library: Library) -> None:
    chunks, modules = library
    stale = BM25Index.build(ids=["x"], bodies=["x"])
    with pytest.raises(IndexMismatchError):
        HybridRetriever(
            embedder=HashingEmbedder(),
            store=None,  # type: ignore[arg-type]
            chunks=chunks,
            modules=modules,
            lexical=stale,
        )


def test_lexical_index_is_cached_by_content(library: Library, tmp_path: Path) -> None:
    chunks, modules = library
    first = build_lexical_index(chunks, modules, cache_dir=tmp_path)
    stamp = (tmp_path / "bm25.npz").stat().st_mtime_ns
    again = build_lexical_index(chunks, modules, cache_dir=tmp_path)
    assert again.version == first.version
    assert (tmp_path / "bm25.npz").stat().st_mtime_ns == stamp
    changed = [replace(chunks[0], text="New text about visas."), *chunks[1:]]
    rebuilt = build_lexical_index(changed, modules, cache_dir=tmp_path)
    assert rebuilt.version != first.version
    assert rebuilt.top("visas", 1)[0][0] == 0


class CountingStore:
    """The real store, counting unfiltered and filtered vector queries."""

    def __init__(self, store: ChromaVectorStore) -> None:
        self.store = store
        self.calls: list[bool] = []

    def query(self, vector, *, k, **filters):  # type: ignore[no-untyped-def]
        self.calls.append(any(v is not None for v in filters.values()))
        return self.store.query(vector, k=k, **filters)


def _counting_retriever(store: ChromaVectorStore, library: Library) -> tuple[Any, Any]:
    chunks, modules = library
    counting = CountingStore(store)
    retriever = HybridRetriever(
        embedder=HashingEmbedder(),
        store=counting,  # type: ignore[arg-type]
        chunks=chunks,
        modules=modules,
        config=HybridConfig(candidates=2, overfetch=2),
    )
    return retriever, counting


def test_an_audience_filter_over_fetches_without_filtering_in_the_store(
    store: ChromaVectorStore, library: Library
) -> None:
    retriever, counting = _counting_retriever(store, library)
    hits = retriever.search("hotel discounts for sales staff", k=5, roles=("support",))
    assert hits
    assert "sales-playbook" not in {h.module_id for h in hits}
    assert counting.calls == [False]


def test_a_narrow_restriction_falls_back_to_the_store_filter(
    store: ChromaVectorStore, library: Library
) -> None:
    retriever, counting = _counting_retriever(store, library)
    hits = retriever.search(
        "hotel discounts for sales staff", k=5, allowed=lambda m: m == "security"
    )
    assert {h.module_id for h in hits} == {"security"}
    assert counting.calls == [False, True]
