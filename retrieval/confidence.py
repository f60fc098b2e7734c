"""Decide whether retrieved chunks are relevant enough to answer from."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.hybrid import Hit

# Minimum cosine similarity between the question and its best dense hit. Measured by
# bench/bench_retrieval.py (section "confidence threshold"): the 92 answerable handbook
# questions on the harder corpus (own headings blanked) against 40 off-topic questions
# (cooking, sports, astrophysics, celebrities, programming trivia), with all-MiniLM-L6-v2 and
# learnbot's chunks; this is the threshold maximising balanced accuracy on that set.
DEFAULT_CONFIDENCE_THRESHOLD = 0.35


def top_dense_score(hits: Sequence[Hit]) -> float:
    """The highest cosine similarity among hits that were dense candidates (0.0 if none)."""
    return max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)


def is_confident(hits: Sequence[Hit], *, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD) -> bool:
    """Whether the best hit is similar enough to the question to answer from the library.

    Args:
        hits: Results of `HybridRetriever.search` for the question.
        threshold: Minimum top dense cosine similarity.

    Returns:
        False for an empty result or when no hit reaches the threshold.
    """
    return top_dense_score(hits) >= threshold
