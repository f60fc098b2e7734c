"""Retrieval quality on the 18F handbook: plain BM25, LangChain's tutorial pipeline, learnbot.

Usage:
    .venv/bin/python bench/bench_retrieval.py [--variant harder|original] [--no-ablations]
        [--no-baselines]
    .venv/bin/python bench/bench_retrieval.py --corpus DIR --qa FILE [--no-langchain]

The HARDER variant blanks each question's own heading line in a temporary copy of the corpus,
so a question cannot be answered by matching its verbatim heading. Every system is scored on
the documents it ranks (each once, at its first chunk's rank). The script also calibrates
the confidence threshold (answerable handbook questions versus off-topic ones) and measures the
extractive answer's sentence scoring.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.settings import apply_runtime_env  # noqa: E402

apply_runtime_env()

from content_index import ContentError, chunk_document, discover, parse_file  # noqa: E402
from content_index.model import Chunk, ModuleMeta  # noqa: E402
from retrieval.answer import (  # noqa: E402
    compose_extractive,
    embedding_relevance,
    lexical_relevance,
)
from retrieval.bm25 import BM25Index, BM25Params  # noqa: E402
from retrieval.confidence import top_dense_score  # noqa: E402
from retrieval.embedding import Embedder, packaged_model_path  # noqa: E402
from retrieval.evaluation import Retrieved, evaluate, hits_as_retrieved  # noqa: E402
from retrieval.hybrid import HybridConfig, HybridRetriever  # noqa: E402
from retrieval.indexing import index_library  # noqa: E402
from retrieval.lexical import DEFAULT_LEXICAL_PARAMS, build_lexical_index  # noqa: E402
from retrieval.onnx_embedder import OnnxEmbedder  # noqa: E402
from retrieval.store import ChromaVectorStore  # noqa: E402
from retrieval.text import split_sentences, tokenize  # noqa: E402

DATA = (REPO / ".." / "shared" / "data" / "handbook-18f").resolve()
MAX_BYTES = 50_000_000
RetrieverFn = Callable[[str], Sequence[Retrieved]]
# Every system returns this many chunks; the evaluation ranks their distinct documents (each at
# its first chunk's rank), so the top 10 documents are filled even when chunks cluster.
CHUNKS = 50

OFF_TOPIC = [
    # cooking
    "How long should I boil an egg for a soft yolk?",
    "What is the best flour for making sourdough bread?",
    "How do I make a classic French omelette?",
    "Can I substitute baking soda for baking powder?",
    "What temperature should I roast a chicken at?",
    "How do you make fresh pasta without a machine?",
    "What spices go into a garam masala blend?",
    "How do I keep guacamole from turning brown?",
    # sports
    "Who won the FIFA World Cup in 2014?",
    "How many players are on a rugby union team?",
    "What is the offside rule in ice hockey?",
    "How long is an Olympic marathon?",
    "Which tennis player has the most Grand Slam titles?",
    "How is a touchdown scored in American football?",
    "What does a libero do in volleyball?",
    "How many holes are played in a round of golf?",
    # astrophysics
    "What is the Chandrasekhar limit for white dwarfs?",
    "How do black holes evaporate through Hawking radiation?",
    "What causes the redshift of distant galaxies?",
    "How far away is the Andromeda galaxy?",
    "What is dark energy and why is the universe accelerating?",
    "How do neutron stars form after a supernova?",
    "What is the cosmic microwave background radiation?",
    "Why does Saturn have rings?",
    # celebrities
    "Who is Taylor Swift dating right now?",
    "How many Oscars has Meryl Streep won?",
    "What was Beyoncé's first solo album?",
    "Where did Leonardo DiCaprio grow up?",
    "How tall is Dwayne Johnson?",
    "Which band was Harry Styles in before going solo?",
    "Who played James Bond in Casino Royale?",
    "What is Oprah Winfrey's net worth?",
    # unrelated programming trivia
    "What year was the C programming language created?",
    "Who invented the Lisp programming language?",
    "What does the Y combinator do in lambda calculus?",
    "Why does JavaScript say NaN is not equal to NaN?",
    "What is the time complexity of quicksort in the worst case?",
    "How does Haskell implement lazy evaluation with thunks?",
    "What is the difference between a mutex and a semaphore?",
    "Who wrote The Art of Computer Programming?",
]


def load_questions() -> list[dict[str, Any]]:
    """The handbook questions that stand on their own (needs_context false)."""
    lines = (DATA / "questions.jsonl").read_text().splitlines()
    return [q for q in map(json.loads, lines) if not q["needs_context"]]


def harder_copy(questions: list[dict[str, Any]], target: Path) -> Path:
    """Copy the corpus into `target` and blank every question's own heading line."""
    shutil.copytree(DATA / "corpus", target / "corpus")
    for q in questions:
        path = target / q["gold"][0]
        lines = path.read_text().split("\n")
        lines[q["gold_section"]["heading_line"] - 1] = ""
        path.write_text("\n".join(lines))
    return target


