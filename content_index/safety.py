"""Guards against bad input: sizes, binary data, text encodings and zip bombs."""

from __future__ import annotations

import io
import re
import zipfile

from content_index.errors import (
    BinaryContentError,
    CorruptDocumentError,
    EmptyFileError,
    EncodingError,
    EncryptedDocumentError,
    FileTooLargeError,
    UnsafeArchiveError,
)

MB = 1024 * 1024
# An uncompressed DOCX is bounded by both a fixed ceiling and a multiple of the upload limit,
# so a small limit (in tests, or a strict deployment) also shrinks what may be inflated.
MAX_UNZIPPED_BYTES = 100 * MB
MAX_UNZIPPED_FACTOR = 20
# Ordinary XML compresses 5-20:1; ratios past 100:1 on a large member only come from padding.
MAX_MEMBER_RATIO = 100
RATIO_CHECK_MIN_BYTES = MB
_SNIFF_BYTES = 8192
_CONTROL_RATIO = 0.10
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # not \t \n \v \f \r or ESC
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def human_size(size: int) -> str:
    """Format a byte count for messages: "512 bytes", "3.4 KB", "31.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    value = size / MB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def check_size(size: int, *, max_bytes: int, path: str) -> None:
    """Reject empty files and files over the limit, before anything reads their content.

    Raises:
        EmptyFileError: `size` is 0.
        FileTooLargeError: `size` is above `max_bytes`.
    """
    if size == 0:
        raise EmptyFileError(path, "is empty")
    if size > max_bytes:
        raise FileTooLargeError(
            path, f"is {human_size(size)}; the limit is {human_size(max_bytes)}"
        )


def _control_ratio(sample: str) -> float:
    return len(_CONTROL_CHARS.findall(sample)) / max(len(sample), 1)


def decode_text(data: bytes, *, path: str, kind: str) -> tuple[str, tuple[str, ...]]:
    """Decode the bytes of a text document and refuse binary data.

    Tries UTF-8 (with or without BOM), then UTF-16 when a BOM says so, then Windows-1252,
    which is what most non-UTF-8 office text is. A Windows-1252 fallback is reported as a
    warning so the author can re-save the file.

    Args:
        data: The raw file bytes.
        path: The file name used in messages.
        kind: Human name of the format ("Markdown", "HTML", "plain text").

    Returns:
        The text with newlines normalised to "\\n", and any warnings.

    Raises:
        BinaryContentError: NUL bytes or many control characters.
        EncodingError: The bytes are neither UTF-8, UTF-16 with BOM nor Windows-1252.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _check_text(_decode_utf16(data, path=path), path=path, kind=kind), ()
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample or _control_ratio(sample.decode("latin-1")) > _CONTROL_RATIO:
        raise BinaryContentError(path, f"looks binary, not {kind}")
    try:
        return _check_text(data.decode("utf-8-sig"), path=path, kind=kind), ()
    except UnicodeDecodeError as exc:
        text, warning = _decode_legacy(data, path=path, utf8_error=exc)
    return _check_text(text, path=path, kind=kind), (warning,)


def _decode_utf16(data: bytes, *, path: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            path, f"has a UTF-16 byte-order mark but is not UTF-16 ({exc})"
        ) from None


def _decode_legacy(data: bytes, *, path: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise EncodingError(
            path,
            f"is not valid UTF-8 (byte {utf8_error.start}) nor Windows-1252 text; "
            "re-save it as UTF-8",
        ) from None
    warning = (
        f"{path} is not UTF-8 (invalid byte at offset {utf8_error.start}); "
        "it was read as Windows-1252; re-save it as UTF-8 to be sure"
    )
    return text, warning


def _check_text(text: str, *, path: str, kind: str) -> str:
    if "\x00" in text[:_SNIFF_BYTES] or _control_ratio(text[:_SNIFF_BYTES]) > _CONTROL_RATIO:
        raise BinaryContentError(path, f"looks binary, not {kind}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unzipped_limit(max_bytes: int) -> int:
    """How many bytes a DOCX may inflate to, given the upload limit."""
    return min(MAX_UNZIPPED_BYTES, MAX_UNZIPPED_FACTOR * max_bytes)


def check_docx_archive(data: bytes, *, path: str, max_bytes: int) -> None:
    """Inspect a DOCX's zip central directory before any member is inflated.

    Python's zipfile never yields more than a member's declared size, so the sizes checked
    here bound what parsing can inflate.

    Raises:
        EncryptedDocumentError: The file is an OLE container (a password-protected DOCX).
        CorruptDocumentError: Not a zip archive, or no word/document.xml inside.
        UnsafeArchiveError: Too large in total, or a member compressed beyond a sane ratio.
    """
    if data.startswith(_OLE_MAGIC):
        raise EncryptedDocumentError(
            path, "is password-protected (or an old binary .doc file); save it as a plain .docx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptDocumentError(
            path, f"could not be read as a DOCX: it is not a valid zip archive ({exc})"
        ) from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise CorruptDocumentError(
            path, "could not be read as a DOCX: it has no word/document.xml part"
        )
    _check_inflated_sizes(members, path=path, max_bytes=max_bytes)


def _check_inflated_sizes(members: list[zipfile.ZipInfo], *, path: str, max_bytes: int) -> None:
    limit = unzipped_limit(max_bytes)
    total = sum(m.file_size for m in members)
    if total > limit:
        raise UnsafeArchiveError(
            path,
            f"would inflate to {human_size(total)}, over the {human_size(limit)} limit "
            "for a DOCX; it looks like a zip bomb",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_MEMBER_RATIO:
            raise UnsafeArchiveError(
                path,
                f"has a member ({member.filename}) compressed {ratio:.0f}:1, above the "
                f"{MAX_MEMBER_RATIO}:1 limit; it looks like a zip bomb",
            )
