"""A small library shaped like the sample one, stored through the real repositories (for tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.sample.loader import load_framework
from bot.storage.content import ContentRepository
from content_index.model import ModuleMeta

INGESTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
# id, title, competencies, difficulty, minutes, format, prerequisites, tags
MODULES: tuple[tuple[Any, ...], ...] = (
    (
        "workplace-basics/first-week",
        "Your first week",
        ("workplace-basics",),
        "foundation",
        6,
        "text",
        (),
        ("onboarding",),
    ),
    (
        "security/passwords-and-mfa",
        "Passwords and MFA",
        ("security-awareness",),
        "foundation",
        6,
        "text",
        ("workplace-basics/first-week",),
        ("passwords", "mfa"),
    ),
    (
        "security/phishing",
        "Spotting phishing",
        ("security-awareness",),
        "foundation",
        6,
        "text",
        ("workplace-basics/first-week",),
        ("phishing", "email", "report-phish"),
    ),
    (
        "security/phishing-drill",
        "Phishing drill",
        ("security-awareness",),
        "foundation",
        8,
        "interactive",
        ("workplace-basics/first-week",),
        ("phishing", "email", "practice"),
    ),
    (
        "internal-tools/trailhead-desk",
        "Working in Trailhead Desk",
        ("internal-tools",),
        "foundation",
        7,
        "text",
        ("security/passwords-and-mfa",),
        ("tickets",),
    ),
    (
        "customer-support/triage",
        "Triaging tickets",
        ("customer-support",),
        "foundation",
        6,
        "text",
        ("internal-tools/trailhead-desk",),
        ("triage",),
    ),
    (
        "customer-support/escalation",
        "When to escalate",
        ("customer-support",),
        "intermediate",
        6,
        "text",
        ("customer-support/triage",),
        ("escalation",),
    ),
    (
        "compliance/code-of-conduct",
        "Our code of conduct",
        ("compliance",),
        "foundation",
        7,
        "text",
        ("workplace-basics/first-week",),
        ("conduct",),
    ),
    (
        "compliance/data-privacy",
        "Protecting privacy",
        ("compliance",),
        "foundation",
        7,
        "text",
        ("compliance/code-of-conduct",),
        ("privacy",),
    ),
)


def meta(row: tuple[Any, ...]) -> ModuleMeta:
    """ModuleMeta for one row of MODULES."""
    mid, title, comps, difficulty, minutes, fmt, prereqs, tags = row
    return ModuleMeta(
        id=mid,
        title=title,
        competencies=comps,
        difficulty=difficulty,
        minutes=minutes,
        format=fmt,
        prerequisites=prereqs,
        tags=tags,
        source=f"{mid}.md",
        summary=f"What {title.lower()} covers.",
        url=f"https://learn.example/{mid}",
    )


def load_library(core: Any) -> None:
    """Import the sample framework and store MODULES in the content library."""
    load_framework(core)
    repo = ContentRepository(core.services.engine)
    for row in MODULES:
        repo.save(meta(row), content_hash=row[0], new_chunks=[], now=INGESTED)


class FakeMastery:
    """The quiz feature's side of the seam, with fixed answers."""

    def __init__(
        self, mastery: dict[str, float] | None = None, exemptions: dict[str, str] | None = None
    ) -> None:
        self.values = dict(mastery or {})
        self.exempt = dict(exemptions or {})

    def mastery(self, learner_id: str) -> dict[str, float]:
        return dict(self.values)

    def exemptions(self, learner_id: str) -> dict[str, str]:
        return dict(self.exempt)

    def reviews_due(self, learner_id: str) -> dict[str, datetime]:
        return {}
