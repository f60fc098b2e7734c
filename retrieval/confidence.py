"""Decide whether retrieved chunks are relevant enough to answer from: evidence and a model."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from content_index.model import ModuleMeta
from retrieval.answer import score_sentences
from retrieval.cues import asks_for_live_data, fits, question_kind
from retrieval.hybrid import Hit
from retrieval.text import stem, tokenize

# Minimum cosine similarity between the question and its best dense hit. Measured by
# bench/bench_retrieval.py (section "confidence threshold"): the 92 answerable handbook
# questions on the harder corpus (own headings blanked) against 40 off-topic questions
# (cooking, sports, astrophysics, celebrities, programming trivia), with all-MiniLM-L6-v2 and
# learnbot's chunks; this is the threshold maximising balanced accuracy on that set.
DEFAULT_CONFIDENCE_THRESHOLD = 0.35

# A question whose key words the library never uses is about something else ("the wifi
# password at the Denver store" matches password pages well by meaning). When at least this
# share of its terms is unknown, only a strong match counts. 0.25 refuses "the company holiday
# party" and "my dog at the Spokane office" on the sample library (bench/bench_answers.py);
# of its 43 own questions it costs two that a weaker match answered ("counselling if I'm
# struggling", "travel overseas"), while "my baby is born" (0.33) keeps its strong match.
UNKNOWN_TERMS_SHARE = 0.25
STRONG_MATCH = 0.6

# The selective-answering model over `Evidence` (in `FEATURES` order), fitted by
# bench/bench_answers.py: logistic regression on the tuning libraries (the sample library,
# the 18F handbook and the Debian Reference), a question counting as answerable only when
# its extractive answer cites a gold document, against each library's off-topic questions
# (other libraries' questions it does not answer, checked by hand, and general ones) and its
# own questions the answer would get wrong (L2 penalty 0.01). The cut keeps precision at
# least 0.80 and off-topic refusals at least 0.95 on every tuning library.
WEIGHTS = (2.903, 1.022, -0.738, 2.066, 1.723, -2.108, 0.095, 0.918, 2.326, 1.784)
BIAS = -5.935
ANSWER_CUT = 0.425


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


@dataclass(frozen=True)
class Evidence:
    """What speaks for answering a question from its hits.

    Attributes:
        top_dense: Highest cosine similarity of a hit to the question.
        agreement: 1.0 when the best dense hit and the best BM25 hit are of the same module.
        margin: How far the first module leads the next: (first - next) / first fused score.
        coverage: Share of the question's terms, weighted by how distinctive they are, found in
            the passage the answer comes from (its text, section and module title).
        answer_fit: Score of the best answer sentence (`retrieval.answer.score_sentences`).
        unknown_share: Share of the question's terms the library never uses.
        cue_fit: 1.0 when the answer sentence has the shape the question asks for (a day for
            "when", a number for "how much": `retrieval.cues`) or the question's kind is
            unknown, else 0.0.
        lead: 1.0 when the answer sentence comes from the first hit's module.
        dense_margin: How far the first module's best cosine leads the next module's.
        live_data: The question asks for something that changes daily (a price today).
    """

    top_dense: float
    agreement: float
    margin: float
    coverage: float
    answer_fit: float
    unknown_share: float
    cue_fit: float = 1.0
    lead: float = 1.0
    dense_margin: float = 0.0
    live_data: bool = False

    @property
    def covered_similarity(self) -> float:
        """Coverage times the top cosine: the question's words found in a passage that is
        also close in meaning (either alone is common in off-topic questions)."""
        return self.coverage * self.top_dense

    def as_vector(self) -> list[float]:
        """The features in the order of `WEIGHTS`."""
        return [getattr(self, name) for name in FEATURES]


# Question words that say how to ask, not what about: not counted for coverage (stemmed).
_FILLER_LIST = """
    much many long often far put take get make know tell want like mean happen someone
    something anything thing way ok okay ask asking wonder
    """
QUESTION_FILLERS = frozenset(stem(w) for w in _FILLER_LIST.split())
FEATURES = (
    "top_dense",
    "agreement",
    "margin",
    "coverage",
    "answer_fit",
    "unknown_share",
    "cue_fit",
    "lead",
    "dense_margin",
    "covered_similarity",
)


def gather_evidence(
    question: str,
    hits: Sequence[Hit],
    *,
    modules: Mapping[str, ModuleMeta],
    unknown_share: float = 0.0,
    term_weights: Mapping[str, float] | None = None,
) -> Evidence:
    """Measure the evidence for answering `question` from `hits` (best first, not empty).

    Args:
        question: The learner's question.
        hits: Its search results.
        modules: Module metadata (titles count as part of a passage).
        unknown_share: Share of the question's terms the library never uses.
        term_weights: Weight per question term the library knows, for coverage (its idf, so
            a missing distinctive word counts more than a missing common one); other terms
            weigh as much as the average known one; None weighs all alike.
    """
    scored = score_sentences(question, hits)
    top = max(scored, key=lambda s: s.score) if scored else None
    best = hits[top.rank] if top else hits[0]
    kind = question_kind(question)
    meta = modules.get(best.module_id)
    passage = set(tokenize(" ".join((best.text, best.section, meta.title if meta else ""))))
    terms = [t for t in tokenize(question) if t not in QUESTION_FILLERS]
    known = {t: w for t, w in (term_weights or {}).items() if t in terms}
    # A word the library never uses is a paraphrase as often as a new topic ("weird link"):
    # it weighs as much as an average known word here; `unknown_share` judges it apart.
    usual = sum(known.values()) / len(known) if known else 1.0
    weights = {t: known.get(t, usual) for t in terms}
    total = sum(weights.values())
    covered = sum(w for t, w in weights.items() if t in passage) / total if total else 0.0
    return Evidence(
        top_dense=top_dense_score(hits),
        agreement=float(_best_module(hits, "dense_score") == _best_module(hits, "lexical_score")),
        margin=_module_margin(hits),
        coverage=covered,
        answer_fit=max((s.score for s in scored), default=0.0),
        unknown_share=unknown_share,
        cue_fit=float(kind is None or (top is not None and fits(kind, top.sentence))),
        lead=float(best.module_id == hits[0].module_id),
        dense_margin=_dense_margin(hits),
        live_data=asks_for_live_data(question),
    )


def _best_module(hits: Sequence[Hit], field: str) -> str | None:
    scored = [(getattr(h, field), h.module_id) for h in hits if getattr(h, field) is not None]
    return max(scored)[1] if scored else None


def _dense_margin(hits: Sequence[Hit]) -> float:
    """The first module's best cosine minus the best cosine of any other module."""
    best: dict[str, float] = {}
    for h in hits:
        if h.dense_score is not None:
            best[h.module_id] = max(best.get(h.module_id, h.dense_score), h.dense_score)
    first = best.get(hits[0].module_id)
    others = [v for m, v in best.items() if m != hits[0].module_id]
    if first is None:
        return 0.0
    return first - max(others, default=0.0)


def _module_margin(hits: Sequence[Hit]) -> float:
    first = hits[0]
    following = next((h.score for h in hits if h.module_id != first.module_id), 0.0)
    return (first.score - following) / first.score if first.score > 0 else 0.0


def answer_probability(evidence: Evidence) -> float:
    """Probability that the library answers the question, by the calibrated logistic model."""
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, evidence.as_vector(), strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def should_answer(evidence: Evidence, *, cut: float = ANSWER_CUT) -> bool:
    """Answer confidently only past the cosine floor and the model's cut.

    A question with words the library never uses, or one asking for live data, also needs a
    strong match (`STRONG_MATCH`).
    """
    if evidence.top_dense < DEFAULT_CONFIDENCE_THRESHOLD:
        return False
    unusual = evidence.unknown_share >= UNKNOWN_TERMS_SHARE or evidence.live_data
    if unusual and evidence.top_dense < STRONG_MATCH:
        return False
    return answer_probability(evidence) >= cut