def parse_library(
    root: Path, *, folder: str = "corpus"
) -> tuple[list[Chunk], dict[str, ModuleMeta]]:
    """learnbot's parse + structure-aware chunking of every supported file under root/folder
    (sources relative to `root`; `folder` "" for the root itself)."""
    chunks: list[Chunk] = []
    modules: dict[str, ModuleMeta] = {}
    prefix = f"{folder}/" if folder else ""
    for file, source in discover([root / folder if folder else root]):
        try:
            doc = parse_file(file, source=f"{prefix}{source}", max_bytes=MAX_BYTES)
        except ContentError:
            continue  # e.g. the .xlsx download: unsupported, reported by the ingest command
        modules[doc.meta.id] = doc.meta
        chunks.extend(chunk_document(doc))
    return chunks, modules


def raw_pages(root: Path, modules: dict[str, ModuleMeta]) -> list[tuple[str, str]]:
    """(source, text) per document as a naive loader sees it: Markdown verbatim (front matter
    included); for the PDF/Word downloads, the text learnbot's parsers extract."""
    pages = []
    for meta in modules.values():
        path = root / meta.source
        if path.suffix == ".md":
            pages.append((meta.source, path.read_text()))
        else:
            doc = parse_file(path, source=meta.source, max_bytes=MAX_BYTES)
            pages.append((meta.source, "\n\n".join(s.text for s in doc.sections)))
    return pages


def split_1000(pages: list[tuple[str, str]]) -> list[Any]:
    """LangChain's RecursiveCharacterTextSplitter(1000, 200), with source and line range."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=1000, chunk_overlap=200, add_start_index=True
    )
    docs = splitter.create_documents(
        [text for _, text in pages], metadatas=[{"source": s} for s, _ in pages]
    )
    texts = dict(pages)
    for doc in docs:
        start = doc.metadata["start_index"]
        first = texts[doc.metadata["source"]].count("\n", 0, start) + 1
        doc.metadata.update(line_start=first, line_end=first + doc.page_content.count("\n"))
    return docs


def _as_retrieved(docs: Sequence[Any]) -> list[Retrieved]:
    return [
        Retrieved(d.metadata["source"], d.metadata["line_start"], d.metadata["line_end"])
        for d in docs
    ]


def bm25_baseline(docs: list[Any]) -> RetrieverFn:
    """Plain BM25 (no stemming, no title field) over the 1,000-character chunks."""
    index = BM25Index.build(
        ids=[str(i) for i in range(len(docs))],
        bodies=[d.page_content for d in docs],
        params=BM25Params(use_stemming=False, title_weight=0.0),
    )
    return lambda q: _as_retrieved([docs[i] for i, _ in index.top(q, CHUNKS)])


def langchain_baseline(docs: list[Any]) -> RetrieverFn:
    """The LangChain RAG tutorial: HuggingFaceEmbeddings + langchain_chroma.Chroma."""
    import chromadb
    from chromadb.config import Settings
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=str(packaged_model_path()))
    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    store = Chroma.from_documents(docs, embeddings, client=client, collection_name="tutorial")
    return lambda q: _as_retrieved(store.similarity_search(q, k=CHUNKS))


def learnbot_fn(retriever: HybridRetriever, modules: dict[str, ModuleMeta]) -> RetrieverFn:
    """Adapt the hybrid retriever to the evaluation (module id -> source path)."""
    sources = {m.id: m.source for m in modules.values()}
    return lambda q: hits_as_retrieved(retriever.search(q, k=CHUNKS), sources)


def print_table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Print one Markdown table of evaluation reports."""
    print(f"\n### {title}\n")
    print("| system | recall@1 | recall@5 | recall@10 | MRR | section recall@5 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['recall@1']:.3f} | {r['recall@5']:.3f} | {r['recall@10']:.3f} | "
            f"{r['mrr']:.3f} | {r.get('section_recall@5', float('nan')):.3f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
        )


