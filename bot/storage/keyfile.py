"""A random key generated once in the data folder, readable by its owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """The key stored at `path`, created (0600, its folder 0700) on first use.

    The key is written to a temporary file that is then linked into place, which fails when
    the file exists: two processes starting at once both end up with the winner's key, and
    nobody ever reads a half-written one.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(KEY_BYTES))
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < KEY_BYTES:
        raise OSError(f"{path.name} is damaged: delete it to generate a new key")
    return key.encode("ascii")
