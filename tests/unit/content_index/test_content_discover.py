"""discover(): recursive walking, source paths, skipping hidden files and sidecars."""

from __future__ import annotations

from pathlib import Path

import pytest

from content_index import discover
from content_index.errors import SourceNotFoundError


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def test_walks_folders_and_skips_hidden_files_and_sidecars(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "b.md",
        "b.md.meta.yaml",
        "a/z.pdf",
        "a/z.yaml",
        "a/guide.docx",
        "a/guide.meta.yml",
        "a/~$guide.docx",
        "config.yaml",
        ".hidden.md",
        ".git/HEAD.md",
        "c/d/e.txt",
        "sheet.xlsx",
    )
    found = discover([tmp_path])
    assert [source for _, source in found] == [
        "a/guide.docx",
        "a/z.pdf",
        "b.md",
        "c/d/e.txt",
        "config.yaml",
        "sheet.xlsx",
    ]
    assert all(path == tmp_path / source for path, source in found)


def test_a_file_given_directly_uses_its_name(tmp_path: Path) -> None:
    _touch(tmp_path, "deep/folder/notes.md", "other.md")
    file = tmp_path / "deep" / "folder" / "notes.md"
    found = discover([file, tmp_path / "deep"])
    assert found == [(file, "notes.md")]  # the folder walk reaches the same file again


def test_roots_keep_their_order_and_each_is_sorted(tmp_path: Path) -> None:
    _touch(tmp_path, "x/b.md", "x/a.md", "y/c.md")
    found = discover([tmp_path / "y", tmp_path / "x"])
    assert [source for _, source in found] == ["c.md", "a.md", "b.md"]


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        discover([tmp_path / "nope"])


def test_handbook_corpus(handbook: Path) -> None:
    found = discover([handbook / "corpus"])
    sources = [source for _, source in found]
    assert len(sources) == 253
    assert sources == sorted(sources)
    assert "pages/18f/chapters/account-manager.md" in sources
    assert "downloads/TEMPLATE_Risk_tracker.xlsx" in sources
