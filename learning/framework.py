"""Competency frameworks: competencies with prerequisites, and roles with their targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from learning.items import DIFFICULTIES


class FrameworkError(ValueError):
    """A framework that cannot be accepted; the message names the offending entry."""


@dataclass(frozen=True)
class Competency:
    """A competency: what a learner can master, and what must be mastered first.

    `coach` optionally names the person who helps learners stuck on it: an email or a user
    reference (`slack:TEAM:USER`, `teams:TENANT:USER`, `terminal:NAME`).
    """

    id: str
    title: str
    description: str = ""
    prerequisites: tuple[str, ...] = ()
    cut_score: float = 0.0
    coach: str = ""


@dataclass(frozen=True)
class Target:
    """A competency a role needs, at a level."""

    competency: str
    level: str = "foundation"


@dataclass(frozen=True)
class Requirement:
    """A module a role must complete, within `due_days` of starting.

    A module assigned by a manager is a requirement too: `assigned` is set and `due_at`
    is its absolute due date (or None).
    """

    module: str
    due_days: int | None = None
    due_at: datetime | None = None
    assigned: bool = False


@dataclass(frozen=True)
class Role:
    """A job role and what it needs."""

    id: str
    title: str
    targets: tuple[Target, ...] = ()
    required_modules: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Framework:
    """A validated competency framework."""

    competencies: tuple[Competency, ...]
    roles: tuple[Role, ...]

    def competency(self, competency_id: str) -> Competency | None:
        """A competency by id."""
        return next((c for c in self.competencies if c.id == competency_id), None)


def _text(entry: Mapping[str, object], key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise FrameworkError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _strings(entry: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FrameworkError(f"{where}: '{key}' must be a list of ids")
    return tuple(value)


def _competency(entry: object, index: int) -> Competency:
    if not isinstance(entry, Mapping):
        raise FrameworkError(f"competency #{index + 1} must be a mapping")
    cid = _text(entry, "id", f"competency #{index + 1}")
    cut = entry.get("cut_score", 0.0)
    if not isinstance(cut, int | float) or isinstance(cut, bool):
        raise FrameworkError(f"competency '{cid}': 'cut_score' must be a number")
    return Competency(
        id=cid,
        title=_text(entry, "title", f"competency '{cid}'", required=False) or cid,
        description=_text(entry, "description", f"competency '{cid}'", required=False),
        prerequisites=_strings(entry, "prerequisites", f"competency '{cid}'"),
        cut_score=float(cut),
        coach=_text(entry, "coach", f"competency '{cid}'", required=False),
    )


def _role(entry: object, index: int) -> Role:
    if not isinstance(entry, Mapping):
        raise FrameworkError(f"role #{index + 1} must be a mapping")
    rid = _text(entry, "id", f"role #{index + 1}")
    targets = []
    for t in entry.get("targets") or []:
        if not isinstance(t, Mapping):
            raise FrameworkError(f"role '{rid}': each target needs a competency and a level")
        level = str(t.get("level", "foundation"))
        if level not in DIFFICULTIES:
            raise FrameworkError(f"role '{rid}': level '{level}' is not one of {DIFFICULTIES}")
        targets.append(Target(_text(t, "competency", f"role '{rid}' target"), level))
    required = []
    for r in entry.get("required_modules") or []:
        if not isinstance(r, Mapping):
            raise FrameworkError(f"role '{rid}': each required module needs a module id")
        due = r.get("due_days")
        if due is not None and (not isinstance(due, int) or due < 0):
            raise FrameworkError(f"role '{rid}': 'due_days' must be a whole number of days")
        required.append(Requirement(_text(r, "module", f"role '{rid}' requirement"), due))
    if not targets and not required:
        raise FrameworkError(f"role '{rid}' has no targets and no required modules")
    title = _text(entry, "title", f"role '{rid}'", required=False) or rid
    return Role(rid, title, tuple(targets), tuple(required))


def parse_framework(data: object) -> Framework:
    """Validate a framework read from YAML or JSON.

    Raises:
        FrameworkError: on a missing or mistyped field, a duplicate id, an unknown competency,
            a competency that is its own prerequisite, or a prerequisite cycle (named).
    """
    if not isinstance(data, Mapping):
        raise FrameworkError("a framework is a mapping with 'competencies' and 'roles'")
    raw_comps, raw_roles = data.get("competencies") or [], data.get("roles") or []
    if not isinstance(raw_comps, list) or not isinstance(raw_roles, list):
        raise FrameworkError("'competencies' and 'roles' must be lists")
    comps = tuple(_competency(e, i) for i, e in enumerate(raw_comps))
    roles = tuple(_role(e, i) for i, e in enumerate(raw_roles))
    _check_unique([c.id for c in comps], "competency")
    _check_unique([r.id for r in roles], "role")
    known = {c.id for c in comps}
    for c in comps:
        _check_known(c.prerequisites, known, f"competency '{c.id}' prerequisite")
    for r in roles:
        _check_known([t.competency for t in r.targets], known, f"role '{r.id}' target")
    _check_acyclic({c.id: c.prerequisites for c in comps})
    return Framework(comps, roles)


def _check_unique(ids: Sequence[str], kind: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise FrameworkError(f"duplicate {kind} id '{i}'")
        seen.add(i)


def _check_known(ids: Sequence[str], known: set[str], where: str) -> None:
    for i in ids:
        if i not in known:
            raise FrameworkError(f"{where} '{i}' is not a competency of this framework")


def _check_acyclic(graph: Mapping[str, Sequence[str]]) -> None:
    state: dict[str, int] = {}
    for node in graph:
        cycle = _visit(node, graph, state, [])
        if cycle:
            if len(cycle) == 2:
                raise FrameworkError(f"competency '{cycle[0]}' is its own prerequisite")
            raise FrameworkError("prerequisite cycle: " + " -> ".join(cycle))


def _visit(
    node: str, graph: Mapping[str, Sequence[str]], state: dict[str, int], path: list[str]
) -> list[str]:
    if state.get(node) == 2:
        return []
    if state.get(node) == 1:
        return [*path[path.index(node) :], node]
    state[node] = 1
    for nxt in graph.get(node, ()):
        cycle = _visit(nxt, graph, state, [*path, node])
        if cycle:
            return cycle
    state[node] = 2
    return []
