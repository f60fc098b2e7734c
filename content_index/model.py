"""Value objects for parsed content: module metadata, sections and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

DIFFICULTIES = ("foundation", "intermediate", "advanced")
FORMATS = ("text", "video", "interactive", "audio", "slides")
# What a block of a section is; the card builder treats each kind differently.
BLOCK_KINDS = ("paragraph", "list", "table", "code", "image")


@dataclass(frozen=True)
class ModuleMeta:
    """Metadata for one module (one document of the library).

    Attributes:
        id: Stable module id (front matter `id`, else derived from the source path).
        title: Title (front matter, else the first heading, else the file name).
        competencies: Competency ids the module teaches.
        difficulty: foundation, intermediate or advanced.
        minutes: Estimated minutes to study it.
        format: text, video, interactive, audio or slides.
        prerequisites: Module ids to study first.
        audience: Roles or groups that may see it; empty means everyone.
        tags: Free-form tags.
        source: Path relative to the ingested folder, the file name, or a URL.
        summary: One or two sentences describing the module.
        url: Where a learner can open it, if known.
        inferred: Names of the fields that were inferred rather than given.
    """

    id: str
    title: str
    competencies: tuple[str, ...] = ()
    difficulty: str = "foundation"
    minutes: int = 5
    format: str = "text"
    prerequisites: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""
    summary: str = ""
    url: str = ""
    inferred: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentBlock:
    """One block of a section's body and what it is.

    Attributes:
        kind: paragraph, list (its items one per line, each starting with a marker), table
            (one row per line, Markdown table text when the source is Markdown), code
            (verbatim) or image.
        text: The block as a reader sees it: for a paragraph or list the same lines as in the
            section text; for a table or code the source rows or lines; for an image its
            alt text.
        src: The image source (an image's URL or path), "" for other kinds.
    """

    kind: str
    text: str
    src: str = ""


@dataclass(frozen=True)
class Section:
    """A section of a document, following its heading structure.

    Attributes:
        title: The section heading (the document title for text before any heading).
        anchor: A URL fragment for the heading (GitHub-style slug), "" for the preamble.
        level: Heading level (1-6; 0 for the preamble).
        text: The section body as plain text (Markdown kept light).
        line_start: First line (1-based) of the section in the source text, 0 if unknown.
        line_end: Last line (inclusive), 0 if unknown.
        path: Titles of the enclosing headings, outermost first (breadcrumb).
        line_map: Source line (1-based) of each line of `text` (`text.split("\\n")`), 0 for
            the blank lines between paragraphs; empty when the format has no lines (PDF, DOCX).
        blocks: The body's blocks with their kinds, in order (lesson cards read them;
            retrieval reads `text`); not part of equality.
    """

    title: str
    anchor: str
    level: int
    text: str
    line_start: int = 0
    line_end: int = 0
    path: tuple[str, ...] = field(default_factory=tuple)
    line_map: tuple[int, ...] = ()
    blocks: tuple[ContentBlock, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class ParsedDocument:
    """A parsed document: its metadata, sections and the hash of its raw bytes.

    Attributes:
        meta: The module metadata, given or inferred.
        sections: The sections in document order (headings without a body included).
        content_hash: SHA-256 hex digest of the raw file bytes.
        warnings: Problems that did not stop parsing (a legacy encoding, unreadable pages).
    """

    meta: ModuleMeta
    sections: tuple[Section, ...]
    content_hash: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a module, within one section.

    Attributes:
        id: Unique id, `f"{module_id}::{ordinal}"`.
        module_id: The module it belongs to.
        ordinal: Position of the chunk within the module (0-based).
        section: Section title, for citations.
        anchor: Section anchor, for citation links.
        text: The chunk text (what is embedded and indexed).
        line_start: First source line covered (1-based), 0 if unknown.
        line_end: Last source line covered, 0 if unknown.
        context: Document title and section breadcrumb, prepended when embedding.
    """

    id: str
    module_id: str
    ordinal: int
    section: str
    anchor: str
    text: str
    line_start: int = 0
    line_end: int = 0
    context: str = ""
