"""Entry points: parse one document's bytes (or file) into a ParsedDocument."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePath

from content_index.errors import UnsupportedFormatError
from content_index.metadata import build_meta, find_sidecar, load_sidecar
from content_index.model import ParsedDocument
from content_index.safety import check_size, decode_text
from content_index.structure import RawDocument, build_sections

# Extension -> format name used in messages.
SUPPORTED_FORMATS: dict[str, str] = {
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".html": "HTML",
    ".htm": "HTML",
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".txt": "plain text",
}
# Media type -> extension, for documents whose name does not say their format (a URL).
MEDIA_TYPES: dict[str, str] = {
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/html": ".html",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def file_extension(filename: str) -> str:
    """The lowercased extension of a file name, with its dot ("" if none)."""
    return PurePath(filename).suffix.lower()


def check_supported(filename: str, *, path: str) -> str:
    """Return the file's extension if the library can read it.

    Raises:
        UnsupportedFormatError: Any other extension.
    """
    extension = file_extension(filename)
    if extension not in SUPPORTED_FORMATS:
        shown = extension or "(no extension)"
        supported = ", ".join(SUPPORTED_FORMATS)
        raise UnsupportedFormatError(
            path, f"has unsupported file type {shown}; supported: {supported}"
        )
    return extension


def parse_document(
    data: bytes,
    *,
    source: str,
    filename: str,
    sidecar: Mapping[str, object] | None = None,
    max_bytes: int,
) -> ParsedDocument:
    """Parse a document's bytes into metadata and sections.

    Checks run cheapest first: the extension, then the size, then the content itself.

    Args:
        data: The raw file bytes.
        source: Path relative to the ingested folder (or a URL); the module id derives from it.
        filename: The file name; its extension selects the parser.
        sidecar: Metadata from a sidecar file; its fields win over front matter.
        max_bytes: Upload limit.

    Returns:
        The parsed document, with any non-fatal warnings.

    Raises:
        ContentError: A subclass naming the file and the problem (unsupported type, empty,
            too large, binary, bad encoding, bad metadata, corrupt, encrypted, scanned,
            zip bomb).
    """
    path = source or filename
    extension = check_supported(filename, path=path)
    check_size(len(data), max_bytes=max_bytes, path=path)
    raw = _parse_raw(data, extension=extension, path=path, max_bytes=max_bytes)
    meta = build_meta(raw, source=source, filename=filename, sidecar=sidecar)
    return ParsedDocument(
        meta=meta,
        sections=build_sections(raw, doc_title=meta.title),
        content_hash=hashlib.sha256(data).hexdigest(),
        warnings=tuple(raw.warnings),
    )


def _parse_raw(data: bytes, *, extension: str, path: str, max_bytes: int) -> RawDocument:
    if extension == ".pdf":
        from content_index.parsers.pdf import parse_pdf

        return parse_pdf(data, path=path)
    if extension == ".docx":
        from content_index.parsers.docx import parse_docx

        return parse_docx(data, path=path, max_bytes=max_bytes)
    text, warnings = decode_text(data, path=path, kind=SUPPORTED_FORMATS[extension])
    raw = _parse_text_format(text, extension=extension, path=path)
    raw.warnings[:0] = warnings
    return raw


def _parse_text_format(text: str, *, extension: str, path: str) -> RawDocument:
    if extension in (".md", ".markdown"):
        from content_index.parsers.markdown import parse_markdown

        return parse_markdown(text, path=path)
    if extension in (".html", ".htm"):
        from content_index.parsers.html import parse_html

        return parse_html(text)
    from content_index.parsers.text import parse_text

    return parse_text(text)


def parse_file(path: Path, *, source: str | None = None, max_bytes: int) -> ParsedDocument:
    """Read and parse a file, checking type and size before reading it and using its sidecar.

    Args:
        path: The file.
        source: Its source path for ids and citations; defaults to the file name.
        max_bytes: Upload limit.

    Raises:
        ContentError: As for `parse_document`, or a sidecar that is invalid.
        OSError: The file cannot be read.
    """
    name = source or path.name
    check_supported(path.name, path=name)
    check_size(path.stat().st_size, max_bytes=max_bytes, path=name)
    sidecar_path = find_sidecar(path)
    sidecar = load_sidecar(sidecar_path) if sidecar_path else None
    return parse_document(
        path.read_bytes(), source=name, filename=path.name, sidecar=sidecar, max_bytes=max_bytes
    )
