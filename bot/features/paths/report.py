"""Gathers what the equity report compares: per learner, what was recommended and completed."""

from __future__ import annotations

from collections.abc import Iterator

from bot.context import Services
from bot.storage.paths import PathRepository
from learning.equity import EquityReport, LearnerOutcome, equity_report
from learning.framework import Framework
from learning.path import resolve_role
from learning.path_model import ACTIONABLE
from learning.profile import Profile

NOT_SET = "(not set)"
ROLE_ATTRIBUTES = ("job_role", "role")
BATCH = 1000
# A learner's latest path steps and the modules ever recommended to them.
_Seen = tuple[str, list[dict[str, str]], set[str]]


def group_of(services: Services, learner_id: str, attribute: str) -> str:
    """The learner's value of `attribute`: their role, or a key of the profile's attributes."""
    return _group(services.framework.get(), services.profiles.get(learner_id), attribute)


def _group(framework: Framework, profile: Profile, attribute: str) -> str:
    if attribute in ROLE_ATTRIBUTES:
        role = resolve_role(framework, profile.job_role)
        return role.id if role else (profile.job_role or NOT_SET)
    return profile.attributes.get(attribute, "") or NOT_SET


def iter_outcomes(
    services: Services, repo: PathRepository, attribute: str, *, batch: int = BATCH
) -> Iterator[LearnerOutcome]:
    """One outcome per learner who was shown a path, streamed: path records come through a
    server-side cursor and profiles and progress are read a batch of learners at a time, so
    memory stays flat however many learners there are."""
    framework = services.framework.get()
    pending: list[_Seen] = []
    for learner_id, outputs in repo.latest_paths(batch=batch):
        # Keep only what the outcome needs: the latest steps and the modules ever recommended.
        latest = _steps(outputs[-1])
        ever = {s["module_id"] for out in outputs for s in _steps(out) if s["status"] in ACTIONABLE}
        pending.append((learner_id, latest, ever))
        if len(pending) >= batch:
            yield from _outcomes(services, repo, framework, attribute, pending)
            pending = []
    yield from _outcomes(services, repo, framework, attribute, pending)


def _outcomes(
    services: Services,
    repo: PathRepository,
    framework: Framework,
    attribute: str,
    pending: list[_Seen],
) -> Iterator[LearnerOutcome]:
    ids = [learner_id for learner_id, _, _ in pending]
    profiles = services.profiles.get_many(ids)
    done = repo.completed_many(ids)
    for learner_id, latest, ever in pending:
        yield LearnerOutcome(
            group=_group(framework, profiles[learner_id], attribute),
            considered=len(latest),
            recommended=sum(1 for s in latest if s["status"] in ACTIONABLE),
            exempt=sum(1 for s in latest if s["status"] == "exempt"),
            ever_recommended=len(ever),
            completed=len(ever & done[learner_id]),
        )


def _steps(output: dict[str, object]) -> list[dict[str, str]]:
    steps = output.get("steps")
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def equity(
    services: Services, repo: PathRepository, *, attribute: str, threshold: float
) -> tuple[EquityReport, int]:
    """The equity report over every learner shown a path, and the count of those never shown.

    Aggregated as the outcomes stream past: no list of learners is ever held.
    """
    shown = 0

    def counted() -> Iterator[LearnerOutcome]:
        nonlocal shown
        for outcome in iter_outcomes(services, repo, attribute):
            shown += 1
            yield outcome

    report = equity_report(counted(), attribute=attribute, threshold=threshold)
    return report, services.learners.count() - shown
