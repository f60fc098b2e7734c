"""A small library on disk, stored without embedding, and a core whose links have a base URL."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.core.events import Identity, UserInfo
from bot.core.model import Learner
from bot.settings import Settings
from content_index import parse_file
from content_index.lessons import build_cards
from content_index.page import page_of
from tests.conftest import SHARED_DATA, T0

PUBLIC_URL = "https://learn.example.org/lb"
ORG = "Acme & Sons <Learning>"
HANDBOOK_PAGE = "pages/updating-the-handbook/edit-locally.md"

BASICS = """---
id: basics
title: Security basics
summary: What to do about suspicious email.
---
# Security basics

Report suspicious email to the security team at once.

## Passwords

Use a password manager. Never reuse a password.

| Tool | Use <b>it</b> for |
|---|---|
| Vault | secrets <script>alert(1)</script> |
| Manager | passwords |

```html
<script>alert("code")</script>
<a href="javascript:alert(2)">click</a>
```

- Lock your screen
- Report lost devices

![The report button](img/report.png)

![Outside the library](../secret.png)

![A symlink out](img/link.png)

![Remote](https://tracker.example.com/pixel.png)

## Reporting

Forward the email as an attachment.
"""

RESTRICTED = """---
id: managers-only
title: Managing performance
audience: [manager]
---
# Managing performance

Only managers read this.
"""

TITLE_ONLY = """---
id: title-only
title: Just a title
---
"""


def png(color: tuple[int, int, int], width: int = 8, height: int = 8) -> bytes:
    """A small solid PNG."""
    raw = b"".join(b"\x00" + bytes(color) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def big_module() -> str:
    """A module with a 200-row table and a 1,000-line code block."""
    rows = "\n".join(f"| row {n} | value {n * 7} |" for n in range(1, 201))
    code = "\n".join(f"line_{n} = {n}  # <tag {n}>" for n in range(1, 1001))
    return (
        "---\nid: big\ntitle: Big tables\n---\n# Big tables\n\n## The table\n\n"
        f"| Row | Value |\n|---|---|\n{rows}\n\n## The code\n\n```\n{code}\n```\n"
    )


@dataclass
class Library:
    """The library folder and what was written around it."""

    root: Path
    secret: Path


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A library folder with modules and images, and a PNG just outside it."""
    root = tmp_path / "library"
    (root / "img").mkdir(parents=True)
    (root / "img" / "report.png").write_bytes(png((200, 40, 40)))
    secret = tmp_path / "secret.png"
    secret.write_bytes(png((0, 0, 0)))
    (root / "img" / "link.png").symlink_to(secret)
    (root / "img" / "fake.png").write_text("<svg onload=alert(1)>", encoding="utf-8")
    (root / "basics.md").write_text(BASICS, encoding="utf-8")
    (root / "restricted.md").write_text(RESTRICTED, encoding="utf-8")
    (root / "title-only.md").write_text(TITLE_ONLY, encoding="utf-8")
    (root / "big.md").write_text(big_module(), encoding="utf-8")
    return Library(root, secret)


def page_settings(tmp_path: Path, **extra: object) -> Settings:
    """Settings with a private data folder, a public URL and an organisation name."""
    values: dict[str, object] = {
        "LEARNBOT_HOME": tmp_path / "home",
        "LEARNBOT_PUBLIC_URL": PUBLIC_URL + "/",
        "LEARNBOT_ORG_NAME": ORG,
        "_env_file": None,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def store(core: App, file: Path, root: Path) -> str:
    """Store a module the way ingest does (cards and page), without embedding it."""
    source = file.relative_to(root).as_posix()
    doc = parse_file(file, source=source, max_bytes=10_000_000)
    core.services.content.save(
        doc.meta,
        content_hash=doc.content_hash,
        new_chunks=[],
        now=T0,
        cards=build_cards(doc),
        page=page_of(doc, folder=str(root)),
    )
    return doc.meta.id


@pytest.fixture
def page_core(tmp_path: Path, library: Library, clock) -> App:  # type: ignore[no-untyped-def]
    """The core with the library's modules stored."""
    core = build_app(page_settings(tmp_path), clock=clock)
    for name in ("basics.md", "restricted.md", "title-only.md", "big.md"):
        store(core, library.root / name, library.root)
    return core


def learner(core: App, name: str, *, roles: frozenset[str] = frozenset()) -> Learner:
    """A learner met on the terminal, with extra permission roles."""
    found = core.services.learners.resolve(
        Identity("terminal", "local", name), UserInfo(display_name=name), now=T0
    )
    if roles:
        core.services.learners.set_roles(found.id, roles | {"learner"}, now=T0)
        refreshed = core.services.learners.get(found.id)
        assert refreshed is not None
        return refreshed
    return found


@pytest.fixture
def handbook_root() -> Path:
    """The real handbook's corpus folder (skips when the shared data is absent)."""
    root = SHARED_DATA / "handbook-18f" / "corpus"
    if not (root / HANDBOOK_PAGE).is_file():
        pytest.skip(f"shared handbook not found at {root}")
    return root
