"""Turning selected modules into steps: status, reason, explanation, order and sessions.

See `learning.path` for the rules; this module holds the second half of the planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from learning.framework import Requirement
from learning.mastery import mastery_text
from learning.path_model import (
    LEVEL_RANK,
    CatalogModule,
    CompetencyPlan,
    ReasonKind,
    Step,
    StepStatus,
)
from learning.path_order import Key, order_steps
from learning.path_reasons import (
    DETAILS,
    REASONS,
    competency_details,
    day,
    gap_reason,
    listing,
    percent,
)
from learning.path_select import Pick, PlanInputs, ancestors, competency_order, standing

INF = float("inf")


@dataclass(frozen=True)
class _Verdict:
    status: StepStatus
    kind: ReasonKind
    reason: str
    due_at: datetime | None = None
    background: str = ""


def _due(inputs: PlanInputs, req: Requirement) -> datetime | None:
    if req.assigned:
        return req.due_at
    if req.due_days is None:
        return None
    return (inputs.state.role_since or inputs.now) + timedelta(days=req.due_days)


def _competencies_of(inputs: PlanInputs, pick: Pick) -> list[CompetencyPlan]:
    ids = pick.teaches or list(pick.module.competencies)
    out = []
    for cid in ids:
        if cid in inputs.comps:
            out.append(inputs.comps[cid])
        else:
            mark, p, evidence = standing(cid, inputs.state, inputs.threshold)
            title = next((c.title for c in inputs.framework.competencies if c.id == cid), cid)
            out.append(CompetencyPlan(cid, title, "foundation", "prerequisite", mark, p, evidence))
    return out


def _verdict(inputs: PlanInputs, pick: Pick, titles: Mapping[str, str]) -> _Verdict:
    state, mid = inputs.state, pick.module.id
    review_at = state.reviews_due.get(mid)
    if pick.requirement is not None and mid not in state.waivers:
        return _required_verdict(inputs, pick.requirement, state.completed.get(mid), review_at)
    if pick.review and review_at is not None:
        due = f" since {day(review_at)}"
        return _Verdict("due", "review", REASONS["review"].format(due=due), review_at)
    base = _base_verdict(inputs, pick, titles)
    if mid not in state.completed:
        return base
    return _done(base, state.completed[mid], unverified=mid in state.unverified)


def _done(verdict: _Verdict, at: datetime, *, unverified: bool = False) -> _Verdict:
    """A completed step says when it was done; why it was planned moves to the explanation."""
    status: StepStatus = "unverified" if unverified else "done"
    text = REASONS[status].format(date=day(at))
    return replace(verdict, status=status, reason=text, background=verdict.reason)


def _required_verdict(
    inputs: PlanInputs, req: Requirement, done: datetime | None, review_at: datetime | None
) -> _Verdict:
    due_at = _due(inputs, req)
    when = f", due {day(due_at)}" if due_at else ""
    why = "assigned" if req.assigned else "required"
    if done is not None:
        if review_at is not None and review_at <= inputs.now:
            text = REASONS["review"].format(due=f" since {day(review_at)}")
            return _Verdict("due", "review", text, review_at)
        verdict = _Verdict("done", "required", REASONS[why].format(due=when), due_at)
        return _done(verdict, done, unverified=req.module in inputs.state.unverified)
    if due_at is not None and due_at < inputs.now:
        text = REASONS["required_overdue"].format(due=day(due_at))
        return _Verdict("overdue", "required", text, due_at)
    return _Verdict("due" if due_at else "todo", "required", REASONS[why].format(due=when), due_at)


def _base_verdict(inputs: PlanInputs, pick: Pick, titles: Mapping[str, str]) -> _Verdict:
    waiver = inputs.state.waivers.get(pick.module.id)
    if waiver is not None:
        key = "waived" if pick.requirement is not None else "waived_module"
        return _Verdict("exempt", "waived", REASONS[key].format(waiver=waiver))
    comps = _competencies_of(inputs, pick)
    gaps = [c for c in comps if c.standing == "gap"]
    comp_titles = {c.id: c.title for c in inputs.framework.competencies}
    if pick.teaches and gaps:
        text = gap_reason(gaps[0], threshold=inputs.threshold, titles=comp_titles)
        kind: ReasonKind = "prerequisite" if gaps[0].origin == "prerequisite" else "gap"
        return _Verdict("todo", kind, text)
    if gaps or not comps:
        module = listing(titles[m] for m in pick.needed_by) or "other steps"
        return _Verdict("todo", "prerequisite", REASONS["module_prereq"].format(module=module))
    first = comps[0]
    if first.standing == "completed":
        return _Verdict("exempt", "exempt", REASONS["completed"].format(competency=first.title))
    if first.standing == "exempt":
        text = REASONS["exempt"].format(competency=first.title, evidence=first.evidence)
        return _Verdict("exempt", "exempt", text)
    p = mastery_text(first.mastery or 0.0)
    text = REASONS["mastered"].format(competency=first.title, p=p, needed=percent(inputs.threshold))
    return _Verdict("exempt", "mastered", text)


def _urgency(verdict: _Verdict, skipped: bool) -> Key:
    due = verdict.due_at.timestamp() if verdict.due_at else INF
    if verdict.status == "overdue":
        return (0, due)
    if verdict.status == "due":
        return (1 if verdict.kind == "review" else 2, due)
    if verdict.kind == "required" and verdict.status == "todo":
        return (3, INF)
    return (5, INF) if skipped and verdict.status == "todo" else (4, INF)


def ordered_steps(
    inputs: PlanInputs, picks: dict[str, Pick], warnings: list[str]
) -> tuple[list[Step], int]:
    framework, cat = inputs.framework, inputs.catalogue
    ranks = competency_order(framework)
    titles = {mid: p.module.title for mid, p in picks.items()}
    verdicts = {mid: _verdict(inputs, p, titles) for mid, p in picks.items()}
    skipped = {
        mid
        for mid in picks
        if mid in inputs.state.skipped
        and picks[mid].requirement is None
        and verdicts[mid].status == "todo"
    }
    primary = {mid: _primary(p.module, ranks) for mid, p in picks.items()}
    lineage = {c: ancestors(framework, c) for c in set(primary.values()) if c}
    prereqs: dict[str, list[str]] = {}
    for mid in picks:
        earlier = lineage.get(primary[mid], set())
        # A skipped module may wait past later competencies: the learner says they know it.
        by_comp = [n for n in picks if primary[n] in earlier and n not in skipped]
        by_module = [
            alt
            for prereq in cat.modules[mid].prerequisites
            for alt in cat.alternatives(prereq)
            if alt in picks and alt != mid
        ]
        prereqs[mid] = by_module + [n for n in by_comp if n not in by_module]
    base: dict[str, Key] = {
        mid: (
            ranks.get(primary[mid], len(ranks)),
            LEVEL_RANK[p.module.difficulty],
            cat.position[mid],
        )
        for mid, p in picks.items()
    }
    urgency = {mid: _urgency(verdicts[mid], mid in skipped) for mid in picks}
    order, dropped = order_steps(list(picks), prereqs, base=base, urgency=urgency)
    for node, prereq in dropped:
        warnings.append(
            f"the prerequisites of '{node}' and '{prereq}' form a cycle; "
            f"'{node}' is not held back for '{prereq}'"
        )
    steps = [
        _step(inputs, picks[mid], verdicts[mid], titles, skipped=mid in skipped) for mid in order
    ]
    return _sessions(steps, inputs.prefs.session_minutes)


def _primary(module: CatalogModule, ranks: Mapping[str, int]) -> str:
    known = [c for c in module.competencies if c in ranks]
    return known[0] if known else ""


def _sessions(steps: list[Step], limit: int) -> tuple[list[Step], int]:
    session, used, out = 0, 0, []
    for step in steps:
        if not step.actionable:
            out.append(step)
            continue
        if session == 0 or (used > 0 and used + step.minutes > limit):
            session, used = session + 1, 0
        used += step.minutes
        out.append(replace(step, session=session))
    return out, session


def _step(
    inputs: PlanInputs, pick: Pick, verdict: _Verdict, titles: Mapping[str, str], *, skipped: bool
) -> Step:
    m = pick.module
    return Step(
        module_id=m.id,
        title=m.title,
        minutes=max(m.minutes, 0),
        format=m.format,
        difficulty=m.difficulty,
        competencies=m.competencies,
        summary=m.summary,
        url=m.url,
        reason_kind=verdict.kind,
        reason=verdict.reason,
        status=verdict.status,
        due_at=verdict.due_at,
        required=pick.requirement is not None,
        skipped=skipped,
        needed_by=tuple(titles[n] for n in pick.needed_by),
        details=_details(inputs, pick, verdict, titles, skipped=skipped),
    )


def _details(
    inputs: PlanInputs, pick: Pick, verdict: _Verdict, titles: Mapping[str, str], *, skipped: bool
) -> tuple[str, ...]:
    comp_titles = {c.id: c.title for c in inputs.framework.competencies}
    role_title = inputs.role.title if inputs.role else ""
    lines = [verdict.reason, *([verdict.background] if verdict.background else [])]
    for comp in _competencies_of(inputs, pick):
        for line in competency_details(
            comp, role=role_title, threshold=inputs.threshold, titles=comp_titles
        ):
            if line not in lines:
                lines.append(line)
    lines += _requirement_details(inputs, pick, verdict, role_title)
    if pick.needed_by:
        names = listing(titles[n] for n in pick.needed_by)
        key = "needed_before" if len(pick.needed_by) > 1 else "needed_before_one"
        lines.append(DETAILS[key].format(modules=names))
    if pick.chosen_over:
        others = ", ".join(
            f"{inputs.catalogue.modules[o].title} ({inputs.catalogue.modules[o].format})"
            for o in pick.chosen_over
        )
        why = DETAILS[pick.choice].format(format=inputs.prefs.preferred_format)
        lines.append(DETAILS["alternative"].format(others=others, why=why))
    m = pick.module
    lines.append(
        DETAILS["shape"].format(difficulty=m.difficulty, format=m.format, minutes=m.minutes)
    )
    if skipped and verdict.status == "todo":
        lines.append(DETAILS["skipped"])
    return tuple(lines)


def _requirement_details(
    inputs: PlanInputs, pick: Pick, verdict: _Verdict, role_title: str
) -> list[str]:
    lines: list[str] = []
    if pick.requirement is not None and verdict.kind != "waived":
        due_at = _due(inputs, pick.requirement)
        if due_at is not None and not pick.requirement.assigned:
            key = "overdue" if verdict.status == "overdue" else "due"
            lines.append(
                DETAILS[key].format(
                    due=day(due_at), days=pick.requirement.due_days, role=role_title
                )
            )
        if any(c.standing != "gap" for c in _competencies_of(inputs, pick)):
            lines.append(DETAILS["required_stays"])
    if verdict.kind == "review" and verdict.due_at is not None:
        lines.append(DETAILS["review"].format(due=day(verdict.due_at)))
    return lines
