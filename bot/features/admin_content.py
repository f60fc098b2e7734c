"""Content administration used by `/learn admin`: module listings and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.storage.content import ModuleRecord


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
