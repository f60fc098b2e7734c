"""Structure-aware chunking: whole sections when they fit, else paragraphs, then sentences."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from content_index.model import Chunk, ParsedDocument, Section

DEFAULT_MAX_WORDS = 180
DEFAULT_OVERLAP_WORDS = 30
DEFAULT_MAX_TOKENS = 256
_SPECIAL_TOKENS = 2  # [CLS] and [SEP]
_MIN_MAX_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*$")
_SENTENCE_OPENER = re.compile(r"^[\"“‘'(\[]?[A-Z0-9]")
_ITEM_START = re.compile(r"^(?:[-*+•]\s|\d+[.)]\s|\|)")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "mr.", "ms.", "mrs.", "dr.", "no."})
_WORD_PIECES = re.compile(r"[A-Za-z]+|[^\W\d_]+|\d+|\S")
_COMMON_WORD_LENGTH = 6


@dataclass(frozen=True)
class _Token:
    word: str
    line: int  # index of the line within the section text
    paragraph: int
    starts_sentence: bool
    cost: int  # estimated model tokens
    starts_item: bool  # first word of a list item or table row, which keeps its own line


@functools.lru_cache(maxsize=65536)
def estimate_tokens(word: str) -> int:
    """A deliberately high estimate of the WordPiece tokens of one whitespace-separated word.

    Short lowercase words are usually one token; acronyms, CamelCase and long words split
    into pieces; digits pair up; punctuation and non-Latin letters cost one each. On the
    18F handbook it overestimates by about 30% and rarely underestimates a whole chunk.
    """
    count = 0
    for piece in _WORD_PIECES.findall(word):
        if piece.isascii() and piece.isalpha():
            if any(ch.isupper() for ch in piece[1:]):
                count += math.ceil(len(piece) / 2)
            else:
                count += 1 if len(piece) <= _COMMON_WORD_LENGTH else math.ceil(len(piece) / 4)
        elif piece.isdigit():
            count += math.ceil(len(piece) / 2)
        else:
            count += len(piece)
    return count


def chunk_document(
    doc: ParsedDocument,
    *,
    max_words: int = DEFAULT_MAX_WORDS,
    overlap_words: int = DEFAULT_OVERLAP_WORDS,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> list[Chunk]:
    """Split a document into retrievable chunks that never cross a section boundary.

    A section that fits becomes one chunk. A longer one is packed paragraph by paragraph;
    a paragraph that is itself too long is split into sentences (list items and table rows
    count as sentences), and a sentence that is too long into word windows. Consecutive
    chunks of one section share up to `overlap_words` words, from a sentence start when
    one falls within them.
    Sections are never merged, so each chunk cites exactly one heading; the chunk's
    `context` ("Doc title > Parent > Section") carries the structure instead.

    Both budgets cover the context as well as the text, since the two are embedded
    together and all-MiniLM-L6-v2 reads only 256 tokens (about 180 words of plain prose,
    far fewer of acronyms, numbers and punctuation, hence the token estimate).

    Args:
        doc: A parsed document.
        max_words: Most words of context plus text per chunk.
        overlap_words: Words repeated from the previous chunk of the same section.
        max_tokens: The embedding model's input length; chunks stay under it by estimate.

    Raises:
        ValueError: `max_words` below 20 or overlap not below half of it.
    """
    if max_words < _MIN_MAX_WORDS or not 0 <= overlap_words < max_words // 2:
        raise ValueError(
            f"need max_words >= {_MIN_MAX_WORDS} and 0 <= overlap_words < max_words / 2, "
            f"got {max_words} and {overlap_words}"
        )
    chunks: list[Chunk] = []
    for section in doc.sections:
        context = section_context(doc.meta.title, section)
        budget = _section_budget(context, max_words=max_words, max_tokens=max_tokens)
        overlap = min(overlap_words, budget.words // 2)
        for piece in _pack(_paragraphs(section.text), budget=budget, overlap=overlap):
            chunks.append(_chunk(doc, section, piece, ordinal=len(chunks), context=context))
    return chunks


def _section_budget(context: str, *, max_words: int, max_tokens: int) -> _Budget:
    """What is left for the text once the context and special tokens are counted."""
    words = context.split()
    cost = sum(estimate_tokens(word) for word in words) + _SPECIAL_TOKENS + 1  # +1: "\n"
    return _Budget(
        max(max_words - len(words), max_words // 2), max(max_tokens - cost, max_tokens // 2)
    )


def section_context(doc_title: str, section: Section) -> str:
    """The breadcrumb embedded with a section's chunks: "Doc title > Parent > Section"."""
    parts = [doc_title, *section.path] + ([section.title] if section.level > 0 else [])
    kept: list[str] = []
    for part in parts:
        if part and (not kept or kept[-1].casefold() != part.casefold()):
            kept.append(part)
    return " > ".join(kept)


