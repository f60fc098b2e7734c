"""Retrieval evaluation: document-level recall@k and MRR, section recall and latency."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Retrieved:
    """One ranked result as the evaluation sees it.

    Attributes:
        source: Source path of the result's document (a "#anchor" suffix is ignored).
        line_start: First line of the result in that file (0 if unknown).
        line_end: Last line (0 if unknown).
    """

    source: str
    line_start: int = 0
    line_end: int = 0


RetrieverFn = Callable[[str], Sequence[Retrieved]]


def normalise_source(source: str) -> str:
    """Strip a "#anchor", a leading "./" and use forward slashes."""
    path = source.split("#", 1)[0].replace("\\", "/")
    return path[2:] if path.startswith("./") else path


def ranked_documents(results: Sequence[Retrieved]) -> list[str]:
    """The distinct documents of ranked chunk results, each once, at its first chunk's rank."""
    documents: dict[str, None] = {}
    for result in results:
        documents.setdefault(normalise_source(result.source), None)
    return list(documents)


def first_relevant_rank(documents: Sequence[str], gold: set[str]) -> int | None:
    """1-based rank of the first gold document in a document ranking, None if there is none."""
    for rank, document in enumerate(documents, start=1):
        if document in gold:
            return rank
    return None


def hit_at(documents: Sequence[str], gold: set[str], k: int) -> float:
    """1.0 when a gold document is among the first `k` documents, else 0.0."""
    return 1.0 if gold.intersection(documents[:k]) else 0.0


def section_hit(
    results: Sequence[Retrieved], *, gold_file: str, first_line: int, last_line: int
) -> bool:
    """Whether a result from `gold_file` overlaps the gold line range [first_line, last_line]."""
    return any(
        normalise_source(r.source) == gold_file
        and r.line_start <= last_line
        and r.line_end >= first_line
        for r in results
    )


def evaluate(retriever_fn: RetrieverFn, qa: list[dict[str, Any]], *, k: int = 10) -> dict[str, Any]:
    """Run every question through `retriever_fn` and score the documents it ranks.

    Results are chunks; each document counts once, at the rank of its first chunk. recall@c is
    the share of questions with a gold document among the first c documents, and MRR uses the
    rank of the first gold document (0 beyond `k`).

    Args:
        retriever_fn: Maps a question to ranked chunk results (enough to fill `k` documents).
        qa: Dicts with "question", "gold" (list of source paths) and optionally "gold_section"
            ({"heading_line", "section_end_line"}, 1-based, in the first gold file).
        k: Cut-off for MRR and the longest recall.

    Returns:
        recall@1, recall@5, recall@10, mrr, p50_ms, p95_ms, n; plus section_recall@5 and
        n_section when some questions carry a gold section.
    """
    cutoffs = sorted({1, 5, 10, k})
    recalls: dict[int, list[float]] = {c: [] for c in cutoffs}
    reciprocal: list[float] = []
    latencies: list[float] = []
    sections: list[bool] = []
    for item in qa:
        gold = {normalise_source(g) for g in item["gold"]}
        started = time.perf_counter()
        results = list(retriever_fn(item["question"]))
        latencies.append((time.perf_counter() - started) * 1000.0)
        documents = ranked_documents(results)
        for cutoff in cutoffs:
            recalls[cutoff].append(hit_at(documents, gold, cutoff))
        rank = first_relevant_rank(documents[:k], gold)
        reciprocal.append(1.0 / rank if rank else 0.0)
        section = item.get("gold_section")
        if section and item["gold"]:
            sections.append(
                section_hit(
                    results[:5],
                    gold_file=normalise_source(item["gold"][0]),
                    first_line=int(section["heading_line"]),
                    last_line=int(section["section_end_line"]),
                )
            )
    report: dict[str, Any] = {f"recall@{c}": _mean(recalls[c]) for c in cutoffs}
    report.update(
        mrr=_mean(reciprocal),
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        n=len(qa),
    )
    if sections:
        report["section_recall@5"] = _mean([float(s) for s in sections])
        report["n_section"] = len(sections)
    return report


def hits_as_retrieved(hits: Sequence[Any], source_of: Mapping[str, str]) -> list[Retrieved]:
    """Adapt objects with module_id/line_start/line_end (e.g. `Hit`) to `Retrieved`."""
    return [
        Retrieved(
            source=source_of.get(h.module_id, ""), line_start=h.line_start, line_end=h.line_end
        )
        for h in hits
    ]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0
