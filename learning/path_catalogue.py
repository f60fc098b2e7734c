"""The module catalogue as the planner uses it: checked against the framework, with alternatives.

Modules come from content metadata that admins write by hand, so the catalogue is checked
leniently: a problem becomes a warning and the offending part is left out, never a crash.

Two modules are *alternatives* (the same lesson in another format) when they teach the same
competencies at the same difficulty in different formats and either share at least two tags
or one's id is the other's id with a suffix (``phishing`` / ``phishing-drill``). Merely
teaching the same competency at the same level is not enough: "Triage" and "Tone and
empathy" are both foundation customer-support modules, and one does not replace the other.
A group of alternatives never holds two modules of the same format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

from learning.framework import Framework
from learning.path_model import LEVEL_RANK, CatalogModule

MIN_SHARED_TAGS = 2


@dataclass(frozen=True)
class Catalogue:
    """Usable modules, their input order, and alternatives.

    Attributes:
        modules: Module id -> module, with unknown competencies and bad prerequisites removed.
        position: Module id -> position in the input (ties in ordering follow it).
        groups: Module id -> the ids of its alternatives group (itself included), in input
            order; modules without alternatives are absent.
        warnings: What was left out, and why.
    """

    modules: Mapping[str, CatalogModule]
    position: Mapping[str, int]
    groups: Mapping[str, tuple[str, ...]]
    warnings: tuple[str, ...]

    def alternatives(self, module_id: str) -> tuple[str, ...]:
        """The group of a module (just the module when it has no alternatives)."""
        return self.groups.get(module_id, (module_id,))


def build_catalogue(framework: Framework, modules: Sequence[CatalogModule]) -> Catalogue:
    """Check modules against the framework and each other; see the module docstring."""
    known = {c.id for c in framework.competencies}
    warnings: list[str] = []
    kept: dict[str, CatalogModule] = {}
    for m in modules:
        if m.id in kept:
            warnings.append(f"module '{m.id}' appears twice; the first one is used")
        elif m.difficulty not in LEVEL_RANK:
            warnings.append(
                f"module '{m.id}' has an unknown difficulty '{m.difficulty}'; left out of paths"
            )
        else:
            kept[m.id] = _with_known_competencies(m, known, warnings)
    cleaned = {mid: _with_known_prerequisites(m, kept, warnings) for mid, m in kept.items()}
    position = {mid: i for i, mid in enumerate(cleaned)}
    return Catalogue(cleaned, position, _groups(cleaned, position), tuple(warnings))


def _with_known_competencies(
    m: CatalogModule, known: set[str], warnings: list[str]
) -> CatalogModule:
    unknown = [c for c in m.competencies if c not in known]
    if not unknown:
        return m
    names = ", ".join(f"'{c}'" for c in unknown)
    if len(unknown) == len(m.competencies):
        warnings.append(
            f"module '{m.id}' teaches {names}, not a competency of the framework; left out of paths"
        )
    else:
        warnings.append(f"module '{m.id}' teaches {names}, not in the framework; ignored")
    return replace(m, competencies=tuple(c for c in m.competencies if c in known))


def _with_known_prerequisites(
    m: CatalogModule, kept: Mapping[str, CatalogModule], warnings: list[str]
) -> CatalogModule:
    prereqs: list[str] = []
    for p in m.prerequisites:
        if p == m.id:
            warnings.append(f"module '{m.id}' lists itself as a prerequisite; ignored")
        elif p not in kept:
            warnings.append(f"module '{m.id}' needs '{p}', which is not in the library; ignored")
        elif p not in prereqs:
            prereqs.append(p)
    return m if tuple(prereqs) == m.prerequisites else replace(m, prerequisites=tuple(prereqs))


def _alike(a: CatalogModule, b: CatalogModule) -> bool:
    if not a.competencies or set(a.competencies) != set(b.competencies):
        return False
    if a.difficulty != b.difficulty or a.format == b.format:
        return False
    shared = len(set(a.tags) & set(b.tags))
    return shared >= MIN_SHARED_TAGS or b.id.startswith(a.id + "-") or a.id.startswith(b.id + "-")


def _groups(
    modules: Mapping[str, CatalogModule], position: Mapping[str, int]
) -> dict[str, tuple[str, ...]]:
    """Union alike pairs, most similar first, refusing a merge that repeats a format."""
    pairs = [(a, b) for a, b in combinations(modules.values(), 2) if _alike(a, b)]
    pairs.sort(key=lambda p: (-len(set(p[0].tags) & set(p[1].tags)), position[p[0].id]))
    group_of: dict[str, set[str]] = {}
    for a, b in pairs:
        ga, gb = group_of.get(a.id, {a.id}), group_of.get(b.id, {b.id})
        if ga is gb:
            continue
        formats = [modules[m].format for m in ga | gb]
        if len(formats) != len(set(formats)):
            continue
        merged = ga | gb
        for member in merged:
            group_of[member] = merged
    return {
        mid: tuple(sorted(members, key=position.__getitem__)) for mid, members in group_of.items()
    }
