"""Hybrid search with the real model over a few handbook pages: answers, audience, confidence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from content_index import chunk_document, parse_file
from content_index.model import Chunk, ModuleMeta
from retrieval.answer import compose_extractive
from retrieval.confidence import is_confident
from retrieval.hybrid import HybridRetriever
from retrieval.indexing import index_library
from retrieval.onnx_embedder import OnnxEmbedder
from retrieval.store import ChromaVectorStore

pytestmark = pytest.mark.slow

PAGES = (
    "pages/tools/tock.md",
    "pages/tools/slack/getting-started.md",
    "pages/travel-and-leave/travel-and-leave-policies/travel-guide-faq.md",
    "pages/about-us/tts-consulting/operations/finance.md",
)


@pytest.fixture(scope="module")
def handbook(
    shared_data: Path, onnx_embedder: OnnxEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[HybridRetriever, dict[str, ModuleMeta]]:
    corpus = shared_data / "handbook-18f" / "corpus"
    chunks: list[Chunk] = []
    modules: dict[str, ModuleMeta] = {}
    for page in PAGES:
        doc = parse_file(corpus / page, source=f"corpus/{page}", max_bytes=10_000_000)
        # The finance page is restricted to an audience, to check filtering on real text.
        meta = replace(doc.meta, audience=("finance",)) if "finance" in page else doc.meta
        modules[meta.id] = meta
        chunks.extend(chunk_document(doc))
    store = ChromaVectorStore(path=tmp_path_factory.mktemp("handbook-chroma"))
    index_library(store, onnx_embedder, chunks=chunks, modules=modules)
    retriever = HybridRetriever(embedder=onnx_embedder, store=store, chunks=chunks, modules=modules)
    return retriever, modules


def _questions(shared_data: Path) -> list[dict[str, Any]]:
    lines = (shared_data / "handbook-18f" / "questions.jsonl").read_text().splitlines()
    wanted = {f"corpus/{p}" for p in PAGES if "finance" not in p}
    return [q for q in map(json.loads, lines) if q["gold"][0] in wanted][:12]


def test_handbook_questions_find_their_page_and_are_confident(
    handbook: tuple[HybridRetriever, dict[str, ModuleMeta]], shared_data: Path
) -> None:
    retriever, modules = handbook
    questions = _questions(shared_data)
    assert len(questions) >= 8
    sources = {m.id: m.source for m in modules.values()}
    found = 0
    for q in questions:
        hits = retriever.search(q["question"], k=5)
        found += sources[hits[0].module_id] == q["gold"][0]
        assert is_confident(hits), q["question"]
    assert found >= 0.75 * len(questions)


@pytest.mark.parametrize(
    "question",
    ["Who won the FIFA World Cup in 2014?", "How long should I boil an egg?"],
)
def test_off_topic_questions_are_not_confident(
    handbook: tuple[HybridRetriever, dict[str, ModuleMeta]], question: str
) -> None:
    retriever, _ = handbook
    assert not is_confident(retriever.search(question, k=5))


def test_restricted_module_stays_hidden_with_real_text(
    handbook: tuple[HybridRetriever, dict[str, ModuleMeta]],
) -> None:
    retriever, _ = handbook
    question = "How do we balance our budget?"  # answered by the finance page
    assert any("finance" in h.module_id for h in retriever.search(question, k=5))
    for roles in ((), ("engineering",)):
        hits = retriever.search(question, k=10, roles=roles)
        assert not any("finance" in h.module_id for h in hits)
    assert any(
        "finance" in h.module_id for h in retriever.search(question, k=5, roles=("Finance",))
    )


def test_extractive_answer_cites_the_page(
    handbook: tuple[HybridRetriever, dict[str, ModuleMeta]],
) -> None:
    retriever, modules = handbook
    hits = retriever.search("Can I book lodging outside of Concur?", k=5)
    answer = compose_extractive("Can I book lodging outside of Concur?", hits, modules=modules)
    assert "[1]" in answer.text
    assert answer.citations[0].source.endswith("travel-guide-faq.md")
    assert "concur" in answer.text.casefold()
