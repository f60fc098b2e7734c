"""Bad and hostile input: each case raises its own ContentError with a clear message."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from content_index import parse_document, parse_file
from content_index.errors import (
    BinaryContentError,
    ContentError,
    CorruptDocumentError,
    EmptyFileError,
    EncodingError,
    EncryptedDocumentError,
    FileTooLargeError,
    NoTextLayerError,
    UnsafeArchiveError,
    UnsupportedFormatError,
)
from content_index.safety import MB, human_size, unzipped_limit

LIMIT = 25 * MB


def parse(data: bytes, filename: str, *, max_bytes: int = LIMIT) -> Any:
    return parse_document(
        data, source=f"library/{filename}", filename=filename, max_bytes=max_bytes
    )


def test_empty_file() -> None:
    with pytest.raises(EmptyFileError) as caught:
        parse(b"", "notes.md")
    assert str(caught.value) == "library/notes.md is empty"
    assert caught.value.path == "library/notes.md"


def test_too_large_is_reported_in_megabytes() -> None:
    data = b"a" * int(31.2 * MB)
    with pytest.raises(FileTooLargeError) as caught:
        parse(data, "big.md")
    assert str(caught.value) == "library/big.md is 31.2 MB; the limit is 25 MB"


def test_size_is_checked_before_the_file_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(40 * MB)  # sparse: nothing to read, so only stat() can catch it
    with pytest.raises(FileTooLargeError, match="is 40 MB; the limit is 25 MB"):
        parse_file(huge, max_bytes=LIMIT)


def test_human_size() -> None:
    assert human_size(512) == "512 bytes"
    assert human_size(3 * 1024 + 512) == "3.5 KB"


def test_binary_file_named_markdown() -> None:
    png_like = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with pytest.raises(BinaryContentError, match="looks binary, not Markdown"):
        parse(png_like, "diagram.md")


def test_control_characters_without_nul_are_binary() -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50 + b"text"
    with pytest.raises(BinaryContentError, match="not plain text"):
        parse(data, "dump.txt")


def test_windows_1252_is_accepted_with_a_warning() -> None:
    data = "# Caf\u00e9 r\u00e9sum\u00e9\n\nIt\u2019s \u201cquoted\u201d \u2013 fine.\n".encode(
        "cp1252"
    )
    doc = parse(data, "legacy.md")
    assert doc.sections[0].title == "Caf\u00e9 r\u00e9sum\u00e9"
    assert "It\u2019s \u201cquoted\u201d \u2013 fine." in doc.sections[0].text
    assert len(doc.warnings) == 1
    assert "Windows-1252" in doc.warnings[0]


def test_bytes_in_no_supported_encoding_are_rejected() -> None:
    data = b"caf\xe9 \x81\x8d\x9d"  # 0x81, 0x8d and 0x9d are unassigned in Windows-1252
    with pytest.raises(EncodingError, match=r"not valid UTF-8.*re-save it as UTF-8"):
        parse(data, "odd.txt")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks_are_honoured(encoding: str) -> None:
    doc = parse("# Hello\n\nW\u00f6rld.\n".encode(encoding), "bom.md")
    assert doc.sections[0].title == "Hello"
    assert doc.sections[0].text == "W\u00f6rld."
    assert doc.sections[0].line_start == 1
    assert doc.warnings == ()


def test_unsupported_extension_lists_supported_types() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        parse(b"data", "sheet.xyz")
    assert "unsupported file type .xyz; supported: .md, .markdown, .html" in str(caught.value)


def test_real_xlsx_is_unsupported(handbook: Path) -> None:
    path = handbook / "corpus" / "downloads" / "TEMPLATE_Risk_tracker.xlsx"
    with pytest.raises(UnsupportedFormatError, match=r"unsupported file type \.xlsx"):
        parse_file(path, max_bytes=LIMIT)


def test_truncated_real_pdf_is_corrupt(handbook: Path) -> None:
    data = (handbook / "corpus" / "downloads" / "EFT_Enrollment_Form.pdf").read_bytes()
    with pytest.raises(CorruptDocumentError, match="could not be read as a PDF"):
        parse(data[: len(data) // 3], "form.pdf")


def test_a_pdf_over_the_page_cap_is_refused_before_any_text_is_read() -> None:
    from pypdf import PdfWriter

    from content_index.parsers.pdf import MAX_PAGES

    writer = PdfWriter()
    for _ in range(MAX_PAGES + 1):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileTooLargeError, match=f"{MAX_PAGES + 1:,} pages"):
        parse(out.getvalue(), "huge.pdf")


def test_text_named_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptDocumentError, match="could not be read as a PDF"):
        parse(b"just some words, not a PDF at all", "fake.pdf")


def test_password_protected_pdf(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf([["Secret plans", "Body text."]], user_password="hunter2")
    with pytest.raises(EncryptedDocumentError, match="is password-protected"):
        parse(data, "secret.pdf")


def test_pdf_encrypted_with_an_empty_user_password_opens(make_pdf: Callable[..., bytes]) -> None:
    data = make_pdf([["Open Report", "Readable body text."]], user_password="", owner_password="o")
    doc = parse(data, "open.pdf")
    assert "Readable body text." in doc.sections[-1].text


def test_pdf_without_text_layer_needs_ocr(make_pdf: Callable[..., bytes]) -> None:
    with pytest.raises(NoTextLayerError, match="has no text layer; it looks scanned and needs OCR"):
        parse(make_pdf([[], []]), "scan.pdf")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_docx_member_with_extreme_compression_ratio_is_refused() -> None:
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/pad.bin": bytes(10 * MB)})
    assert len(bomb) < 100_000
    with pytest.raises(UnsafeArchiveError, match=r"word/media/pad.bin\) compressed \d+:1"):
        parse(bomb, "bomb.docx")


def test_docx_inflating_past_the_total_limit_is_refused() -> None:
    # Many 1 MB members each stay under the per-member ratio check; their total does not.
    members = {f"word/part{i}.xml": bytes(MB) for i in range(30)}
    bomb = _zip({"word/document.xml": b"<w:document/>", **members})
    assert unzipped_limit(MB) == 20 * MB
    with pytest.raises(UnsafeArchiveError, match=r"would inflate to 30\.0 MB, over the 20 MB"):
        parse(bomb, "many.docx", max_bytes=MB)


def test_docx_that_is_not_a_zip() -> None:
    with pytest.raises(CorruptDocumentError, match="not a valid zip archive"):
        parse(b"PK\x03\x04 broken beyond repair", "broken.docx")


def test_docx_without_document_part() -> None:
    with pytest.raises(CorruptDocumentError, match=r"no word/document\.xml"):
        parse(_zip({"content.xml": b"<office/>"}), "odt-renamed.docx")


def test_docx_with_unreadable_document_xml_is_corrupt() -> None:
    with pytest.raises(CorruptDocumentError, match="could not be read as a DOCX"):
        parse(_zip({"word/document.xml": b"<not-closed"}), "bad.docx")


def test_password_protected_office_file() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    with pytest.raises(EncryptedDocumentError, match="password-protected"):
        parse(ole, "locked.docx")


@pytest.mark.parametrize(
    ("data", "filename"),
    [(b"", "a.pdf"), (b"\x00\x01", "a.html"), (b"x", "a.doc"), (b"%PDF-1.7 junk", "a.pdf")],
)
def test_every_failure_is_a_content_error_naming_the_file(data: bytes, filename: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse(data, filename)
    assert str(caught.value).startswith(f"library/{filename} ")
