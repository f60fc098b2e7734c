"""Warm-process hybrid search latency at 1k, 10k and 100k chunks.

Usage:
    .venv/bin/python bench/bench_ask_latency.py [--scales 1000,10000,100000]

Real handbook chunks are embedded once (ONNX); larger libraries are synthesised by sampling
those chunks, shuffling their sentences and swapping some words, with vectors made by adding
noise to the real vectors (cosine about 0.9 to their origin): the point is index and query
latency, not quality. One module in five is restricted to an audience. Each query is embedded
with one ONNX thread, as in serving.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_retrieval as shared  # also puts the repository on sys.path

from content_index.model import Chunk, ModuleMeta
from retrieval.answer import compose_extractive
from retrieval.confidence import gather_evidence, should_answer
from retrieval.embedding import embedding_text
from retrieval.hybrid import HybridRetriever
from retrieval.lexical import build_lexical_index
from retrieval.onnx_embedder import OnnxEmbedder
from retrieval.store import ChromaVectorStore
from retrieval.text import split_sentences

CHUNKS_PER_MODULE = 10
NOISE = 0.025  # per dimension: |noise|^2 ~ 384 * 0.025^2 = 0.24, cosine ~ 0.9


def perturb(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Shuffle a text's sentences and replace about one word in ten."""
    sentences = split_sentences(text) or [text]
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    for i in range(len(words)):
        if rng.random() < 0.1:
            words[i] = rng.choice(vocabulary)
    return " ".join(words)


def synthesise(
    chunks: list[Chunk], vectors: np.ndarray, size: int, *, seed: int = 7
) -> tuple[list[Chunk], np.ndarray, dict[str, ModuleMeta]]:
    """`size` chunks: the real ones first, then perturbed copies, 10 per synthetic module."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    vocabulary = sorted({w for c in chunks for w in c.text.split() if w.isalpha()})
    real = min(size, len(chunks))
    out = list(chunks[:real])
    rows = [vectors[:real]]
    extra = size - real
    sources = noise.integers(0, len(chunks), size=extra)
    for n, j in enumerate(sources):
        base = chunks[int(j)]
        module = f"synthetic/{n // CHUNKS_PER_MODULE}"
        out.append(
            Chunk(
                id=f"{module}::{n % CHUNKS_PER_MODULE}",
                module_id=module,
                ordinal=n % CHUNKS_PER_MODULE,
                section=base.section,
                anchor=base.anchor,
                text=perturb(base.text, rng, vocabulary),
                line_start=base.line_start,
                line_end=base.line_end,
                context=base.context,
            )
        )
    if extra:
        fake = vectors[sources] + noise.normal(0.0, NOISE, size=(extra, vectors.shape[1]))
        rows.append((fake / np.linalg.norm(fake, axis=1, keepdims=True)).astype(np.float32))
    modules = {}
    for index, module_id in enumerate(sorted({c.module_id for c in out})):
        audience = ("sales",) if index % 5 == 0 else ()
        modules[module_id] = ModuleMeta(id=module_id, title=module_id, audience=audience)
    return out, np.concatenate(rows), modules


def percentiles(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """(p50, p95) milliseconds of fn over the queries, after a short warm-up."""
    for query in queries[:5]:
        fn(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def _answer(retriever: HybridRetriever, modules: dict[str, ModuleMeta], question: str) -> Any:
    """What `Library.ask` does after its two one-row database checks (extractive answers)."""
    hits = retriever.search(question, k=10, roles=("support",))
    if not hits:
        return None
    evidence = gather_evidence(
        question,
        hits,
        modules=modules,
        unknown_share=retriever.unknown_share(question),
        term_weights=retriever.term_weights(question),
    )
    if not should_answer(evidence):
        return None
    return compose_extractive(question, hits, modules=modules)


def measure(
    size: int,
    base: tuple[list[Chunk], np.ndarray],
    embedder: OnnxEmbedder,
    queries: list[str],
    tmp: Path,
) -> list[str]:
    """Build a library of `size` chunks and time its searches; returns table rows."""
    chunks, vectors, modules = synthesise(base[0], base[1], size)
    store = ChromaVectorStore(path=tmp / f"chroma-{size}")
    started = time.perf_counter()
    store.upsert_modules(modules, chunks, vectors)
    store_seconds = time.perf_counter() - started
    started = time.perf_counter()
    lexical = build_lexical_index(chunks, modules)
    bm25_seconds = time.perf_counter() - started
    retriever = HybridRetriever(
        embedder=embedder, store=store, chunks=chunks, modules=modules, lexical=lexical
    )
    vector = embedder.embed_query(queries[0])
    rows = []
    for label, fn in (
        ("search, no filter", lambda q: retriever.search(q, k=10)),
        (
            "search, learner roles=(support,)",
            lambda q: retriever.search(q, k=10, roles=("support",)),
        ),
        (
            "answer: search + confidence + extractive answer",
            lambda q: _answer(retriever, modules, q),
        ),
        ("  query embedding only", embedder.embed_query),
        ("  Chroma top-50 only", lambda q: store.query(vector, k=50)),
        ("  BM25 top-50 only", lambda q: lexical.top(q, 50)),
    ):
        p50, p95 = percentiles(fn, queries)
        rows.append(f"| {size:,} | {label} | {p50:.1f} | {p95:.1f} |")
    print(
        f"{size:,} chunks / {len(modules):,} modules: store add {store_seconds:.1f} s, "
        f"BM25 build {bm25_seconds:.1f} s",
        flush=True,
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000,10000,100000")
    args = parser.parse_args()
    qa = shared.load_questions()
    queries = [q["question"] for q in qa] + shared.OFF_TOPIC
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as name:
        tmp = Path(name)
        chunks, _ = shared.parse_library(shared.DATA)
        bulk = OnnxEmbedder(tmp / "models")
        started = time.perf_counter()
        vectors = bulk.embed_documents([embedding_text(c) for c in chunks])
        print(f"embedded {len(chunks)} real chunks in {time.perf_counter() - started:.1f} s")
        serving = OnnxEmbedder(tmp / "models", query_threads=1)
        rows = []
        for size in (int(s) for s in args.scales.split(",")):
            rows += measure(size, (chunks, vectors), serving, queries, tmp)
        print(f"\n### Warm hybrid search latency ({len(queries)} queries, k=10, 1 ONNX thread)\n")
        print("| chunks | operation | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
