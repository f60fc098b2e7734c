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

# A question whose key words the library never uses is about something else ("the wifi
# password at the Denver store" matches password pages well by meaning). When at least this
# share of its terms is unknown, only a strong match counts. On the sample library's 43
# answerable questions the highest share was 0.33 (a paraphrase: "baby", "born"); off-topic
# ones with place names and products reach 0.4 and more.
UNKNOWN_TERMS_SHARE = 0.4
STRONG_MATCH = 0.6


def top_dense_score(hits: Sequence[Hit]) -> float:
    """The highest cosine similarity among hits that were dense candidates (0.0 if none)."""
    return max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)


def is_confident(
    hits: Sequence[Hit],
    *,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    unknown_share: float = 0.0,
) -> bool:
    """Whether the best hit is similar enough to the question to answer from the library.

    Args:
        hits: Results of `HybridRetriever.search` for the question.
        threshold: Minimum top dense cosine similarity.
        unknown_share: Share of the question's terms the library never uses.

    Returns:
        False for an empty result, when no hit reaches the threshold, or when many of the
        question's terms are unknown to the library and the best match is not strong.
    """
    top = top_dense_score(hits)
    if unknown_share >= UNKNOWN_TERMS_SHARE:
        return top >= max(threshold, STRONG_MATCH)
    return top >= threshold