def calibrate(
    scores_pos: list[float], scores_neg: list[float]
) -> tuple[float, float, float, float]:
    """Threshold maximising balanced accuracy: (threshold, balanced acc, TPR, TNR).

    The threshold is set halfway between the two scores that bracket the best cut."""
    values = sorted(set(scores_pos) | set(scores_neg))
    best = (0.0, -1.0, 0.0, 0.0)
    for low, high in zip([values[0] - 1e-3, *values], [*values, values[-1] + 1e-3], strict=True):
        cut = (low + high) / 2
        tpr = sum(s >= cut for s in scores_pos) / len(scores_pos)
        tnr = sum(s < cut for s in scores_neg) / len(scores_neg)
        if (tpr + tnr) / 2 > best[1]:
            best = (cut, (tpr + tnr) / 2, tpr, tnr)
    return best


def confidence_section(retriever: HybridRetriever, questions: list[dict[str, Any]]) -> None:
    """Calibrate the top-dense-cosine threshold and print it."""
    pos = [top_dense_score(retriever.search(q["question"], k=10)) for q in questions]
    neg = [top_dense_score(retriever.search(q, k=10)) for q in OFF_TOPIC]
    cut, balanced, tpr, tnr = calibrate(pos, neg)
    print("\n### Confidence threshold (top dense cosine)\n")
    print(f"answerable n={len(pos)}: min {min(pos):.3f}, median {sorted(pos)[len(pos) // 2]:.3f}")
    print(f"off-topic  n={len(neg)}: max {max(neg):.3f}, median {sorted(neg)[len(neg) // 2]:.3f}")
    print(
        f"best threshold {cut:.3f}: balanced accuracy {balanced:.3f} "
        f"(answerable kept {tpr:.3f}, off-topic rejected {tnr:.3f})"
    )


def answer_section(
    retriever: HybridRetriever,
    questions: list[dict[str, Any]],
    *,
    modules: dict[str, ModuleMeta],
    embedder: Embedder,
) -> None:
    """Compare sentence scorers of the extractive answer against each question's answer hint.

    "first sentence" counts answers containing the first sentence of the gold section (the
    hint starts with it); "hint term recall" is the share of the hint's terms in the answer.
    """
    scorers = [
        ("lexical overlap (default)", lexical_relevance),
        ("embedding cosine", embedding_relevance(embedder)),
    ]
    hits = {q["id"]: retriever.search(q["question"], k=10) for q in questions}
    print("\n### Extractive answer sentence scoring (3 sentences from the top 3 hits)\n")
    print("| scorer | contains gold first sentence | hint term recall | ms per answer |")
    print("|---|---|---|---|")
    for name, scorer in scorers:
        firsts, recalls, started = [], [], time.perf_counter()
        for q in questions:
            answer = compose_extractive(
                q["question"], hits[q["id"]], modules=modules, scorer=scorer
            )
            text = " ".join(answer.text.split())
            first = split_sentences(q["answer_hint"])[0][:60]
            firsts.append(" ".join(first.split()) in text)
            hint_terms = set(tokenize(q["answer_hint"]))
            recalls.append(len(hint_terms & set(tokenize(text))) / max(1, len(hint_terms)))
        elapsed = (time.perf_counter() - started) * 1000 / len(questions)
        print(
            f"| {name} | {sum(firsts) / len(firsts):.3f} | "
            f"{sum(recalls) / len(recalls):.3f} | {elapsed:.1f} |"
        )


