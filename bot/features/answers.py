"""How the library cites: the source of a search hit or an answer marker, one per module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.core.model import Source

if TYPE_CHECKING:
    from retrieval.hybrid import Hit


def source_of(hit: Hit, modules: Mapping[str, Any]) -> Source:
    """The source a search hit comes from, as answers cite it."""
    meta = modules[hit.module_id]
    link = (meta.url or meta.source) + (f"#{hit.anchor}" if hit.anchor else "")
    return Source(hit.module_id, meta.title, hit.section, meta.source, round(hit.score, 4), link)


def cited_source(citation: Any, hits: Sequence[Hit]) -> Source:
    """The source behind answer marker [n], scored by its best hit."""
    score = max(
        (
            h.score
            for h in hits
            if h.module_id == citation.module_id and h.section == citation.section
        ),
        default=0.0,
    )
    return Source(
        citation.module_id,
        citation.title,
        citation.section,
        citation.source,
        round(score, 4),
        citation.link,
    )


def unique_modules(sources: Sequence[Source]) -> tuple[Source, ...]:
    """The first source of each module, in order."""
    seen: set[str] = set()
    unique = []
    for s in sources:
        if s.module_id not in seen:
            seen.add(s.module_id)
            unique.append(s)
    return tuple(unique)
