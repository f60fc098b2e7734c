"""Upload bombs sent as an admin's Slack file: refused with a reason, the library untouched."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from pypdf import PdfWriter

from tests.security.conftest import Server
from tests.security.state import rows


def zip_bomb_docx() -> bytes:
    """A 60 KB DOCX whose document part inflates to 64 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


def many_pages_pdf() -> bytes:
    writer = PdfWriter()
    for _ in range(1_001):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shared(file_id: str) -> dict[str, Any]:
    return {
        "type": "file_shared",
        "file_id": file_id,
        "file": {"id": file_id},
        "user_id": "U0ANA",
        "channel_id": "D0ANA",
        "event_ts": "1700.5",
    }


@pytest.mark.parametrize(
    ("name", "make", "size", "reason"),
    [
        ("bomb.docx", zip_bomb_docx, None, "zip bomb"),
        ("pages.pdf", many_pages_pdf, None, "1,001 pages"),
        ("huge.pdf", lambda: b"%PDF-1.4 tiny", 1024 * 1024 + 1, "did not download it"),
        ("huge.md", lambda: b"# x\n" * 300_000, None, "MB"),
    ],
    ids=["zip-bomb-docx", "1001-page-pdf", "declared-over-cap", "body-over-cap"],
)
async def test_an_upload_bomb_is_refused_and_adds_nothing(
    server: Server, name: str, make: Any, size: int | None, reason: str
) -> None:
    slack = server.slack
    slack.onboard("U0ANA", roles=frozenset({"admin"}))
    slack.fake.add_file("F0BOMB", make(), name=name, size=size)
    before = rows(server.core, ignore=frozenset({"audit_log"}))
    generation = server.core.services.content.generation()
    assert (await slack.event(shared("F0BOMB"))).status == 200
    await slack.settle(timeout=60)
    said = "\n".join(slack.fake.posted_texts())
    assert reason in said, said
    assert "Added" not in said
    after = rows(server.core, ignore=frozenset({"audit_log"}))
    assert {k: after[k] for k in ("modules", "chunks", "items")} == {
        k: before[k] for k in ("modules", "chunks", "items")
    }
    # The library's version is unchanged, so the index was not written (an index opened to
    # check its state may exist, with nothing in it).
    assert server.core.services.content.generation() == generation
