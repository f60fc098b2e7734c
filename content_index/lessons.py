"""Lesson cards: a module split along its own structure into chat-sized pieces (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from content_index.model import ContentBlock, ParsedDocument, Section

CARD_LIMIT = 1200  # characters of a text card: a screenful in chat
WHOLE_LIMIT = 2800  # a table or code block up to this stays whole (Slack sections hold 3,000)
MEDIA_FORMATS = ("video", "audio", "interactive")
# A sentence ends at . ! or ? (closing quotes and brackets included) followed by space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s")


@dataclass(frozen=True)
class Card:
    """One lesson card.

    Attributes:
        n: Position in the lesson, from 1.
        kind: `text`, or `media` for the one card of a video, audio or interactive module.
        text: What the learner reads (the section heading first when a section starts).
        chars: len(text).
        section: The title of the section the card belongs to.
        anchor: That section's anchor.
        overflow: Tables and code blocks too long for a chat message, kept whole for the
            module page; the card's text names each one.
    """

    n: int
    kind: str
    text: str
    chars: int
    section: str = ""
    anchor: str = ""
    overflow: tuple[str, ...] = field(default=())


@dataclass
class _Draft:
    """A card being filled: its pieces (joined by blank lines) and overflowed blocks."""

    section: Section
    heading: str
    pieces: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    list_open: bool = False  # the last piece is a list whose next item joins it on a new line

    def text(self, extra: str = "") -> str:
        parts = [self.heading] if self.heading else []
        return "\n\n".join([*parts, *self.pieces, *([extra] if extra else [])])

    def fits(self, piece: str, limit: int = CARD_LIMIT) -> bool:
        return len(self.text(piece)) <= limit


def build_cards(doc: ParsedDocument) -> tuple[Card, ...]:
    """Split a parsed module into lesson cards, in order, losing nothing.

    A section starts a new card with its heading; paragraphs and list items are packed into
    cards of at most `CARD_LIMIT` characters, split at sentence ends when a paragraph is too
    long (at word boundaries only for a sentence longer than a card). A table or code block
    stays whole in a card up to `WHOLE_LIMIT` characters; a longer one is named on its card
    and kept in `overflow`. An image becomes a line with its alt text. A video, audio or
    interactive module with a URL is one `media` card with its link and summary.
    """
    meta = doc.meta
    if meta.format in MEDIA_FORMATS and meta.url:
        body = "\n\n".join(p for p in (meta.title, meta.summary, f"Open it: {meta.url}") if p)
        return (Card(1, "media", body, len(body)),)
    drafts: list[_Draft] = []
    pending: list[str] = []  # headings of sections without a body, shown on the next card
    for section in doc.sections:
        blocks = section.blocks or _paragraphs(section.text)
        heading = _heading(section)
        if not blocks:
            if heading:
                pending.append(heading)
            continue
        draft = _Draft(section, "\n".join([*pending, heading]).strip())
        pending = []
        drafts.append(draft)
        for block in blocks:
            draft = _add_block(drafts, draft, block)
    if pending and doc.sections:
        drafts.append(_Draft(doc.sections[-1], "\n".join(pending)))
    cards = [d for d in drafts if d.pieces or d.heading]
    return tuple(
        Card(
            n=number,
            kind="text",
            text=d.text(),
            chars=len(d.text()),
            section=d.section.title,
            anchor=d.section.anchor,
            overflow=tuple(d.overflow),
        )
        for number, d in enumerate(cards, start=1)
    )


def _heading(section: Section) -> str:
    return section.title if section.level > 0 else ""


def _paragraphs(text: str) -> tuple[ContentBlock, ...]:
    """Blocks of a section built without them (its text split at blank lines)."""
    return tuple(ContentBlock("paragraph", p.strip()) for p in text.split("\n\n") if p.strip())


def _add_block(drafts: list[_Draft], draft: _Draft, block: ContentBlock) -> _Draft:
    """Put one block on the current card or new ones; returns the card being filled."""
    if block.kind in ("table", "code"):
        return _add_whole(drafts, draft, block)
    if block.kind == "image":
        units = [f"Image: {block.text}"]
    elif block.kind == "list":
        units = [_unwrap(item) for item in _list_items(block.text)]
    else:
        units = [_unwrap(block.text)]
    # Room for the section heading, so a full piece still fits on the section's first card.
    room = max(CARD_LIMIT - len(drafts[-1].heading) - 2, CARD_LIMIT // 2)
    for unit in units:
        for piece in _pieces(unit, room):
            if draft.list_open and len(draft.text()) + 1 + len(piece) <= CARD_LIMIT:
                draft.pieces[-1] = f"{draft.pieces[-1]}\n{piece}"
                continue
            if not draft.fits(piece) and (draft.pieces or draft.overflow):
                draft = _continue(drafts, draft)
            draft.pieces.append(piece)
            draft.list_open = block.kind == "list"
    draft.list_open = False
    return draft


def _add_whole(drafts: list[_Draft], draft: _Draft, block: ContentBlock) -> _Draft:
    """A table or code block: on this card if it fits, else on its own, else named."""
    shown = f"```\n{block.text}\n```" if block.kind == "code" else block.text
    if draft.fits(shown):
        draft.pieces.append(shown)
        return draft
    if draft.pieces or draft.overflow:
        draft = _continue(drafts, draft)
    if draft.fits(shown, WHOLE_LIMIT):
        draft.pieces.append(shown)
        return _continue(drafts, draft)
    label = "Table" if block.kind == "table" else "Code"
    first = block.text.strip().split("\n", 1)[0].strip(" |")
    name = f"{label}: {_shorten(first)} — on the module page"
    if not draft.fits(name):
        draft = _continue(drafts, draft)
    draft.pieces.append(name)
    draft.overflow.append(block.text)
    return draft


def _continue(drafts: list[_Draft], draft: _Draft) -> _Draft:
    """Start the next card of the same section (without repeating its heading)."""
    fresh = _Draft(draft.section, "")
    drafts.append(fresh)
    return fresh


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _unwrap(text: str) -> str:
    """One paragraph's source lines as one line (chat wraps text itself)."""
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def _list_items(text: str) -> Iterator[str]:
    """A list block's items: a line with a marker starts one, other lines continue it."""
    item: list[str] = []
    for line in text.split("\n"):
        if _LIST_MARKER.match(line) and item:
            yield "\n".join(item)
            item = []
        item.append(line)
    if item:
        yield "\n".join(item)


def _pieces(text: str, limit: int) -> list[str]:
    """A paragraph, or its sentences packed into pieces of at most `limit` characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for sentence in _sentences(text):
        parts.extend(_words(sentence, limit) if len(sentence) > limit else [sentence])
    return _pack(parts, limit)


def _sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.start()] + match.group(0).rstrip())
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _words(sentence: str, limit: int) -> list[str]:
    """A sentence longer than a card, cut between words (a word longer than that is cut)."""
    words: list[str] = []
    for word in sentence.split():
        words.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return _pack(words, limit)


def _pack(parts: Sequence[str], limit: int) -> list[str]:
    """Consecutive parts joined by spaces into as few pieces of at most `limit` as fit."""
    pieces: list[str] = []
    for part in parts:
        if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
            pieces[-1] = f"{pieces[-1]} {part}"
        else:
            pieces.append(part)
    return pieces
