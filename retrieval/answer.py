"""Extractive answers: the most relevant sentences of the best hits, with numbered citations."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from content_index.model import ModuleMeta
from retrieval.embedding import Embedder
from retrieval.hybrid import Hit
from retrieval.text import split_sentences, tokenize

_MARKUP_ONLY = re.compile(r"^[\s#>*|\-=_`:]*$")
_MIN_WORDS = 4
# Added to a sentence's relevance for the hit it comes from: 0.3 for the first, 0.15, 0.1...
_RANK_PRIOR = 0.3
# A sentence joins the answer only if it scores at least this share of the best sentence,
# so a weak sentence from a lower-ranked hit does not pad a good answer.
_KEEP_SHARE = 0.6

SentenceScorer = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer.

    Attributes:
        number: The n of the "[n]" marker in the answer text.
        module_id: Cited module.
        title: Module title.
        section: Section title ("" for a module's introduction).
        source: Source path or URL of the module.
        link: Where to read it: the module URL, else its source, plus "#anchor" when known.
    """

    number: int
    module_id: str
    title: str
    section: str
    source: str
    link: str


@dataclass(frozen=True)
class Answer:
    """An answer text with "[n]" markers and the citations they refer to."""

    text: str
    citations: tuple[Citation, ...]


def citation_for(hit: Hit, number: int, modules: Mapping[str, ModuleMeta]) -> Citation:
    """Build the citation for a hit from its module's metadata."""
    meta = modules.get(hit.module_id)
    title = meta.title if meta else hit.module_id
    source = meta.source if meta else ""
    base = (meta.url or meta.source) if meta else ""
    link = f"{base}#{hit.anchor}" if base and hit.anchor else base
    return Citation(
        number=number,
        module_id=hit.module_id,
        title=title,
        section=hit.section,
        source=source,
        link=link,
    )


def format_citations(citations: Sequence[Citation]) -> str:
    """One line per citation: "[n] Title — Section (link)"."""
    lines = []
    for c in citations:
        label = f"{c.title} — {c.section}" if c.section and c.section != c.title else c.title
        lines.append(f"[{c.number}] {label}" + (f" ({c.link})" if c.link else ""))
    return "\n".join(lines)


def _candidate_sentences(text: str) -> list[str]:
    kept = []
    for sentence in split_sentences(text):
        sentence = sentence.lstrip("#>*-+ ").strip()
        if len(sentence.split()) >= _MIN_WORDS and not _MARKUP_ONLY.match(sentence):
            kept.append(sentence)
    return kept


def lexical_relevance(question: str, sentences: Sequence[str]) -> list[float]:
    """Share of the question's terms in each sentence, damped for long sentences."""
    question_terms = set(tokenize(question))
    scores = []
    for sentence in sentences:
        terms = tokenize(sentence)
        if not terms or not question_terms:
            scores.append(0.0)
            continue
        overlap = len(question_terms & set(terms)) / len(question_terms)
        scores.append(overlap / math.sqrt(max(1.0, len(terms) / 20.0)))
    return scores


def embedding_relevance(embedder: Embedder) -> SentenceScorer:
    """A scorer giving each sentence its cosine similarity to the question."""

    def score(question: str, sentences: Sequence[str]) -> list[float]:
        if not sentences:
            return []
        vectors = embedder.embed_documents(list(sentences))
        return [float(x) for x in vectors @ embedder.embed_query(question)]

    return score


def compose_extractive(
    question: str,
    hits: Sequence[Hit],
    *,
    modules: Mapping[str, ModuleMeta],
    max_sentences: int = 3,
    max_hits: int = 3,
    scorer: SentenceScorer = lexical_relevance,
) -> Answer:
    """Answer with up to `max_sentences` sentences taken from the best hits, cited as [n].

    Each sentence scores its relevance (by default question-term overlap, stemmed, stop words
    removed) plus a prior for better-ranked hits; the chosen ones are shown in hit order, then
    reading order.

    Args:
        question: The learner's question.
        hits: Retrieval results, best first.
        modules: Module metadata for titles and sources.
        max_sentences: Sentences in the answer.
        max_hits: Only the first `max_hits` hits are read.
        scorer: Relevance of sentences to the question (`lexical_relevance` or
            `embedding_relevance(embedder)`).

    Returns:
        The answer; empty text and no citations when no hit has usable sentences.
    """
    candidates = [
        (rank, position, sentence)
        for rank, hit in enumerate(hits[:max_hits])
        for position, sentence in enumerate(_candidate_sentences(hit.text))
    ]
    relevance = scorer(question, [sentence for _, _, sentence in candidates])
    scored = [
        (score + _RANK_PRIOR / (1 + rank), rank, position, sentence)
        for score, (rank, position, sentence) in zip(relevance, candidates, strict=True)
    ]
    chosen = sorted(scored, key=lambda s: (-s[0], s[1], s[2]))[:max_sentences]
    if chosen:
        chosen = [s for s in chosen if s[0] >= _KEEP_SHARE * chosen[0][0]]
    chosen.sort(key=lambda s: (s[1], s[2]))
    numbers: dict[tuple[str, str], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for _, rank, _, sentence in chosen:
        hit = hits[rank]
        key = (hit.module_id, hit.anchor or hit.section)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(citation_for(hit, numbers[key], modules))
        parts.append(f"{sentence} [{numbers[key]}]")
    return Answer(text=" ".join(parts), citations=tuple(citations))
