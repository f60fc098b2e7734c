"""Core value objects outside the pure learning domain: learners, roles, library answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.events import Identity

ROLES = ("learner", "manager", "admin")


@dataclass(frozen=True)
class Learner:
    """A person learnbot knows, linked to one or more platform identities.

    Attributes:
        id: Internal id (random, never shown as a credential).
        display_name: Name to address them by.
        email: Work email, used to link the same person across platforms.
        roles: Permission roles: learner always, plus manager and/or admin.
        is_guest: Platform guests are never managers or admins.
        identities: The platform identities linked to this learner.
        admin_from_settings: The admin role came from LEARNBOT_ADMINS, not from a grant.
    """

    id: str
    display_name: str
    email: str | None
    roles: frozenset[str]
    is_guest: bool = False
    identities: tuple[Identity, ...] = ()
    admin_from_settings: bool = False

    def has_role(self, role: str) -> bool:
        """Whether the learner holds a role or a higher one (guests hold only `learner`).

        Roles are ordered learner < manager < admin: an admin may do what a manager may.
        """
        if self.is_guest and role != "learner":
            return False
        return (
            role == "learner" or role in self.roles or (role == "manager" and "admin" in self.roles)
        )

    @property
    def name(self) -> str:
        """The best name to address the learner with."""
        return self.display_name or "there"


@dataclass
class IngestReport:
    """What an ingest run did (the `--json` contract)."""

    ingested: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0
    pruned: int = 0
    inferred: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape."""
        return {
            "ingested": self.ingested,
            "skipped": self.skipped,
            "failed": self.failed,
            "chunks": self.chunks,
        }


@dataclass(frozen=True)
class Source:
    """A cited source as the `ask --json` contract shows it."""

    module_id: str
    title: str
    section: str
    source: str
    score: float
    link: str = ""


@dataclass(frozen=True)
class Answered:
    """An answer, whether the library was confident, and its sources (best first)."""

    answer: str
    confident: bool
    sources: tuple[Source, ...]
    related: tuple[Source, ...] = ()
    # The search ran in reduced mode (the vector store unreachable: lexical search only).
    reduced: bool = False


@dataclass(frozen=True)
class IndexStatus:
    """Whether the content index can be searched, and which library generation it holds.

    Attributes:
        state: "ok", "empty" (nothing ingested), "missing" (the embedded index folder is gone),
            "stale" (it holds another generation than the database), "rebuilding" or
            "unreachable" (the vector store cannot be reached).
        library: The database's library generation.
        index: The generation recorded with the index (None when unknown or never recorded).
    """

    state: str
    library: int
    index: int | None = None
