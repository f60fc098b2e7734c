"""Fixtures for content parsing tests: the real handbook corpus and PDF/DOCX builders."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
MB = 1024 * 1024


@pytest.fixture(scope="session")
def handbook() -> Path:
    """The 18F handbook folder (corpus/ and questions.jsonl)."""
    folder = SHARED_DATA / "handbook-18f"
    if not (folder / "corpus").is_dir():
        pytest.skip(f"real data folder missing: {folder}")
    return folder


@pytest.fixture(scope="session")
def questions(handbook: Path) -> list[dict[str, Any]]:
    """The handbook's questions with their gold file and heading line."""
    lines = (handbook / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _text_page(writer: Any, lines: Sequence[str]) -> None:
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)


PdfBuilder = Callable[..., bytes]


@pytest.fixture
def make_pdf() -> PdfBuilder:
    """Build a real PDF: one text page per list of lines, optional outline and password."""

    def build(
        pages: Sequence[Sequence[str]],
        *,
        outline: Sequence[tuple[str, int]] = (),
        user_password: str | None = None,
        owner_password: str | None = None,
    ) -> bytes:
        from pypdf import PdfWriter

        writer = PdfWriter()
        for lines in pages:
            if lines:
                _text_page(writer, lines)
            else:
                writer.add_blank_page(612, 792)
        for title, page in outline:
            writer.add_outline_item(title=title, page_number=page)
        if user_password is not None:
            writer.encrypt(user_password=user_password, owner_password=owner_password)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def make_docx() -> Callable[[Callable[[Any], None]], bytes]:
    """Build a real DOCX by letting the test fill a python-docx Document."""

    def build(fill: Callable[[Any], None]) -> bytes:
        import docx

        document = docx.Document()
        fill(document)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return build
