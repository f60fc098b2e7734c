"""Choosing what goes into a path: planned competencies, then modules, alternatives, prerequisites.

See `learning.path` for the rules; this module holds the selection half of the planner.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from learning.framework import Competency, Framework, Requirement, Role
from learning.path_catalogue import Catalogue
from learning.path_model import (
    LEVEL_RANK,
    CatalogModule,
    CompetencyPlan,
    CompetencyStanding,
    LearnerState,
    Origin,
    Preferences,
)

GOAL_LEVEL = "intermediate"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_role(framework: Framework, text: str) -> Role | None:
    """The role whose id or title matches `text` (any letter case), if any."""
    key = _norm(text)
    return next((r for r in framework.roles if key in {_norm(r.id), _norm(r.title)}), None)


def resolve_competency(framework: Framework, text: str) -> Competency | None:
    """The competency whose id or title matches `text` (any letter case), if any."""
    key = _norm(text)
    return next((c for c in framework.competencies if key in {_norm(c.id), _norm(c.title)}), None)


def competency_order(framework: Framework) -> dict[str, int]:
    """Competency id -> rank in a stable topological order (prerequisites first)."""
    ranks: dict[str, int] = {}
    by_id = {c.id: c for c in framework.competencies}

    def visit(cid: str) -> None:
        if cid in ranks or cid not in by_id:
            return
        ranks[cid] = -1  # the framework is acyclic (checked on import); this guards re-entry
        for p in by_id[cid].prerequisites:
            visit(p)
        ranks[cid] = len([r for r in ranks.values() if r >= 0])

    for c in framework.competencies:
        visit(c.id)
    return ranks


def ancestors(framework: Framework, competency: str) -> set[str]:
    """Every competency that is a prerequisite of `competency`, directly or not."""
    by_id = {c.id: c for c in framework.competencies}
    seen: set[str] = set()
    stack = list(by_id[competency].prerequisites) if competency in by_id else []
    while stack:
        cid = stack.pop()
        if cid not in seen and cid in by_id:
            seen.add(cid)
            stack.extend(by_id[cid].prerequisites)
    return seen


@dataclass
class Pick:
    """A module chosen for the path and what it was chosen for (mutable while selecting)."""

    module: CatalogModule
    teaches: list[str] = field(default_factory=list)
    requirement: Requirement | None = None
    needed_by: list[str] = field(default_factory=list)
    review: bool = False
    chosen_over: tuple[str, ...] = ()
    choice: str = ""


@dataclass(frozen=True)
class PlanInputs:
    """Everything the planner works from, once checked."""

    framework: Framework
    catalogue: Catalogue
    state: LearnerState
    prefs: Preferences
    threshold: float
    now: datetime
    role: Role | None
    comps: dict[str, CompetencyPlan]


def standing(
    competency: str, state: LearnerState, threshold: float
) -> tuple[CompetencyStanding, float | None, str]:
    """(gap|mastered|exempt, probability of mastery or None, evidence id or "")."""
    p = state.mastery.get(competency)
    if competency in state.exemptions:
        return "exempt", p, state.exemptions[competency]
    if p is not None and p >= threshold:
        return "mastered", p, ""
    return "gap", p, ""


def plan_competencies(
    framework: Framework,
    role: Role | None,
    goals: Sequence[str],
    state: LearnerState,
    threshold: float,
    notices: list[str],
    *,
    catalogue: Catalogue | None = None,
    assessed: Collection[str] | None = None,
) -> dict[str, CompetencyPlan]:
    """Targets of the role and goals, then prerequisites of the gaps, in framework order.

    A prerequisite is met by mastery or exemption on evidence (a passed check or the
    diagnostic); one with no items in the bank (not in `assessed`, when that is known) can
    never be measured, so it is met instead by completing its modules (`completed_modules`).
    """
    levels: dict[str, str] = {}
    origins: dict[str, Origin] = {}
    for t in role.targets if role else ():
        levels[t.competency] = _higher(levels.get(t.competency), t.level)
        origins[t.competency] = "role"
    for goal in goals:
        comp = resolve_competency(framework, goal)
        if comp is None:
            notices.append(f"goal '{goal}' is not a competency of the framework; ignored")
            continue
        levels[comp.id] = _higher(levels.get(comp.id), GOAL_LEVEL)
        origins.setdefault(comp.id, "goal")
    needed_by: dict[str, list[str]] = {}
    for cid in list(levels):
        if standing(cid, state, threshold)[0] != "gap":
            continue
        for prereq in sorted(ancestors(framework, cid)):
            needed_by.setdefault(prereq, []).append(cid)
            if prereq not in levels:
                levels[prereq] = "foundation"
                origins[prereq] = "prerequisite"
    plans: dict[str, CompetencyPlan] = {}
    for comp in framework.competencies:
        if comp.id in levels:
            mark, p, evidence = standing(comp.id, state, threshold)
            if (
                mark == "gap"
                and origins[comp.id] == "prerequisite"
                and catalogue is not None
                and assessed is not None
                and comp.id not in assessed
                and completed_modules(catalogue, comp.id, levels[comp.id], state, role)
            ):
                mark = "completed"
            needs = tuple(needed_by.get(comp.id, ())) if origins[comp.id] == "prerequisite" else ()
            plans[comp.id] = CompetencyPlan(
                comp.id,
                comp.title,
                levels[comp.id],
                origins[comp.id],
                mark,
                p,
                evidence,
                needs,
                state.unmeasured.get(comp.id, "") if p is None else "",
            )
    return plans


def completed_modules(
    catalogue: Catalogue, competency: str, level: str, state: LearnerState, role: Role | None
) -> bool:
    """Whether the learner completed every module teaching `competency` up to `level` that
    their role sees (one of each group of alternatives is enough); False with no modules."""
    groups = {
        catalogue.alternatives(m.id)
        for m in catalogue.modules.values()
        if competency in m.competencies
        and LEVEL_RANK[m.difficulty] <= LEVEL_RANK[level]
        and visible(m, role)
    }
    return bool(groups) and all(any(m in state.completed for m in g) for g in groups)


def _higher(current: str | None, level: str) -> str:
    if current is None or LEVEL_RANK[level] > LEVEL_RANK[current]:
        return level
    return current


def visible(module: CatalogModule, role: Role | None) -> bool:
    return not module.audience or (role is not None and role.id in module.audience)


def select(inputs: PlanInputs, warnings: list[str]) -> dict[str, Pick]:
    cat, comps, role = inputs.catalogue, inputs.comps, inputs.role
    picks: dict[str, Pick] = {}
    for m in cat.modules.values():
        teaches = [
            c
            for c in m.competencies
            if c in comps and LEVEL_RANK[m.difficulty] <= LEVEL_RANK[comps[c].level]
        ]
        if teaches and visible(m, role):
            picks[m.id] = Pick(m, teaches=teaches)
    for req in role.required_modules if role else ():
        if req.module in cat.modules:
            picks.setdefault(req.module, Pick(cat.modules[req.module])).requirement = req
        else:
            warnings.append(f"required module '{req.module}' is not in the library")
    for module_id, due_at in inputs.state.assigned.items():
        if module_id not in cat.modules:
            warnings.append(f"assigned module '{module_id}' is not in the library")
            continue
        pick = picks.setdefault(module_id, Pick(cat.modules[module_id]))
        if pick.requirement is None or pick.requirement.due_days is None:
            pick.requirement = Requirement(module_id, due_at=due_at, assigned=True)
    picks = _merge_alternatives(inputs, picks)
    _pull_prerequisites(inputs, picks)
    _add_reviews(inputs, picks)
    return picks


def _representative(
    inputs: PlanInputs, group: Sequence[str], required: set[str]
) -> tuple[str, str]:
    """The module kept of a group of alternatives, and why (a DETAILS key)."""
    cat, state = inputs.catalogue, inputs.state
    done = [m for m in group if m in state.completed]
    if done:
        return min(done, key=lambda m: (state.completed[m], cat.position[m])), "alt_done"
    req = [m for m in group if m in required]
    if req:
        return req[0], "alt_required"
    shortest = sorted(group, key=lambda m: (cat.modules[m].minutes, cat.position[m]))
    liked = [m for m in shortest if cat.modules[m].format == inputs.prefs.preferred_format]
    if liked:
        return liked[0], "alt_format"
    return shortest[0], "alt_short"


def _merge_alternatives(inputs: PlanInputs, picks: dict[str, Pick]) -> dict[str, Pick]:
    required = {mid for mid, p in picks.items() if p.requirement is not None}
    merged: dict[str, Pick] = {}
    cat = inputs.catalogue
    for mid, pick in picks.items():
        group = [
            m for m in cat.alternatives(mid) if m in picks or visible(cat.modules[m], inputs.role)
        ]
        keep, why = (
            (mid, "alt_required") if mid in required else _representative(inputs, group, required)
        )
        if keep not in merged:
            others = tuple(m for m in group if m != keep and m not in required)
            merged[keep] = picks.get(keep) or Pick(cat.modules[keep], teaches=list(pick.teaches))
            if others:
                merged[keep].chosen_over, merged[keep].choice = others, why
        target = merged[keep]
        target.teaches += [c for c in pick.teaches if c not in target.teaches]
    return merged


def _to_study(inputs: PlanInputs, pick: Pick) -> bool:
    """Whether the learner will study the module (only then do its prerequisites matter)."""
    mid, state = pick.module.id, inputs.state
    if mid in state.completed or mid in state.waivers:
        return False
    if pick.requirement is not None:
        return True
    comps = pick.teaches or list(pick.module.competencies)
    return not comps or any(standing(c, state, inputs.threshold)[0] == "gap" for c in comps)


def _pull_prerequisites(inputs: PlanInputs, picks: dict[str, Pick]) -> None:
    cat = inputs.catalogue
    required = {mid for mid, p in picks.items() if p.requirement is not None}
    queue = [mid for mid, pick in picks.items() if _to_study(inputs, pick)]
    while queue:
        mid = queue.pop(0)
        for prereq in cat.modules[mid].prerequisites:
            group = cat.alternatives(prereq)
            present = [m for m in group if m in picks]
            keep = present[0] if present else _representative(inputs, group, required)[0]
            if keep == mid:
                continue
            if keep not in picks:
                picks[keep] = Pick(cat.modules[keep])
                if _to_study(inputs, picks[keep]):
                    queue.append(keep)
            if mid not in picks[keep].needed_by:
                picks[keep].needed_by.append(mid)


def _add_reviews(inputs: PlanInputs, picks: dict[str, Pick]) -> None:
    cat, state = inputs.catalogue, inputs.state
    for mid, due in state.reviews_due.items():
        module = cat.modules.get(mid)
        if module is None or mid not in state.completed or due > inputs.now:
            continue
        if mid in picks:
            picks[mid].review = True
        elif set(module.competencies) & set(inputs.comps):
            picks[mid] = Pick(module, review=True)
