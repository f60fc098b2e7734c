"""Plain text: one section whose paragraphs are separated by blank lines."""

from __future__ import annotations

from content_index.structure import Block, RawDocument, RawSection


def parse_text(text: str) -> RawDocument:
    """Read plain text as a single untitled section, keeping each line's number."""
    section = RawSection(title="", level=0)
    block: Block = []
    for number, line in enumerate(text.split("\n"), start=1):
        content = " ".join(line.split())
        if content:
            block.append((content, number))
        elif block:
            section.blocks.append(block)
            block = []
    if block:
        section.blocks.append(block)
    return RawDocument(sections=[section])
