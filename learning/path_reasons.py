"""The wording of path reasons: one sentence per step, and the longer "Why?" explanation.

Kept together (like the profile's error texts) so the planner's wording stays consistent; the
chat's own strings live in `bot.core.messages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from learning.mastery import mastery_text
from learning.path_model import CompetencyPlan

REASONS = {
    "gap_role": "{competency} is a target of your role and {evidence}.",
    "gap_goal": "{competency} is one of your goals and {evidence}.",
    "gap_prereq": "{competency} is a prerequisite of {needed_by} and {evidence}.",
    "module_prereq": "Needed before {module}.",
    "required": "Required for your role{due}.",
    "assigned": "Assigned to you by your manager{due}.",
    "required_overdue": "Required for your role; it was due {due}.",
    "review": "A review of this module is due{due}.",
    "exempt": "Exempt: you showed you know {competency} (evidence {evidence}).",
    "mastered": "Not needed: your mastery of {competency} is {p} (the plan needs {needed}).",
    "completed": "Not needed: you completed every module of {competency}, which has no check.",
    "waived": "Required for your role, but waived by an admin (waiver {waiver}).",
    "waived_module": "Waived for you by your manager or an admin (waiver {waiver}).",
    "done": "Completed on {date}.",
    "unverified": "Marked done on {date} without its mastery check (not verified).",
}
NO_EVIDENCE = "nothing has measured it yet"
BELOW = "your mastery is {p}, below the {needed} the plan needs"
UNDECIDED = (
    "your mastery is {p}: not enough evidence to decide either way yet, so its modules stay "
    "(the plan needs {needed})"
)

DETAILS = {
    "role": "{competency} is a target of your role {role} at {level} level.",
    "goal": "{competency} is one of your personal goals (aiming for {level} level).",
    "prerequisite": "{competency} is a prerequisite of {needed_by}.",
    "no_evidence": "No quiz or mastery check has measured {competency} yet.",
    "measured": "Your probability of mastery of {competency} is {p}; the plan needs {needed}.",
    "exempt": "{competency} is exempt on evidence {evidence}.",
    "completed": (
        "{competency} has no questions in the item bank, so completing its modules meets it "
        "as a prerequisite; you completed them all."
    ),
    "needed_before": "It comes before {modules}, which build on it.",
    "needed_before_one": "It comes before {modules}, which builds on it.",
    "due": "It is due {due}, {days} days after you started as {role}.",
    "overdue": "It is overdue: it was due {due}, {days} days after you started as {role}.",
    "required_stays": (
        "Required modules stay in your path even when you know the topic, "
        "unless an admin waives them."
    ),
    "review": "It is due for a review since {due}, to keep what you learned fresh.",
    "alternative": "Chosen over {others} because {why}.",
    "alt_format": "you prefer {format}",
    "alt_done": "you already completed it",
    "alt_required": "your role requires this one",
    "alt_short": "it is the shortest",
    "shape": "Level {difficulty}, format {format}, about {minutes} minutes.",
    "skipped": "You skipped it for now; pass its mastery check to test out of it.",
}


def listing(names: Iterable[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    items = list(names)
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def day(at: datetime) -> str:
    """A date as the path shows it (ISO, unambiguous in every locale)."""
    return at.date().isoformat()


def percent(p: float) -> str:
    """A threshold as a whole percentage (a learner's mastery: `learning.mastery.mastery_text`)."""
    return f"{round(p * 100)}%"


def evidence_clause(plan: CompetencyPlan, threshold: float) -> str:
    """'nothing has measured it yet', 'your mastery is 15%, below the 80% ...', or, when the
    evidence decides neither way (the quiz's "not enough evidence yet"), that it stays
    undecided and the competency's modules stay in the path."""
    if plan.mastery is None:
        return plan.note or NO_EVIDENCE
    p, needed = mastery_text(plan.mastery), percent(threshold)
    if plan.mastery < threshold and 1.0 - plan.mastery < threshold:
        return UNDECIDED.format(p=p, needed=needed)
    return BELOW.format(p=p, needed=needed)


def gap_reason(plan: CompetencyPlan, *, threshold: float, titles: dict[str, str]) -> str:
    """The one-line reason for a module that closes a gap in `plan`'s competency."""
    evidence = evidence_clause(plan, threshold)
    if plan.origin == "prerequisite":
        needed_by = listing(titles.get(c, c) for c in plan.needed_by)
        return REASONS["gap_prereq"].format(
            competency=plan.title, needed_by=needed_by, evidence=evidence
        )
    key = "gap_role" if plan.origin == "role" else "gap_goal"
    return REASONS[key].format(competency=plan.title, evidence=evidence)


def competency_details(
    plan: CompetencyPlan, *, role: str, threshold: float, titles: dict[str, str]
) -> list[str]:
    """Why a competency is in the plan, and what is known about the learner's mastery."""
    if plan.origin == "prerequisite":
        needed_by = listing(titles.get(c, c) for c in plan.needed_by)
        lines = [DETAILS["prerequisite"].format(competency=plan.title, needed_by=needed_by)]
    else:
        lines = [DETAILS[plan.origin].format(competency=plan.title, role=role, level=plan.level)]
    if plan.standing == "exempt":
        lines.append(DETAILS["exempt"].format(competency=plan.title, evidence=plan.evidence))
    elif plan.standing == "completed":
        lines.append(DETAILS["completed"].format(competency=plan.title))
    elif plan.mastery is None and plan.note:
        lines.append(f"{plan.title}: {plan.note}.")
    elif plan.mastery is None:
        lines.append(DETAILS["no_evidence"].format(competency=plan.title))
    else:
        lines.append(
            DETAILS["measured"].format(
                competency=plan.title, p=mastery_text(plan.mastery), needed=percent(threshold)
            )
        )
    return lines
