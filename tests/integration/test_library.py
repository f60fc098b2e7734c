"""The content library end to end: real files, the real model, a real Chroma folder, SQLite."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from bot.core.errors import Conflict
from bot.features.library import Library

pytestmark = pytest.mark.slow


def _library(core) -> Library:  # type: ignore[no-untyped-def]
    library: Library = core.services.library.get()
    return library


def _consistent(library: Library) -> None:
    """Every stored chunk is in the index and the index holds nothing else."""
    ids = library.content.chunk_ids()
    assert library.store().count() == len(ids)


def test_sample_library_answers_with_citations(library_core, sample_content: Path) -> None:
    library = _library(library_core)
    report = library.ingest([sample_content])
    assert report.failed == []
    assert report.ingested == len(list(sample_content.rglob("*.md")))
    _consistent(library)

    result = library.ask(
        "Someone emailed me a weird link asking for my password. What now?", roles=None
    )
    assert result.confident
    assert result.answer
    assert result.sources[0].module_id.startswith("security/")
    assert all(s.section for s in result.sources)
    assert result.sources[0].link.startswith(result.sources[0].source)


def test_a_question_outside_the_library_is_declined(library_core, sample_content: Path) -> None:
    library = _library(library_core)
    library.ingest([sample_content])
    result = library.ask("Who won the 2030 football World Cup final?", roles=None)
    assert not result.confident
    assert result.answer == ""
    assert result.sources == ()


def test_audience_restricted_modules_are_seen_only_by_their_audience(
    library_core, sample_content: Path
) -> None:
    library = _library(library_core)
    library.ingest([sample_content])
    question = "How do managers score support conversations for coaching and quality?"
    manager = {h.module_id for h in library.search(question, roles=["team-manager"], k=10)}
    agent = {h.module_id for h in library.search(question, roles=["support-agent"], k=10)}
    assert "customer-support/coaching-and-quality" in manager
    assert "customer-support/coaching-and-quality" not in agent


def test_reingest_skips_unchanged_replaces_changed_and_prunes_removed(
    library_core, sample_content: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "lib"
    shutil.copytree(sample_content / "workplace-basics", folder)
    library = _library(library_core)
    first = library.ingest([folder])
    assert (first.ingested, first.skipped) == (4, 0)
    before = {c.id for c in library.content.chunks(module_ids=["workplace-basics/remote-work"])}

    page = folder / "remote-work.md"
    page.write_text(page.read_text() + "\n## Coworking stipend\n\nClaim up to $90 a month.\n")
    (folder / "benefits.md").unlink()
    second = library.ingest([folder], prune=True)
    assert (second.ingested, second.skipped, second.pruned) == (1, 2, 1)
    after = {c.id for c in library.content.chunks(module_ids=["workplace-basics/remote-work"])}
    assert after
    assert before.isdisjoint(after), "a changed document gets all-new chunks"
    assert library.content.get("workplace-basics/benefits") is None
    _consistent(library)
    hits = library.search("coworking stipend per month", roles=None, k=3)
    assert hits[0].section == "Coworking stipend"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + " " * 60_000_000 + "</w:document>")
    return buffer.getvalue()


def test_bad_files_fail_alone_with_their_name_and_change_nothing(
    library_core, sample_content: Path, tmp_path: Path, shared_data: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(sample_content / "security" / "phishing.md", folder / "a-good.md")
    real_pdf = (shared_data / "handbook-18f/corpus/downloads/my-form.pdf").read_bytes()
    bad = {
        "corrupt.pdf": real_pdf[: len(real_pdf) // 3],
        "bomb.docx": _zip_bomb(),
        "empty.md": b"",
        "binary.md": bytes(range(256)) * 8,
        "latin.txt": "caf\xe9 ".encode("utf-16-le") * 10 + b"\xff\xfe\x00\xd8",
        "wrong-types.md": b"---\nminutes: soon\n---\n# A page\n\nSome text.\n",
        "duplicate.md": b"---\nid: security/phishing-copy\n---\n# Copy\n\nText.\n",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    (folder / "clash.md").write_bytes(
        b"---\nid: security/phishing\n---\n# Clash\n\nSame id as a-good.md.\n"
    )

    library = _library(library_core)
    report = library.ingest([folder])
    failed = {f["path"]: f["error"] for f in report.failed}
    assert set(failed) == {"corrupt.pdf", "bomb.docx", "empty.md", "binary.md", "latin.txt",
                           "wrong-types.md", "clash.md"}  # fmt: skip
    for path, error in failed.items():
        assert path in error, f"the error for {path} names the file: {error}"
    assert "minutes" in failed["wrong-types.md"]
    assert "already used" in failed["clash.md"]
    ids = {r.meta.id for r in library.content.modules()}
    assert ids == {"security/phishing", "security/phishing-copy"}
    _consistent(library)


def test_a_file_over_the_size_cap_is_refused_before_parsing(library_core, tmp_path: Path) -> None:
    library = _library(library_core)
    cap = library_core.services.settings.max_upload_bytes
    big = tmp_path / "big.md"
    big.write_bytes(b"# Big\n\n" + b"word " * (cap // 5 + 10))
    report = library.ingest([big])
    assert report.ingested == 0
    assert "big.md" in report.failed[0]["error"]
    assert "MB" in report.failed[0]["error"]


def test_a_failed_database_write_keeps_the_previous_version(
    library_core, sample_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "leave.md"
    shutil.copy(sample_content / "workplace-basics" / "leave-and-holidays.md", page)
    library = _library(library_core)
    library.ingest([page])
    before = library.content.chunk_ids()
    page.write_text(page.read_text() + "\n## Sabbatical\n\nAfter five years: four weeks.\n")

    def refuse(*args: object, **kwargs: object) -> list[str]:
        raise Conflict("leave.md: the database refused the write")

    monkeypatch.setattr(library.content, "save", refuse)
    report = library.ingest([page])
    assert report.failed
    assert "refused" in report.failed[0]["error"]
    assert library.content.chunk_ids() == before
    _consistent(library)


def test_generated_answers_cite_sources_and_decline_without_them(
    library_core, sample_content: Path
) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    library = _library(library_core)
    library.ingest([sample_content / "workplace-basics"])
    library._chat_model = FakeListChatModel(
        responses=["You get paid holidays as listed in the leave policy [1].", "I don't know."]
    )
    answered = library.ask("How many paid holidays do we get?", roles=None)
    assert answered.confident
    assert answered.answer.endswith("[1].")
    assert len(answered.sources) == 1, "only the cited source is listed"
    declined = library.ask("How many paid holidays do we get?", roles=None)
    assert not declined.confident


def test_another_replica_searches_what_one_replica_ingested(
    library_core, sample_content: Path, embedder
) -> None:
    from bot.storage.content import ContentRepository

    first = _library(library_core)
    services = library_core.services
    second = Library(
        content=ContentRepository(services.engine),
        settings=services.settings,
        clock=services.clock,
        embedder=embedder,
    )
    first.ingest([sample_content / "workplace-basics"])
    assert second.search("how do I claim expenses in Ledger?", roles=None, k=3)[0].module_id != (
        "internal-tools/expenses"
    )
    first.ingest([sample_content / "internal-tools"])
    hits = second.search("how do I claim expenses in Ledger?", roles=None, k=3)
    assert hits[0].module_id == "internal-tools/expenses", "no restart needed"
    services_content = ContentRepository(services.engine)
    services_content.set_retired("internal-tools/expenses", True)
    hits = second.search("how do I claim expenses in Ledger?", roles=None, k=3)
    assert "internal-tools/expenses" not in {h.module_id for h in hits}
