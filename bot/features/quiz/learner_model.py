"""The learner model in the product: item bank access, competency scope, modules, exemptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from bot.context import Services
from bot.core import messages as msg
from bot.core.errors import NotFound, UserError
from bot.core.names import Named
from bot.core.ports import ReviewsPort
from bot.features.names import resolve, resolve_leading
from bot.storage.mastery import MasteryRepository

_MAX_LISTED = 12
T = TypeVar("T")


@dataclass(frozen=True)
class Competencies:
    """The competencies a quiz can cover: those with live items, titled from the framework.

    Attributes:
        ids: Competency ids with at least one live item, framework order first.
        titles: Display title of every id (the id itself when the framework lacks it).
        cuts: Cut score of every id (0.0 when the framework lacks it).
        uncovered: Framework competencies no live item covers: id -> title.
    """

    ids: tuple[str, ...]
    titles: dict[str, str]
    cuts: dict[str, float]
    uncovered: dict[str, str] = field(default_factory=dict)

    def title(self, competency: str) -> str:
        """The display title of a competency."""
        return self.titles.get(competency, competency)

    def resolve(self, name: str) -> str:
        """The competency a learner named by id, title or a title's prefix (any case).

        Raises:
            NotFound: No competency with questions has that name; the message lists the
                valid ones.
            Ambiguous: The name could be several; the message lists them.
            UserError: The name is a framework competency no item covers (said so).
        """
        try:
            return resolve(name, self.named(), kind="competency", unknown=self.unknown(name)).id
        except NotFound:
            self._refuse_uncovered(name.split())
            raise

    def resolve_leading(self, words: Sequence[str]) -> tuple[str, tuple[str, ...]]:
        """The competency the longest run of leading words names, and the words after it."""
        try:
            named, rest = resolve_leading(
                words, self.named(), kind="competency", unknown=self.unknown(" ".join(words))
            )
        except NotFound:
            for end in range(len(words), 0, -1):
                self._refuse_uncovered(words[:end])
            raise
        return named.id, rest

    def _refuse_uncovered(self, words: Sequence[str]) -> None:
        """Say so when the words name (id or title, any case) a competency without items."""
        key = " ".join(words).casefold()
        for cid, title in self.uncovered.items():
            if key and key in (cid.casefold(), title.casefold()):
                raise UserError(msg.QUIZ_COMPETENCY_UNCOVERED.format(title=title))

    def named(self) -> list[Named]:
        """The competencies as names to match."""
        return [Named(cid, self.title(cid)) for cid in self.ids]

    def unknown(self, name: str) -> str:
        """What to say when nothing has that name: the valid ones."""
        listed = ", ".join(f"`{c}` ({self.title(c)})" for c in self.ids[:_MAX_LISTED])
        return msg.QUIZ_UNKNOWN_COMPETENCY.format(name=name[:60], valid=listed or "none")


def quiz_competencies(services: Services) -> Competencies:
    """The competencies that have questions.

    Raises:
        UserError: The item bank is empty.
    """
    counts = services.items.competencies()
    if not counts:
        raise UserError(msg.QUIZ_NO_ITEMS)
    framework = services.framework.get()
    ordered = [c.id for c in framework.competencies if c.id in counts]
    ordered += sorted(set(counts) - set(ordered))
    titles = {c.id: c.title for c in framework.competencies}
    cuts = {c.id: c.cut_score for c in framework.competencies}
    return Competencies(
        ids=tuple(ordered),
        titles={c: titles.get(c, c) for c in ordered},
        cuts={c: cuts.get(c, 0.0) for c in ordered},
        uncovered={c.id: c.title for c in framework.competencies if c.id not in counts},
    )


def target_competencies(
    services: Services, learner_id: str, within: Competencies
) -> tuple[str, ...]:
    """The learner's role targets and goals that have questions; all of them if none match."""
    profile = services.profiles.get(learner_id)
    framework = services.framework.get()
    role_name = profile.job_role.casefold()
    wanted: set[str] = set()
    for role in framework.roles:
        if role_name and role_name in (role.id.casefold(), role.title.casefold()):
            wanted |= {t.competency for t in role.targets}
    goals = {g.casefold() for g in profile.goals}
    wanted |= {c for c in within.ids if goals & {c.casefold(), within.title(c).casefold()}}
    chosen = tuple(c for c in within.ids if c in wanted)
    return chosen or within.ids


