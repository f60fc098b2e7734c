"""The intake quiz's inputs: role priors from past learners, and which competencies to ask."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.context import Services
from bot.features.paths.service import path_service, preferences
from learning.cat import CatConfig, ItemBank
from learning.intake import EXEMPT_THRESHOLD, IntakePlan, Prior, exemptable_minutes, plan_intake
from learning.intake import role_prior as shrunk_prior
from learning.path import plan, resolve_role
from learning.path_model import LearnerState


def role_priors(services: Services, learner_id: str, competencies: list[str]) -> dict[str, Prior]:
    """The learner's role population's prior per competency (none without a known role)."""
    profile = services.profiles.get(learner_id)
    role = resolve_role(services.framework.get(), profile.job_role)
    if role is None:
        return {}
    pairs = services.mastery.role_estimates([role.id, role.title], competencies)
    return {c: shrunk_prior(pairs.get(c, [])) for c in competencies}


def full_path_minutes(services: Services, learner_id: str, *, now: datetime) -> dict[str, int]:
    """Exemptable minutes per competency on the learner's path planned with no evidence."""
    paths = path_service(services)
    path = plan(
        services.framework.get(),
        paths.catalogue(),
        LearnerState(),
        preferences(services.profiles.get(learner_id)),
        threshold=services.settings.mastery_threshold,
        now=now,
    )
    return exemptable_minutes(path)


def intake_plan(
    services: Services,
    learner_id: str,
    cuts: Mapping[str, float],
    *,
    config: CatConfig,
    now: datetime,
) -> tuple[IntakePlan, dict[str, int]]:
    """Which competencies the intake quiz asks (the skip rule), and the minutes it weighed."""
    bank = ItemBank(services.items.selection_bank(list(cuts)))
    priors = role_priors(services, learner_id, list(cuts))
    minutes = full_path_minutes(services, learner_id, now=now)
    found = plan_intake(cuts, priors, minutes, bank, config=config, threshold=EXEMPT_THRESHOLD)
    return found, minutes
