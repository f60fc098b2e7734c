"""The content library: parsing documents into modules and structure-aware chunks."""

from __future__ import annotations

from content_index.chunking import chunk_document
from content_index.discover import discover
from content_index.document import MEDIA_TYPES, SUPPORTED_FORMATS, parse_document, parse_file
from content_index.errors import ContentError
from content_index.metadata import find_sidecar, load_sidecar
from content_index.model import Chunk, ModuleMeta, ParsedDocument, Section

__all__ = [
    "MEDIA_TYPES",
    "SUPPORTED_FORMATS",
    "Chunk",
    "ContentError",
    "ModuleMeta",
    "ParsedDocument",
    "Section",
    "chunk_document",
    "discover",
    "find_sidecar",
    "load_sidecar",
    "parse_document",
    "parse_file",
]