def ablations(
    base: dict[str, Any], questions: list[dict[str, Any]], modules: dict[str, ModuleMeta]
) -> None:
    """learnbot variants: fusion, module aggregation, dense/lexical only, BM25 settings."""
    lexical = DEFAULT_LEXICAL_PARAMS
    configs: list[tuple[str, HybridConfig, BM25Params]] = [
        ("default (RRF, boost 0.5 top-2, decay 0.8, b 0.3)", HybridConfig(), lexical),
        ("no module boost", HybridConfig(module_weight=0.0), lexical),
        ("module boost sum of top 3", HybridConfig(module_top_m=3), lexical),
        ("no module diversification (decay 1)", HybridConfig(module_decay=1.0), lexical),
        ("one chunk per module first (decay 0)", HybridConfig(module_decay=0.0), lexical),
        (
            "no boost, no diversification",
            HybridConfig(module_weight=0.0, module_decay=1.0),
            lexical,
        ),
        (
            "weighted score fusion (lexical 0.7)",
            HybridConfig(fusion="weighted", lexical_weight=0.7),
            lexical,
        ),
        ("RRF k=20", HybridConfig(rrf_k=20), lexical),
        ("dense only", HybridConfig(lexical_weight=0.0), lexical),
        ("BM25 only", HybridConfig(dense_weight=0.0), lexical),
        (
            "BM25 only, no stemming",
            HybridConfig(dense_weight=0.0),
            replace(lexical, use_stemming=False),
        ),
        (
            "BM25 only, no title field",
            HybridConfig(dense_weight=0.0),
            replace(lexical, title_weight=0.0),
        ),
        ("hybrid, BM25 no stemming", HybridConfig(), replace(lexical, use_stemming=False)),
        ("hybrid, BM25 no title field", HybridConfig(), replace(lexical, title_weight=0.0)),
        ("hybrid, BM25 b=0.75 (Okapi default)", HybridConfig(), replace(lexical, b=0.75)),
        ("hybrid, BM25 k1=1.5", HybridConfig(), replace(lexical, k1=1.5)),
        ("hybrid, 100 candidates", HybridConfig(candidates=100), lexical),
    ]
    rows = []
    for name, config, params in configs:
        lexical = build_lexical_index(base["chunks"], modules, params=params)
        retriever = HybridRetriever(
            embedder=base["embedder"],
            store=base["store"],
            chunks=base["chunks"],
            modules=modules,
            lexical=lexical,
            config=config,
        )
        rows.append((name, evaluate(learnbot_fn(retriever, modules), questions, k=10)))
    print_table("learnbot ablations (same chunks, same vectors)", rows)


