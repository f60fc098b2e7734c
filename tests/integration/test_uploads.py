"""Files sent to the bot: admins add content, everyone else is refused before any download."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.events import Channel, FileShared, Identity
from bot.handlers.files import kind_of
from tests.conversations.transcript import Conversation

pytestmark = pytest.mark.slow


class Download:
    """A file's bytes behind `read(max_bytes)`, remembering whether it was downloaded."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.calls: list[int] = []

    def __call__(self, max_bytes: int) -> bytes:
        self.calls.append(max_bytes)
        return self.data[:max_bytes]


def _send(core, user: str, name: str, data: bytes, *, size: int | None = None):  # type: ignore[no-untyped-def]
    download = Download(data)
    event = FileShared(
        identity=Identity.parse(user),
        channel=Channel(f"dm-{user}"),
        name=name,
        size=len(data) if size is None else size,
        read=download,
    )
    replies = core.router.handle(event)
    return "\n".join(r.fallback for r in replies), download


def test_an_admin_upload_is_ingested_and_answerable(library_core, sample_content: Path) -> None:
    Conversation(library_core, "root", role="admin")
    page = (sample_content / "internal-tools" / "expenses.md").read_bytes()
    said, download = _send(library_core, "root", "expenses.md", page)
    assert "Added expenses.md" in said
    assert download.calls == [library_core.services.settings.max_upload_bytes]
    library = library_core.services.library.get()
    assert library.content.get("internal-tools/expenses") is not None
    assert library.ask("How long do I have to file my expenses?", roles=None).confident
    (entry,) = library_core.services.audit.entries()
    assert entry["action"] == "content.upload"
    again, _ = _send(library_core, "root", "expenses.md", page)
    assert "unchanged" in again


def test_a_learner_upload_is_refused_without_downloading(library_core) -> None:
    Conversation(library_core, "ana")
    said, download = _send(library_core, "ana", "notes.md", b"# Notes\n\nHello.\n")
    assert "Only admins" in said
    assert download.calls == []


def test_a_file_over_the_cap_is_refused_before_download(library_core) -> None:
    Conversation(library_core, "root", role="admin")
    cap = library_core.services.settings.max_upload_bytes
    said, download = _send(library_core, "root", "huge.pdf", b"%PDF", size=cap + 1)
    assert "larger than 25 MB" in said
    assert download.calls == []


def test_a_corrupt_upload_changes_nothing(library_core, shared_data: Path) -> None:
    Conversation(library_core, "root", role="admin")
    pdf = (shared_data / "handbook-18f/corpus/downloads/my-form.pdf").read_bytes()
    said, _ = _send(library_core, "root", "form.pdf", pdf[:2000])
    assert said.startswith("Nothing was added: form.pdf")
    assert library_core.services.library.get().content.modules() == []


def test_an_unsupported_file_type_is_explained(library_core) -> None:
    Conversation(library_core, "root", role="admin")
    said, _ = _send(library_core, "root", "photo.jpg", b"\xff\xd8\xff\xe0")
    assert "I can't import photo.jpg" in said


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("team.ics", b"BEGIN:VCALENDAR", "calendar"),
        ("export", b"BEGIN:VCALENDAR\r\n", "calendar"),
        ("bank.gift", b"::q:: x {T}", "quiz"),
        ("framework.yaml", b"competencies:\n  - id: x\n", "framework"),
        ("framework.json", b'{"competencies": [], "roles": []}', "framework"),
        ("bank.yaml", b"items:\n  - id: q1\n", "quiz"),
        ("bank.yaml", b"# Items over two competencies\nitems:\n  - id: q1\n", "quiz"),
        ("bank.json", b'{"items": []}', "unknown"),
        ("bank.aiken", b"Is it?\nA. yes\nB. no\nANSWER: A\n", "quiz"),
        ("faq.txt", b"Opening hours\nAnswer: 9 to 5, Monday to Friday.\n", "content"),
        ("org.csv", b"email,manager_email,department\n", "org"),
        ("bank.csv", b"question,a,b,answer\n", "quiz"),
        ("aiken.txt", b"Is it?\nA. yes\nB. no\nANSWER: A\n", "quiz"),
        ("notes.txt", b"Plain notes.\n", "content"),
        ("guide.docx", b"PK", "content"),
        ("photo.jpg", b"\xff\xd8", "unknown"),
    ],
)
def test_kind_of_uploads(name: str, head: bytes, kind: str) -> None:
    assert kind_of(name, head) == kind