def competency_modules(services: Services, competency: str) -> tuple[str, ...]:
    """Modules that teach a competency: library modules tagged with it, and its items' modules."""
    library = services.content.modules()
    tagged = {m.meta.id for m in library if competency in m.meta.competencies}
    from_items = {i.module_id for i in services.items.bank([competency]) if i.module_id is not None}
    return tuple(sorted(tagged | from_items))


def visible_modules(
    services: Services, module_ids: tuple[str, ...], *, audience: list[str]
) -> tuple[str, ...]:
    """The modules a learner with `audience` tags may see (the library's audience rule)."""
    from retrieval.hybrid import visible_to  # numpy stays out of the command path

    content = services.content
    visible = []
    for module_id in module_ids:
        record = content.get(module_id)
        if record is None or visible_to(record.meta.audience, audience):
            visible.append(module_id)
    return tuple(visible)


def module_titles(services: Services, module_ids: list[str]) -> dict[str, str]:
    """Titles of library modules by id (the id itself for modules not in the library)."""
    content = services.content
    titles: dict[str, str] = {}
    for module_id in module_ids:
        record = content.get(module_id)
        titles[module_id] = record.meta.title if record is not None else module_id
    return titles


def exempted_modules(services: Services, learner_id: str) -> frozenset[str]:
    """Every module the learner is exempt from, through their active exemptions (live: a module
    added to an exempted competency later is exempt too)."""
    competencies = services.mastery.exempted_competencies(learner_id)
    return frozenset(m for c in competencies for m in competency_modules(services, c))


@dataclass(frozen=True)
class MasteryView:
    """What the path planner reads from the learner model (`services.learner_mastery`).

    Attributes:
        repo: The abilities and exemptions store.
        reviews: The spaced reviews of quiz items, when the nudges feature keeps them.
    """

    repo: MasteryRepository
    reviews: ReviewsPort | None = None

    def reviews_due(self, learner_id: str) -> dict[str, datetime]:
        """Module id -> when the earliest spaced review of its quiz items falls due."""
        return self.reviews.due_by_module(learner_id) if self.reviews is not None else {}

    def mastery(self, learner_id: str) -> dict[str, float]:
        """Competency id -> probability of mastery from the latest quiz or check.

        A competency the learner said they are new to since has none: a self-report is
        never evidence of mastery.
        """
        found = {c: a.p_mastery for c, a in self.repo.abilities(learner_id).items()}
        return without_said_new(found, self.repo.intake_notes(learner_id))

    def exemptions(self, learner_id: str) -> dict[str, str]:
        """Competency id -> evidence id of each active exemption (none once said new)."""
        found = {
            e.competency: f"exemption:{e.id}" for e in self.repo.exemptions(learner_id) if e.active
        }
        return without_said_new(found, self.repo.intake_notes(learner_id))

    def unmeasured(self, learner_id: str) -> dict[str, str]:
        """Competency id -> why the intake quiz did not measure it, as a path reason clause."""
        return unmeasured_clauses(self.repo.intake_notes(learner_id))


def without_said_new(found: Mapping[str, T], notes: Mapping[str, str]) -> dict[str, T]:
    """Evidence by competency, minus competencies the learner said they are new to."""
    return {c: v for c, v in found.items() if notes.get(c) != "new"}


def unmeasured_clauses(notes: Mapping[str, str]) -> dict[str, str]:
    """The intake notes ("new", "not asked") as the path's reason clauses."""
    clauses = {"new": msg.REASON_SAID_NEW, "not asked": msg.REASON_NOT_ASKED}
    return {c: clauses[k] for c, k in notes.items() if k in clauses}
