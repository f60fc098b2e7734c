"""Word (.docx) files: sections from Heading styles, tables kept as rows of cells."""

from __future__ import annotations

import io
import re
from typing import Any

from content_index.errors import CorruptDocumentError
from content_index.safety import check_docx_archive
from content_index.structure import Block, RawDocument, RawSection

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_STYLE_DEPTH = 4


def parse_docx(data: bytes, *, path: str, max_bytes: int) -> RawDocument:
    """Read a DOCX after checking its archive is safe to inflate; DOCX has no line numbers.

    The first "Title"-style paragraph becomes the title hint, "Heading N" styles start
    sections, list paragraphs get a "- " marker and each table row becomes one line.

    Raises:
        UnsafeArchiveError: The archive looks like a zip bomb.
        EncryptedDocumentError: The file is a password-protected Office container.
        CorruptDocumentError: Not a readable Word document.
    """
    check_docx_archive(data, path=path, max_bytes=max_bytes)
    document = _open(data, path=path)
    raw = RawDocument(sections=[RawSection(title="", level=0)], has_lines=False)
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            block = _table_block(item)
            raw.sections[-1].add(block, kind="table", text="\n".join(_markdown_row(block)))
        else:
            _add_paragraph(raw, item)
    return raw


def _open(data: bytes, *, path: str) -> Any:
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parser failure on untrusted bytes means "corrupt"
        raise CorruptDocumentError(path, f"could not be read as a DOCX ({exc})") from None


def _add_paragraph(raw: RawDocument, paragraph: Any) -> None:
    text = " ".join(paragraph.text.split())
    if not text:
        return
    style_names = _style_names(paragraph.style)
    if "title" in style_names and not raw.title_hint:
        raw.title_hint = text
        return
    level = next((int(m.group(1)) for n in style_names if (m := _HEADING_STYLE.match(n))), 0)
    if level:
        raw.sections.append(RawSection(title=text, level=min(level, 6)))
        return
    is_list_item = any(name.startswith("list") for name in style_names)
    if is_list_item:
        raw.sections[-1].add([(f"- {text}", 0)], kind="list")
    else:
        raw.sections[-1].add([(text, 0)])


def _style_names(style: Any) -> list[str]:
    """The paragraph's style and the styles it is based on, lowercased."""
    names = []
    for _ in range(_STYLE_DEPTH):
        if style is None:
            break
        names.append(str(style.name or "").lower())
        style = style.base_style
    return names


def _table_block(table: Any) -> Block:
    lines: Block = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells repeat the same text once per grid column.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append((" | ".join(cells), 0))
    return lines


def _markdown_row(block: Block) -> list[str]:
    return [f"| {text} |" for text, _ in block]
