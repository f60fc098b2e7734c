"""Content administration used by `/learn admin`: module listings, gap grouping, summaries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.features.questions import is_content_question
from bot.storage.content import ModuleRecord

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "to",
        "of",
        "in",
        "on",
        "for",
        "and",
        "or",
        "how",
        "what",
        "when",
        "where",
        "who",
        "why",
        "can",
        "could",
        "should",
        "would",
        "it",
        "this",
        "that",
        "with",
        "at",
        "by",
        "be",
        "from",
        "as",
        "have",
        "has",
        "there",
        "any",
        "get",
        "need",
        "us",
        "if",
        "so",
        "about",
        "which",
        "much",
        "many",
    }
)
SIMILAR = 0.5


def tokens(text: str) -> frozenset[str]:
    """The content words of a question, lower-cased."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(w for w in words if w not in STOPWORDS and len(w) > 1)


@dataclass
class GapGroup:
    """Unanswered questions asked in similar words."""

    example: str
    questions: list[str]
    words: frozenset[str]

    @property
    def count(self) -> int:
        """How many times a question of the group was asked."""
        return len(self.questions)


def group_gaps(questions: Sequence[str], *, similar: float = SIMILAR) -> list[GapGroup]:
    """Group questions by word overlap (Jaccard of content words), largest group first.

    Messages that ask nothing (commands, greetings, numbers, emoji) are left out, also those
    recorded before such messages stopped being recorded.
    """
    groups: list[GapGroup] = []
    for question in filter(is_content_question, questions):
        words = tokens(question)
        best, score = None, 0.0
        for group in groups:
            union = words | group.words
            overlap = len(words & group.words) / len(union) if union else 1.0
            if overlap > score:
                best, score = group, overlap
        if best is not None and score >= similar:
            best.questions.append(question)
        else:
            groups.append(GapGroup(example=question, questions=[question], words=words))
    return sorted(groups, key=lambda g: -g.count)


def module_line(record: ModuleRecord) -> str:
    """One line of `/learn admin modules`."""
    meta = record.meta
    mark = " (retired)" if record.retired else ""
    tags = f" [{', '.join(meta.tags)}]" if meta.tags else ""
    return f"`{meta.id}`: {meta.title}{tags}{mark}"


def module_fields(record: ModuleRecord) -> tuple[tuple[str, str], ...]:
    """The fields of `/learn admin show`."""
    meta = record.meta
    return (
        ("Source", meta.source[:200]),
        ("Competencies", ", ".join(meta.competencies) or "-"),
        ("Tags", ", ".join(meta.tags) or "-"),
        ("Format", f"{meta.format}, {meta.difficulty}, {meta.minutes} min"),
        ("Audience", ", ".join(meta.audience) or "everyone"),
        ("Status", "retired" if record.retired else "live"),
        ("Ingested", record.ingested_at.strftime("%Y-%m-%d %H:%M UTC")),
    )


def item_summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Totals over the item statistics rows of `stored_item_stats`."""
    flagged = [r for r in rows if r["flags"]]
    return {
        "items": len(rows),
        "answered": sum(1 for r in rows if r["answers"]),
        "answers": sum(r["answers"] for r in rows),
        "calibrated": sum(1 for r in rows if r["calibrated"]),
        "flagged": [(r["id"], ", ".join(r["flags"])) for r in flagged],
    }
