"""Matching what a person typed to a competency or module: id, title, or a title's prefix.

Pure: the candidates come from the caller. Case and runs of spaces do not matter. An exact
id or title wins over prefixes; a prefix matches when it starts a title (or an id). Several
words are matched longest-first, so "Security awareness phishing" finds the competency
"Security awareness" and leaves "phishing" for what follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Named:
    """Something a person may name: its id and its title."""

    id: str
    title: str


@dataclass(frozen=True)
class Match:
    """The outcome of matching: one thing, several (ambiguous), or none.

    Attributes:
        found: Every candidate that matched (one when the match is certain).
        rest: The words after the ones that matched (for leading matches).
    """

    found: tuple[Named, ...]
    rest: tuple[str, ...] = ()

    @property
    def one(self) -> Named | None:
        """The single match, or None when there are none or several."""
        return self.found[0] if len(self.found) == 1 else None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_name(text: str, candidates: Sequence[Named]) -> tuple[Named, ...]:
    """Every candidate `text` names: the exact id or title first, else title or id prefixes."""
    key = _norm(text)
    if not key:
        return ()
    exact = [c for c in candidates if key in (_norm(c.id), _norm(c.title))]
    if exact:
        return tuple(dict.fromkeys(exact))
    prefixed = [
        c for c in candidates if _norm(c.title).startswith(key) or _norm(c.id).startswith(key)
    ]
    return tuple(dict.fromkeys(prefixed))


def match_leading(words: Sequence[str], candidates: Sequence[Named]) -> Match:
    """The longest run of leading words that names exactly one candidate, and the words left.

    When no run names exactly one, the result holds the candidates of the longest run that
    named several (ambiguous), or nothing.
    """
    several: tuple[Named, ...] = ()
    for n in range(len(words), 0, -1):
        found = match_name(" ".join(words[:n]), candidates)
        if len(found) == 1:
            return Match(found, tuple(words[n:]))
        if found and not several:
            several = found
    return Match(several)