def baselines(
    root: Path, modules: dict[str, ModuleMeta], questions: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """Plain BM25 and LangChain's tutorial pipeline over 1,000-character chunks."""
    docs = split_1000(raw_pages(root, modules))
    print(f"1,000-character chunks: {len(docs)}")
    rows = [("BM25, 1,000-char chunks", evaluate(bm25_baseline(docs), questions))]
    started = time.perf_counter()
    langchain = langchain_baseline(docs)
    print(f"LangChain index built in {time.perf_counter() - started:.1f} s")
    rows.append(("LangChain tutorial (splitter + HF + Chroma)", evaluate(langchain, questions)))
    return rows


def run(variant: str, *, with_ablations: bool, skip_baselines: bool = False) -> None:
    questions = load_questions()
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        root = harder_copy(questions, Path(tmp)) if variant == "harder" else DATA
        started = time.perf_counter()
        chunks, modules = parse_library(root)
        print(
            f"corpus: {len(modules)} documents, {len(chunks)} learnbot chunks "
            f"(parse+chunk {time.perf_counter() - started:.1f} s); {len(questions)} questions"
        )
        rows = [] if skip_baselines else baselines(root, modules, questions)
        embedder: Embedder = OnnxEmbedder(Path(tmp) / "models")
        store = ChromaVectorStore(path=Path(tmp) / "chroma")
        started = time.perf_counter()
        index_library(store, embedder, chunks=chunks, modules=modules)
        print(f"learnbot index built in {time.perf_counter() - started:.1f} s (ONNX export incl.)")
        retriever = HybridRetriever(embedder=embedder, store=store, chunks=chunks, modules=modules)
        rows.append(("learnbot hybrid", evaluate(learnbot_fn(retriever, modules), questions)))
        print_table(f"Document retrieval, {variant} variant, {len(questions)} questions", rows)
        if with_ablations:
            base = {"chunks": chunks, "embedder": embedder, "store": store}
            ablations(base, questions, modules)
        confidence_section(retriever, questions)
        answer_section(retriever, questions, modules=modules, embedder=embedder)


def run_corpus(corpus: Path, qa: Path, *, skip_langchain: bool) -> None:
    """Any library folder and its questions (gold paths relative to the folder): plain BM25
    and LangChain's pipeline over 1,000-character chunks; learnbot's hybrid, its dense
    retriever alone and its BM25 alone over learnbot's chunks."""
    questions = [json.loads(line) for line in qa.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        chunks, modules = parse_library(corpus, folder="")
        print(
            f"corpus: {len(modules)} documents, {len(chunks)} learnbot chunks; "
            f"{len(questions)} questions"
        )
        docs = split_1000(raw_pages(corpus, modules))
        print(f"1,000-character chunks: {len(docs)}")
        rows = [("BM25, 1,000-char chunks", evaluate(bm25_baseline(docs), questions))]
        if not skip_langchain:
            rows.append(
                (
                    "LangChain tutorial (splitter + HF + Chroma)",
                    evaluate(langchain_baseline(docs), questions),
                )
            )
        embedder: Embedder = OnnxEmbedder(Path(tmp) / "models")
        store = ChromaVectorStore(path=Path(tmp) / "chroma")
        index_library(store, embedder, chunks=chunks, modules=modules)
        for name, config in (
            ("learnbot dense only", HybridConfig(lexical_weight=0.0)),
            ("learnbot BM25 only", HybridConfig(dense_weight=0.0)),
            ("learnbot hybrid", HybridConfig()),
        ):
            retriever = HybridRetriever(
                embedder=embedder, store=store, chunks=chunks, modules=modules, config=config
            )
            rows.append((name, evaluate(learnbot_fn(retriever, modules), questions)))
        print_table(f"Document retrieval, {corpus.name}, {len(questions)} questions", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="Another library folder (needs --qa).")
    parser.add_argument("--qa", type=Path, help="Its questions: question and gold paths.")
    parser.add_argument("--no-langchain", action="store_true", help="With --corpus.")
    parser.add_argument("--variant", choices=["harder", "original"], default="harder")
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument(
        "--no-baselines", action="store_true", help="Skip BM25 and LangChain (minutes faster)."
    )
    args = parser.parse_args()
    if args.corpus:
        if not args.qa:
            parser.error("--corpus needs --qa")
        run_corpus(args.corpus, args.qa, skip_langchain=args.no_langchain)
        return
    run(args.variant, with_ablations=not args.no_ablations, skip_baselines=args.no_baselines)


if __name__ == "__main__":
    main()
