"""Extractive answers: the sentences of the best hits that answer the question, with citations."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from content_index.model import ModuleMeta
from retrieval.cues import fits, question_kind
from retrieval.embedding import Embedder
from retrieval.hybrid import Hit
from retrieval.text import split_sentences, tokenize

_MARKUP_ONLY = re.compile(r"^[\s#>*|\-=_`:]*$")
_MIN_WORDS = 4
# Added to a sentence's relevance for the hit it comes from: 0.4 for the first, 0.2, 0.13...
_RANK_PRIOR = 0.4
# Times the hit's cosine similarity to the question, also added: a chunk close in meaning
# beats one that merely shares a word or two ("report" in an incident table).
_DENSE_PRIOR = 0.5
# Added when the sentence has the shape the question asks for (a day for "when"...).
_CUE_BONUS = 0.2
# Share of the question's terms found only in the sentence's section heading that counts.
_HEADING_SHARE = 0.75
_EMPHASIS_BONUS = 0.05
# Added for sentences of the first hit's module: the module the retrieval ranked first is
# the one to quote unless another module has a clearly better sentence (a passing mention
# of the question's words in a lower hit used to win the answer). Chosen with
# bench/bench_answers.py on the tuning libraries (share of answers citing a gold module).
LEAD_MODULE_BONUS = 0.0
# A sentence joins the best one only if it scores at least this share of it (from the same
# hit), or this higher share (from another hit), so weak sentences do not pad a good answer.
_KEEP_SHARE = 0.6
_KEEP_SHARE_OTHER_HIT = 0.95
MAX_ANSWER_CHARS = 600

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
    for piece in _table_rows(text):
        for sentence in split_sentences(piece):
            sentence = sentence.lstrip("#>*-+ ").strip()
            if len(sentence.split()) >= _MIN_WORDS and not _MARKUP_ONLY.match(sentence):
                kept.append(sentence)
    return kept


def _table_rows(text: str) -> list[str]:
    """The text in pieces, each table row ("cell | cell") a piece of its own, headers left out."""
    pieces: list[str] = []
    prose: list[str] = []
    previous = ""
    for line in text.split("\n"):
        if " | " not in line:
            prose.append(line)
        elif " | " in previous:
            # A row after a row: the first row of a table is its header ("Type | Allowance"),
            # which answers nothing.
            pieces += ["\n".join(prose), line]
            prose = []
        previous = line
    pieces.append("\n".join(prose))
    return [p for p in pieces if p.strip()]


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


@dataclass(frozen=True)
class _Scored:
    score: float
    rank: int
    position: int
    sentence: str
    module_id: str


def score_sentences(
    question: str,
    hits: Sequence[Hit],
    *,
    max_hits: int = 3,
    scorer: SentenceScorer = lexical_relevance,
    lead_bonus: float | None = None,
) -> list[_Scored]:
    """Every candidate sentence of the first `max_hits` hits, scored as an answer.

    A sentence scores its relevance (`scorer`), plus a share for question terms that only its
    section heading has, a bonus when it has the shape the question asks for (a day for
    "when", a number for "how much", a role for "who": `retrieval.cues`), a small one for
    emphasis the author put on it, a prior for better-ranked hits and for hits closer in
    meaning to the question, and `lead_bonus` (default `LEAD_MODULE_BONUS`) when it belongs
    to the first hit's module.
    """
    lead = LEAD_MODULE_BONUS if lead_bonus is None else lead_bonus
    candidates = [
        (rank, position, sentence)
        for rank, hit in enumerate(hits[:max_hits])
        for position, sentence in enumerate(_candidate_sentences(hit.text))
    ]
    relevance = scorer(question, [sentence for _, _, sentence in candidates])
    kind = question_kind(question)
    terms = set(tokenize(question))
    dense = [h.dense_score for h in hits]
    scored = []
    for base, (rank, position, sentence) in zip(relevance, candidates, strict=True):
        heading = set(tokenize(hits[rank].section)) - set(tokenize(sentence))
        bonus = _HEADING_SHARE * len(terms & heading) / max(1, len(terms))
        bonus += _CUE_BONUS if fits(kind, sentence) else 0.0
        bonus += _EMPHASIS_BONUS if "**" in sentence else 0.0
        bonus += lead if hits[rank].module_id == hits[0].module_id else 0.0
        score = base + bonus + _RANK_PRIOR / (1 + rank) + _DENSE_PRIOR * (dense[rank] or 0.0)
        scored.append(_Scored(score, rank, position, _plain(sentence), hits[rank].module_id))
    return scored


def _plain(sentence: str) -> str:
    return sentence.replace("**", "").replace("__", "")


def _choose(scored: Sequence[_Scored], *, max_sentences: int, max_chars: int) -> list[_Scored]:
    """The best sentence, then others close to it: from its own hit, or from another hit of
    the same module only when nearly as good; within `max_chars` in all."""
    ranked = sorted(scored, key=lambda s: (-s.score, s.rank, s.position))
    if not ranked or ranked[0].score <= 0:
        return []
    best = ranked[0]
    chosen = [best]
    length = len(best.sentence)
    for other in ranked[1:]:
        share = _KEEP_SHARE if other.rank == best.rank else _KEEP_SHARE_OTHER_HIT
        if (
            len(chosen) >= max_sentences
            or other.score < share * best.score
            or other.module_id != best.module_id
            or length + len(other.sentence) + 6 > max_chars
        ):
            continue
        chosen.append(other)
        length += len(other.sentence) + 6
    # The best sentence leads; the others follow in reading order, its own hit first.
    rest = sorted(chosen[1:], key=lambda s: (s.rank != best.rank, s.rank, s.position))
    return [best, *rest]


def compose_extractive(
    question: str,
    hits: Sequence[Hit],
    *,
    modules: Mapping[str, ModuleMeta],
    max_sentences: int = 3,
    max_hits: int = 3,
    max_chars: int = MAX_ANSWER_CHARS,
    scorer: SentenceScorer = lexical_relevance,
) -> Answer:
    """Answer with the sentences of the best hits that answer the question, cited as [n].

    Sentences are quoted as the source wrote them (emphasis markers removed). The best one
    leads (see `score_sentences`), the others follow in reading order: sentences of its own
    hit that score at least `_KEEP_SHARE` of it, of another hit of its module only at
    `_KEEP_SHARE_OTHER_HIT`; other modules are left to the related-modules list.

    Args:
        question: The learner's question.
        hits: Retrieval results, best first.
        modules: Module metadata for titles and sources.
        max_sentences: Sentences in the answer.
        max_hits: Only the first `max_hits` hits are read.
        max_chars: Longest answer text, markers excluded (a single longer sentence is cut).
        scorer: Relevance of sentences to the question (`lexical_relevance` or
            `embedding_relevance(embedder)`).

    Returns:
        The answer; empty text and no citations when no hit has usable sentences.
    """
    scored = score_sentences(question, hits, max_hits=max_hits, scorer=scorer)
    chosen = _choose(scored, max_sentences=max_sentences, max_chars=max_chars)
    numbers: dict[tuple[str, str], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for s in chosen:
        hit = hits[s.rank]
        key = (hit.module_id, hit.anchor or hit.section)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(citation_for(hit, numbers[key], modules))
        parts.append(f"{_shorten(s.sentence, max_chars)} [{numbers[key]}]")
    return Answer(text=" ".join(parts), citations=tuple(citations))


def _shorten(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
