"""The format-neutral outline every parser produces, and its conversion into Sections."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from content_index.anchors import Slugger
from content_index.model import ContentBlock, Section

# One line of body text and the 1-based source line it came from (0 when unknown).
Line = tuple[str, int]
# A paragraph: consecutive lines, never empty ones.
Block = list[Line]


@dataclass
class RawSection:
    """A heading and the paragraphs under it, as a parser finds them.

    Attributes:
        title: Plain-text heading; "" for the preamble (text before any heading).
        level: 1-6 for headings, 0 for the preamble.
        line_start: Source line of the heading (or of the first preamble line), 0 if unknown.
        line_end: Last source line of the section, 0 to derive it from the blocks.
        anchor: An anchor the document itself defines (an HTML id, a PDF page); "" to slug.
        blocks: The body paragraphs.
        named: False when the title is made up ("Page 3"), so it never becomes the doc title.
        kinds: What the block at each index is, when the parser knows; a block without an
            entry is a paragraph of its own lines.
    """

    title: str
    level: int
    line_start: int = 0
    line_end: int = 0
    anchor: str = ""
    blocks: list[Block] = field(default_factory=list)
    named: bool = True
    kinds: dict[int, ContentBlock] = field(default_factory=dict)

    def add(self, block: Block, *, kind: str = "paragraph", text: str = "", src: str = "") -> None:
        """Append a non-empty block and what it is (`text` defaults to the block's lines)."""
        if not block:
            return
        if kind != "paragraph" or text or src:
            shown = text or "\n".join(line for line, _ in block)
            self.kinds[len(self.blocks)] = ContentBlock(kind, shown, src)
        self.blocks.append(block)

    def content_blocks(self) -> tuple[ContentBlock, ...]:
        """Every block with its kind, in order."""
        return tuple(
            self.kinds.get(i) or ContentBlock("paragraph", "\n".join(t for t, _ in block))
            for i, block in enumerate(self.blocks)
        )


@dataclass
class RawDocument:
    """What a parser extracts from one file before metadata is settled.

    Attributes:
        sections: Preamble first (possibly empty), then one entry per heading.
        metadata: Metadata written in the file itself (front matter, HTML title/description).
        metadata_lines: Source line of each metadata key, for error messages.
        warnings: Problems that did not stop parsing.
        has_lines: Whether line numbers are meaningful for this format.
        title_hint: A title the format marks as such (a DOCX "Title" paragraph), "" if none.
    """

    sections: list[RawSection]
    metadata: dict[str, object] = field(default_factory=dict)
    metadata_lines: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    has_lines: bool = True
    title_hint: str = ""

    def first_heading(self) -> str:
        """The first level-1 heading, else the first heading of any level, else ""."""
        headings = [s for s in self.sections if s.level > 0 and s.title and s.named]
        level_one = [s for s in headings if s.level == 1]
        chosen = level_one or headings
        return chosen[0].title if chosen else ""

    def paragraphs(self) -> Iterator[str]:
        """Body paragraphs in document order, each as one string."""
        for section in self.sections:
            for block in section.blocks:
                yield "\n".join(text for text, _ in block)


def build_sections(raw: RawDocument, *, doc_title: str) -> tuple[Section, ...]:
    """Turn a parser's outline into Sections with anchors, breadcrumbs and line ranges.

    The preamble becomes a level-0 section titled after the document, only if it has text.
    Headings without a body are kept: they anchor citations and feed their children's paths.
    """
    slugger = Slugger()
    for section in raw.sections:
        if section.anchor:
            slugger.reserve(section.anchor)
    stack: list[tuple[int, str]] = []
    result = []
    for section in raw.sections:
        if section.level == 0:
            if section.blocks:
                result.append(_to_section(section, raw, title=doc_title, anchor="", path=()))
            continue
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        path = tuple(title for _, title in stack)
        stack.append((section.level, section.title))
        anchor = section.anchor or slugger.slug(section.title)
        result.append(_to_section(section, raw, title=section.title, anchor=anchor, path=path))
    return tuple(result)


def _to_section(
    section: RawSection, raw: RawDocument, *, title: str, anchor: str, path: tuple[str, ...]
) -> Section:
    text, line_map = _join_blocks(section.blocks)
    blocks = section.content_blocks()
    if not raw.has_lines:
        return Section(
            title=title, anchor=anchor, level=section.level, text=text, path=path, blocks=blocks
        )
    content_lines = [n for n in line_map if n > 0]
    start = section.line_start or (min(content_lines) if content_lines else 0)
    end = section.line_end or max([start, *content_lines])
    return Section(
        title=title,
        anchor=anchor,
        level=section.level,
        text=text,
        line_start=start,
        line_end=end,
        path=path,
        line_map=line_map,
        blocks=blocks,
    )


def _join_blocks(blocks: Sequence[Block]) -> tuple[str, tuple[int, ...]]:
    lines: list[str] = []
    numbers: list[int] = []
    for block in blocks:
        if lines:
            lines.append("")
            numbers.append(0)
        for text, number in block:
            lines.append(text)
            numbers.append(number)
    return "\n".join(lines), tuple(numbers)
