"""Files at rest: everything learnbot writes in its data folder is private to its owner.

Folders are 0700 and files 0600 whatever the umask: what learnbot creates itself is created
with those modes and then set to them (a umask can only remove bits), and the process umask is
tightened to 077 so files that libraries create (Chroma's index, the ONNX export, numpy
saves) are private too.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
DIR_MODE = 0o700
FILE_MODE = 0o600
PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Tighten this process's umask so new files are owner-only (stricter bits are kept)."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create a folder and its missing parents owner-only (an existing folder is left as it
    is: `tighten` fixes the data folder's own)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        _chmod(created, DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a new owner-only file (its folder made private first)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    _chmod(path, FILE_MODE)


def tighten(folder: Path) -> int:
    """Remove group and other access from everything under a folder made before learnbot
    kept it private (symlinks are not followed). Returns how many entries changed."""
    if not folder.is_dir():
        return 0
    changed = 0
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            entry = Path(root, name)
            if entry.is_symlink():
                continue
            mode = entry.stat().st_mode
            if mode & 0o077:
                changed += _chmod(entry, mode & 0o700)
    if folder.stat().st_mode & 0o077:
        changed += _chmod(folder, DIR_MODE)
    return changed


def _chmod(path: Path, mode: int) -> int:
    try:
        path.chmod(mode)
    except OSError as err:  # owned by someone else: say so, and go on
        log.warning("could not make %s private: %s", path, err.strerror or err)
        return 0
    return 1
