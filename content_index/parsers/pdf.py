"""PDF files: sections from the outline (bookmarks), else one per page with a guessed heading."""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

from content_index.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    FileTooLargeError,
    NoTextLayerError,
)
from content_index.structure import Block, RawDocument, RawSection

# pypdf logs every damaged cross-reference it works around ("EOF marker not found") at
# WARNING; a file it cannot read fails as CorruptDocumentError, so those lines are noise.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_HEADER_WINDOW = 1024
_HYPHENATED = re.compile(r"[A-Za-z]-$")
_HEADING_END = re.compile(r"[.,;:!?]$")
_MAX_HEADING_WORDS = 12
MAX_PAGES = 1_000
_REFLOW_MIN_LINES = 8
_REFLOW_SHARE = 0.8


@dataclass(frozen=True)
class _Entry:
    title: str
    level: int
    page: int


def parse_pdf(data: bytes, *, path: str) -> RawDocument:
    """Extract the text layer of a PDF into sections; PDFs have no line numbers.

    Section anchors are "page=N", the fragment PDF viewers open at that page.

    Raises:
        CorruptDocumentError: The bytes are not a readable PDF.
        EncryptedDocumentError: The PDF needs a password (an empty one is tried first).
        NoTextLayerError: No page has any text, as in a scan.
    """
    with warnings.catch_warnings():
        # pypdf warns about every small spec deviation; real-world PDFs are full of them.
        warnings.simplefilter("ignore")
        reader = _open(data, path=path)
        pages, notes = _page_lines(reader, path=path)
        if not any(pages):
            raise NoTextLayerError(path, "has no text layer; it looks scanned and needs OCR")
        outline = _outline(reader)
    sections = _by_outline(pages, outline) if outline else _by_page(pages)
    return RawDocument(sections=sections, warnings=notes, has_lines=False)


def _open(data: bytes, *, path: str) -> Any:
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise CorruptDocumentError(path, "could not be read as a PDF: it has no PDF header")
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # noqa: BLE001 - any parser failure on untrusted bytes means "corrupt"
        raise CorruptDocumentError(path, f"could not be read as a PDF ({exc})") from None
    if encrypted and not _decrypts_without_password(reader):
        raise EncryptedDocumentError(
            path, "is password-protected; remove the password and upload it again"
        )
    try:
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - same as above, the page tree is damaged
        raise CorruptDocumentError(path, f"could not be read as a PDF ({exc})") from None
    if count > MAX_PAGES:
        # Each page costs text extraction time and memory; no study module is this long.
        raise FileTooLargeError(
            path, f"has {count:,} pages; a module may have at most {MAX_PAGES:,} (split it up)"
        )
    return reader


def _decrypts_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unsupported ciphers are as closed as a real password
        return False


def _page_lines(reader: Any, *, path: str) -> tuple[list[list[str]], list[str]]:
    pages: list[list[str]] = []
    unreadable: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one bad page should not lose the whole document
            unreadable.append(number)
            text = ""
        pages.append(_normalise(text))
    notes = []
    if unreadable:
        listed = ", ".join(map(str, unreadable))
        notes.append(f"{path}: the text of page(s) {listed} could not be extracted")
    return pages, notes


def _normalise(text: str) -> list[str]:
    """Page text as lines: whitespace collapsed, hyphenated words rejoined, and one-word-per-
    line output (common from some renderers) reflowed into a single line."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if lines and _HYPHENATED.search(lines[-1]) and line[0].islower():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    single_words = sum(1 for line in lines if " " not in line)
    if len(lines) >= _REFLOW_MIN_LINES and single_words >= _REFLOW_SHARE * len(lines):
        return [" ".join(lines)]
    return lines


def _outline(reader: Any) -> list[_Entry]:
    entries: list[_Entry] = []
    try:
        _flatten(reader.outline, level=1, reader=reader, out=entries)
    except Exception:  # noqa: BLE001 - a broken outline falls back to page sections
        return []
    return entries


def _flatten(items: list[Any], *, level: int, reader: Any, out: list[_Entry]) -> None:
    for item in items:
        if isinstance(item, list):
            _flatten(item, level=min(level + 1, 6), reader=reader, out=out)
            continue
        page = reader.get_destination_page_number(item)
        title = " ".join(str(item.title or "").split())
        if title and page is not None and 0 <= page < len(reader.pages):
            out.append(_Entry(title=title, level=level, page=page))


def _by_outline(pages: list[list[str]], outline: list[_Entry]) -> list[RawSection]:
    """Cut the text where each bookmark's title appears on its page (else at the page top)."""
    flat = [(index, line) for index, lines in enumerate(pages) for line in lines]
    cuts = _cut_points(flat, outline, page_count=len(pages))
    sections = [RawSection(title="", level=0, blocks=_blocks(flat[: cuts[0][0]]))]
    for k, (entry, (_, body)) in enumerate(zip(outline, cuts, strict=True)):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(flat)
        section = RawSection(title=entry.title, level=entry.level, anchor=f"page={entry.page + 1}")
        section.blocks = _blocks(flat[body:end])
        sections.append(section)
    return sections


def _cut_points(
    flat: list[tuple[int, str]], outline: list[_Entry], *, page_count: int
) -> list[tuple[int, int]]:
    """For each bookmark, (index of its heading line, index of its first body line).

    A title that runs into body text on the same line is cut off that line, in place.
    """
    page_starts = [
        next((i for i, (p, _) in enumerate(flat) if p >= n), len(flat)) for n in range(page_count)
    ]
    cuts: list[tuple[int, int]] = []
    position = 0
    for entry in outline:
        start = max(position, page_starts[entry.page])
        found = _find_title(flat, entry, start=start)
        cut = (found, found + 1) if found >= 0 else (start, start)
        if found >= 0 and len(flat[found][1]) > len(entry.title):
            flat[found] = (entry.page, flat[found][1][len(entry.title) :].strip())
            cut = (found, found)
        cuts.append(cut)
        position = cut[1]
    return cuts


def _find_title(flat: list[tuple[int, str]], entry: _Entry, *, start: int) -> int:
    wanted = entry.title.casefold()
    for index in range(start, len(flat)):
        page, line = flat[index]
        if page != entry.page:
            break
        if line.casefold().startswith(wanted):
            return index
    return -1


def _blocks(lines: list[tuple[int, str]]) -> list[Block]:
    """One paragraph per page, so a chunk never silently spans a page break."""
    blocks: list[Block] = []
    previous_page = -1
    for page, line in lines:
        if page != previous_page:
            blocks.append([])
            previous_page = page
        blocks[-1].append((line, 0))
    return blocks


def _by_page(pages: list[list[str]]) -> list[RawSection]:
    sections = [RawSection(title="", level=0)]
    for index, lines in enumerate(pages):
        if not lines:
            continue
        title, named = f"Page {index + 1}", False
        if len(lines) > 1 and _looks_like_heading(lines[0]):
            title, lines, named = lines[0], lines[1:], True
        sections.append(
            RawSection(
                title=title,
                level=1,
                anchor=f"page={index + 1}",
                blocks=[[(line, 0) for line in lines]],
                named=named,
            )
        )
    return sections


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= _MAX_HEADING_WORDS or _HEADING_END.search(line):
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return line.isupper() or capitalised / len(words) >= 0.6
