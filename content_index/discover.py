"""Finding the documents to ingest under the files and folders a user names."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from content_index.errors import SourceNotFoundError
from content_index.metadata import is_sidecar

# Office writes "~$name.docx" owner files next to open documents; they are never content.
_HIDDEN_PREFIXES = (".", "~$")


def discover(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """List the files to ingest with their source paths.

    Folders are walked recursively; the source is the path relative to the folder, with "/"
    separators. A file named directly has its file name as source. Hidden files and folders
    and metadata sidecars are skipped; unsupported files are listed so that the caller can
    report them. Each folder's files come sorted by source, folders in the order given, and a
    file reached twice is listed once.

    Raises:
        SourceNotFoundError: A path does not exist.
    """
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            raise SourceNotFoundError(str(root), "does not exist")
        entries = [(root, root.name)] if root.is_file() else _walk(root)
        for file, source in entries:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append((file, source))
    return found


def _walk(root: Path) -> list[tuple[Path, str]]:
    entries = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(_HIDDEN_PREFIXES)]
        for name in filenames:
            file = Path(folder) / name
            if name.startswith(_HIDDEN_PREFIXES) or is_sidecar(file) or not file.is_file():
                continue
            entries.append((file, file.relative_to(root).as_posix()))
    return sorted(entries, key=lambda entry: entry[1])