def _paragraphs(text: str) -> list[list[_Token]]:
    paragraphs: list[list[_Token]] = []
    current: list[_Token] = []
    for index, line in enumerate(text.split("\n")):
        words = line.split()
        if not words and current:
            paragraphs.append(current)
            current = []
        # Parsed tables are rows of "cell | cell" lines: each row keeps its own line too.
        item = bool(_ITEM_START.match(line.lstrip())) or " | " in line
        for position, word in enumerate(words):
            previous = current[-1].word if current else None
            starts = _starts_sentence(word, previous=previous, item=item and position == 0)
            cost = estimate_tokens(word)
            starts_item = item and position == 0
            current.append(_Token(word, index, len(paragraphs), starts, cost, starts_item))
    if current:
        paragraphs.append(current)
    return paragraphs


def _starts_sentence(word: str, *, previous: str | None, item: bool) -> bool:
    """Whether `word` opens a sentence; list items and table rows always do."""
    if previous is None or item:
        return True
    ends = bool(_SENTENCE_END.search(previous)) and previous.lower() not in _ABBREVIATIONS
    return ends and bool(_SENTENCE_OPENER.match(word))


@dataclass(frozen=True)
class _Budget:
    """Room left in a chunk, in words and in estimated model tokens."""

    words: int
    cost: int

    def fits(self, tokens: list[_Token]) -> bool:
        return len(tokens) <= self.words and sum(t.cost for t in tokens) <= self.cost

    def minus(self, tokens: list[_Token]) -> _Budget:
        return _Budget(self.words - len(tokens), self.cost - sum(t.cost for t in tokens))


def _pack(paragraphs: list[list[_Token]], *, budget: _Budget, overlap: int) -> list[list[_Token]]:
    # Windows of over-long sentences leave room for the overlap that will precede them.
    window = _Budget(budget.words - overlap, budget.cost - 2 * overlap)
    units: list[list[_Token]] = []
    for paragraph in paragraphs:
        units.extend([paragraph] if budget.fits(paragraph) else _split_long(paragraph, window))
    pieces: list[list[_Token]] = []
    current: list[_Token] = []
    for unit in units:
        if current and not budget.fits(current + unit):
            pieces.append(current)
            current = _tail(current, room=budget.minus(unit), overlap=overlap)
        current = current + unit
    if current:
        pieces.append(current)
    return pieces


def _split_long(tokens: list[_Token], window: _Budget) -> list[list[_Token]]:
    """Sentences of a long paragraph; over-long sentences are cut into windows that fit."""
    sentences: list[list[_Token]] = []
    for token in tokens:
        if token.starts_sentence or not sentences:
            sentences.append([])
        sentences[-1].append(token)
    units: list[list[_Token]] = []
    for sentence in sentences:
        if window.fits(sentence):
            units.append(sentence)
            continue
        units.append([])
        for token in sentence:
            if units[-1] and not window.fits([*units[-1], token]):
                units.append([])
            units[-1].append(token)
    return units


def _tail(tokens: list[_Token], *, room: _Budget, overlap: int) -> list[_Token]:
    """Up to `overlap` trailing tokens that fit in `room`, from a sentence start if possible."""
    size = 0
    cost = 0
    for token in reversed(tokens):
        if size + 1 > min(overlap, room.words) or cost + token.cost > room.cost:
            break
        size += 1
        cost += token.cost
    tail = tokens[len(tokens) - size :] if size else []
    start = next((i for i, token in enumerate(tail) if token.starts_sentence), 0)
    return tail[start:]


def _chunk(
    doc: ParsedDocument, section: Section, tokens: list[_Token], *, ordinal: int, context: str
) -> Chunk:
    line_start, line_end = _line_range(section, tokens)
    return Chunk(
        id=f"{doc.meta.id}::{ordinal}",
        module_id=doc.meta.id,
        ordinal=ordinal,
        section=section.title,
        anchor=section.anchor,
        text=_render(tokens),
        line_start=line_start,
        line_end=line_end,
        context=context,
    )


def _render(tokens: list[_Token]) -> str:
    parts: list[str] = []
    previous: _Token | None = None
    for token in tokens:
        if previous is not None:
            if token.paragraph != previous.paragraph:
                parts.append("\n\n")
            else:
                # Source line wraps are reflowed; list items and table rows stay one per line.
                parts.append("\n" if token.starts_item and token.line != previous.line else " ")
        parts.append(token.word)
        previous = token
    return "".join(parts)


def _line_range(section: Section, tokens: list[_Token]) -> tuple[int, int]:
    """Source lines a chunk covers, from the section's line map when it has one."""
    line_map = section.line_map
    if len(line_map) != section.text.count("\n") + 1:
        return section.line_start, section.line_end
    numbers = [line_map[token.line] for token in tokens if line_map[token.line] > 0]
    if not numbers:
        return section.line_start, section.line_end
    return min(numbers), max(numbers)
