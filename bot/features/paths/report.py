"""Gathers what the equity report compares: per learner, what was recommended and completed."""

from __future__ import annotations

from bot.context import Services
from bot.storage.paths import PathRepository
from learning.equity import EquityReport, LearnerOutcome, equity_report
from learning.path import resolve_role
from learning.path_model import ACTIONABLE

NOT_SET = "(not set)"
ROLE_ATTRIBUTES = ("job_role", "role")


def group_of(services: Services, learner_id: str, attribute: str) -> str:
    """The learner's value of `attribute`: their role, or a key of the profile's attributes."""
    profile = services.profiles.get(learner_id)
    if attribute in ROLE_ATTRIBUTES:
        role = resolve_role(services.framework.get(), profile.job_role)
        return role.id if role else (profile.job_role or NOT_SET)
    return profile.attributes.get(attribute, "") or NOT_SET


def outcomes(
    services: Services, repo: PathRepository, attribute: str
) -> tuple[list[LearnerOutcome], int]:
    """One outcome per learner who was shown a path, and how many learners never were."""
    by_learner: dict[str, list[dict[str, object]]] = {}
    for record in repo.recommendations(kind="path"):
        by_learner.setdefault(record.learner_id, []).append(record.output)
    result = []
    for learner_id, outputs in by_learner.items():
        latest = _steps(outputs[-1])
        ever = {s["module_id"] for out in outputs for s in _steps(out) if s["status"] in ACTIONABLE}
        done = {p.module_id for p in repo.progress(learner_id) if p.completed_at is not None}
        result.append(
            LearnerOutcome(
                group=group_of(services, learner_id, attribute),
                considered=len(latest),
                recommended=sum(1 for s in latest if s["status"] in ACTIONABLE),
                exempt=sum(1 for s in latest if s["status"] == "exempt"),
                ever_recommended=len(ever),
                completed=len(ever & done),
            )
        )
    return result, len(services.learners.all_ids()) - len(by_learner)


def _steps(output: dict[str, object]) -> list[dict[str, str]]:
    steps = output.get("steps")
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def equity(
    services: Services, repo: PathRepository, *, attribute: str, threshold: float
) -> tuple[EquityReport, int]:
    """The equity report over every learner shown a path, and the count of those never shown."""
    found, missing = outcomes(services, repo, attribute)
    return equity_report(found, attribute=attribute, threshold=threshold), missing
