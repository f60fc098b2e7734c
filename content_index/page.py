"""A module's page: its sections with their typed blocks, as the module page shows them (pure)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from content_index.model import ContentBlock, ParsedDocument

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass(frozen=True)
class PageSection:
    """One section of the page.

    Attributes:
        title: The heading.
        anchor: The heading's anchor (the same as the lesson cards' `anchor`).
        level: The heading level (0 for text before the first heading, shown without one).
        blocks: The body, in order.
    """

    title: str
    anchor: str
    level: int
    blocks: tuple[ContentBlock, ...] = ()


@dataclass(frozen=True)
class PageContent:
    """Everything a module page shows besides the module's metadata.

    Attributes:
        sections: The sections in document order (headings without a body included).
        folder: The absolute library folder the module's file was ingested from, where its
            images are looked up; "" for an uploaded document (its images are not served).
        base: The module file's own folder inside `folder` ("/"-separated, "" at its top),
            which relative image paths start from.
    """

    sections: tuple[PageSection, ...]
    folder: str = ""
    base: str = ""

    def images(self) -> tuple[str, ...]:
        """The local image paths the page refers to (no URLs), each once, in order."""
        seen: dict[str, None] = {}
        for section in self.sections:
            for block in section.blocks:
                local = local_image(block, self.base)
                if local:
                    seen.setdefault(local, None)
        return tuple(seen)


def page_of(doc: ParsedDocument, *, folder: str = "") -> PageContent:
    """The page content of a parsed document ingested from the library folder `folder`."""
    sections = tuple(PageSection(s.title, s.anchor, s.level, s.blocks) for s in doc.sections)
    base = posixpath.dirname(doc.meta.source) if folder else ""
    return PageContent(sections, folder, base)


def local_image(block: ContentBlock, base: str = "") -> str:
    """The library path ("/"-separated, relative to the library folder) of an image block
    whose source is a relative path from the module's folder `base`; "" for anything else: a
    URL, an absolute path, a path leaving the library folder, a file that is not a raster
    image, or a block that is not an image."""
    if block.kind != "image":
        return ""
    src = block.src.strip().split("#", 1)[0].split("?", 1)[0]
    if not src or ":" in src or "\\" in src or "\x00" in src or src.startswith("/"):
        return ""
    joined = posixpath.normpath(posixpath.join(base, src))
    if joined.startswith(("../", "/")) or joined in ("..", "."):
        return ""
    return joined if joined.lower().endswith(IMAGE_SUFFIXES) else ""
