"""GitHub-style heading anchors, de-duplicated within a document the way GitHub does it."""

from __future__ import annotations

import unicodedata


def github_slug(text: str) -> str:
    """Slug a heading like GitHub: lowercase, drop punctuation but hyphens, spaces to hyphens.

    Letters, marks, digits and connector punctuation (underscore) are kept, as in
    github-slugger; each space becomes one hyphen, so "A  B" gives "a--b".
    """
    kept = []
    for ch in text.lower():
        category = unicodedata.category(ch)
        if ch in " -" or category[0] in "LMN" or category == "Pc":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


class Slugger:
    """Hands out unique anchors for one document: "intro", "intro-1", "intro-2"."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def reserve(self, anchor: str) -> None:
        """Mark an explicit anchor (an HTML id) as taken so generated ones avoid it."""
        self._seen.setdefault(anchor, 0)

    def slug(self, text: str) -> str:
        """The unique anchor for a heading text."""
        base = github_slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result
