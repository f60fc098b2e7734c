"""`learnbot eval retrieval` ranks documents, not chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.cli.content import _documents
from retrieval.hybrid import Hit


@dataclass(frozen=True)
class _Meta:
    source: str


@dataclass(frozen=True)
class _Record:
    meta: _Meta


class _Content:
    def get(self, module_id: str) -> _Record | None:
        return None if module_id == "gone" else _Record(_Meta(f"./docs/{module_id}.md"))


class _Library:
    """Search returns three chunks of one module before the second module's first chunk."""

    content = _Content()

    def __init__(self) -> None:
        self.asked_for = 0

    def search(self, question: str, *, roles: Any, k: int) -> list[Hit]:
        self.asked_for = k
        order = ["pay", "pay", "gone", "pay", "leave", "pay", "leave", "tools"]
        return [Hit(f"{m}::{i}", m, "", "", 0, 0, "", 1.0, None, None) for i, m in enumerate(order)]


def test_each_document_is_listed_once_at_its_first_chunk() -> None:
    library = _Library()
    documents = _documents(library, "when do we get paid?", 10)  # type: ignore[arg-type]
    assert documents == ["docs/pay.md", "docs/leave.md", "docs/tools.md"]
    assert library.asked_for > 10, "more chunks than documents are fetched"
