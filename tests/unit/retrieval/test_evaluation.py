"""Evaluation metrics on hand-made rankings."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retrieval.evaluation import (
    Retrieved,
    evaluate,
    hits_as_retrieved,
    normalise_source,
    ranked_documents,
)
from retrieval.hybrid import Hit

RANKINGS: dict[str, list[Retrieved]] = {
    # gold first
    "q1": [Retrieved("a.md#intro", 1, 10), Retrieved("b.md")],
    # gold third
    "q2": [Retrieved("b.md"), Retrieved("c.md"), Retrieved("./a.md", 40, 60)],
    # gold missing
    "q3": [Retrieved("b.md"), Retrieved("c.md")],
    # gold sixth
    "q4": [Retrieved(f"x{i}.md") for i in range(5)] + [Retrieved("d.md")],
    # gold document second, after five chunks of one other document
    "q5": [Retrieved("b.md", i, i) for i in range(5)] + [Retrieved("a.md"), Retrieved("a.md")],
}
QA = [
    {
        "question": "q1",
        "gold": ["a.md"],
        "gold_section": {"heading_line": 5, "section_end_line": 8},
    },
    {
        "question": "q2",
        "gold": ["a.md"],
        "gold_section": {"heading_line": 61, "section_end_line": 70},
    },
    {"question": "q3", "gold": ["a.md"]},
    {"question": "q4", "gold": ["d.md"]},
]


def _retriever(question: str) -> Sequence[Retrieved]:
    return RANKINGS[question]


def test_metric_arithmetic() -> None:
    report = evaluate(_retriever, QA, k=10)
    assert report["n"] == 4
    assert report["recall@1"] == pytest.approx(1 / 4)
    assert report["recall@5"] == pytest.approx(2 / 4)
    assert report["recall@10"] == pytest.approx(3 / 4)
    assert report["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 6) / 4)
    # q1: lines 1-10 overlap the gold 5-8; q2: lines 40-60 end before the gold 61-70.
    assert report["section_recall@5"] == pytest.approx(1 / 2)
    assert report["n_section"] == 2
    assert 0.0 <= report["p50_ms"] <= report["p95_ms"]


def test_mrr_counts_only_the_first_k_results() -> None:
    assert evaluate(_retriever, QA[3:], k=5)["mrr"] == 0.0


def test_recall_counts_a_question_once_any_gold_document_is_found() -> None:
    qa = [{"question": "q1", "gold": ["a.md", "z.md"]}]
    report = evaluate(_retriever, qa, k=10)
    assert report["recall@1"] == 1.0
    assert "section_recall@5" not in report


def test_documents_are_ranked_once_at_their_first_chunk() -> None:
    assert ranked_documents(RANKINGS["q5"]) == ["b.md", "a.md"]
    report = evaluate(_retriever, [{"question": "q5", "gold": ["a.md"]}], k=10)
    assert report["recall@1"] == 0.0
    assert report["recall@5"] == 1.0, "a.md is the second document, not the sixth chunk"
    assert report["mrr"] == pytest.approx(1 / 2)


def test_normalise_source() -> None:
    assert normalise_source("./pages\\x.md#top") == "pages/x.md"


def test_hits_as_retrieved_maps_module_to_source() -> None:
    hit = Hit("m::0", "m", "S", "s", 3, 7, "text", 1.0, 0.5, None)
    assert hits_as_retrieved([hit], {"m": "pages/m.md"}) == [Retrieved("pages/m.md", 3, 7)]
