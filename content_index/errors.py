"""Exceptions raised while reading content: each names the file and says what to do."""

from __future__ import annotations


class ContentError(Exception):
    """A document could not be turned into a module; `str()` is safe to show a user.

    Attributes:
        path: The file the problem is about (its source path or file name).
        message: What went wrong, without the file name.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path} {message}" if path else message)
        self.path = path
        self.message = message


class UnsupportedFormatError(ContentError):
    """The file's extension is not one the library can read."""


class EmptyFileError(ContentError):
    """The file has no bytes at all."""


class FileTooLargeError(ContentError):
    """The file is larger than the configured upload limit."""


class BinaryContentError(ContentError):
    """A text format (Markdown, HTML, plain text) holds binary data."""


class EncodingError(ContentError):
    """Text bytes are in no encoding the library accepts."""


class MetadataError(ContentError):
    """Front matter or a sidecar file is malformed or has a field of the wrong type.

    Attributes:
        field: The offending field, or "" when the whole block is unreadable.
    """

    def __init__(self, path: str, message: str, *, field: str = "") -> None:
        super().__init__(path, message)
        self.field = field


class CorruptDocumentError(ContentError):
    """A PDF or DOCX file is damaged or is not what its extension says."""


class EncryptedDocumentError(ContentError):
    """The document is password-protected and cannot be opened without the password."""


class NoTextLayerError(ContentError):
    """A PDF has pages but no extractable text (typically a scan that needs OCR)."""


class UnsafeArchiveError(ContentError):
    """A DOCX archive would inflate to an unsafe size (a zip bomb) and was not opened."""


class SourceNotFoundError(ContentError):
    """A file or folder given for ingestion does not exist."""
