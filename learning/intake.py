"""The intake diagnostic's policy: role priors, which competencies to ask, "I'm new to this".

Pure functions over values. The feature layer reads past learners' estimates and the
learner's full path, and passes them in; the quiz dialog and the efficacy benchmark run the
same functions, so the benchmark measures the intake quiz as shipped.

**Role priors (empirical Bayes).** A competency's prior for a learner of some role is the
distribution of that role's past learners' ability estimates on it, shrunk toward the
neutral prior N(0, 1) while there are few of them: with n learners (at least
`MIN_LEARNERS`, else the neutral prior), w = n / (n + `PRIOR_STRENGTH`),

    mean = w * m,      sd^2 = w * (s^2 + se^2) + (1 - w) * 1,

where m and s^2 are the mean and variance of their estimates and se^2 the mean of their
squared standard errors (EAP estimates are shrunk toward their own prior, so s^2 alone
underestimates the spread of true ability). The sd never drops below `MIN_PRIOR_SD`.

**The skip rule.** A competency is asked only if its expected saving, the minutes of its
(non-required) modules on the learner's full path times the prior chance of an exemption,
is at least the expected cost of asking, the expected number of items times 30 s.

**"I'm new to this".** A self-report ends a competency's questions and never exempts: the
competency leaves the diagnostic (`drop_competency`), so no result, ability or exemption
comes of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from learning.cat import CatConfig, CatState, CompetencyPosterior, ItemBank
from learning.cat_bank import Pool
from learning.cat_progress import expected_remaining
from learning.irt import AbilityGrid, FloatArray, Posterior, information
from learning.path_model import Path

MIN_LEARNERS = 10
"""Past learners of a role needed before their estimates move the prior at all."""
PRIOR_STRENGTH = 20.0
"""The neutral prior counts as this many learners in the shrinkage weight."""
MIN_PRIOR_SD = 0.5
"""A role prior is never narrower than this (logits): the quiz must still be able to move it."""
SECONDS_PER_ITEM = 30.0
"""What one question costs a learner, for the skip rule."""
EXEMPT_THRESHOLD = 0.95
"""Probability of mastery the intake quiz asks for before it stops on "mastered", and that the
skip rule projects an exemption needs (stricter than the planner's 0.8: an intake quiz asks
few items, and a wrong exemption costs a whole competency)."""


@dataclass(frozen=True)
class Prior:
    """A normal prior on one competency's ability.

    Attributes:
        mean: Prior mean (logits).
        sd: Prior standard deviation.
        learners: Past learners it rests on (0 for the neutral prior).
    """

    mean: float = 0.0
    sd: float = 1.0
    learners: int = 0


NEUTRAL = Prior()


@dataclass(frozen=True)
class IntakePlan:
    """Which competencies the intake quiz asks, and which it leaves out.

    Attributes:
        asked: Competency id -> cut score, in presentation order.
        skipped: Competencies not asked: their modules are short next to the questions.
        priors: The prior of every competency asked.
    """

    asked: Mapping[str, float]
    skipped: tuple[str, ...]
    priors: Mapping[str, Prior]


def role_prior(
    estimates: Sequence[tuple[float, float]],
    *,
    min_learners: int = MIN_LEARNERS,
    strength: float = PRIOR_STRENGTH,
) -> Prior:
    """The empirical-Bayes prior from past learners' (estimate, standard error) pairs.

    Non-finite pairs are ignored. See the module docstring for the formula.
    """
    clean = [(t, s) for t, s in estimates if math.isfinite(t) and math.isfinite(s) and s >= 0]
    n = len(clean)
    if n < max(min_learners, 2):
        return NEUTRAL
    thetas = [t for t, _ in clean]
    m = sum(thetas) / n
    spread = sum((t - m) ** 2 for t in thetas) / (n - 1)
    noise = sum(s * s for _, s in clean) / n
    w = n / (n + strength)
    sd = math.sqrt(w * (spread + noise) + (1.0 - w) * NEUTRAL.sd**2)
    return Prior(mean=w * m, sd=max(sd, MIN_PRIOR_SD), learners=n)


def chance_of_exemption(
    posterior: Posterior, cut: float, infos: FloatArray, *, threshold: float
) -> float:
    """The chance that asking the competency's best remaining items ends in an exemption.

    After those items the posterior's sd would be about sd_k = 1 / sqrt(1/se^2 + sum of
    their information at the cut); an exemption then needs the estimate at least
    z(threshold) * sd_k above the cut. The chance is the current probability of ability
    above that level.
    """
    est = posterior.estimate()
    precision = 1.0 / max(est.se, 1e-9) ** 2 + float(np.sum(infos))
    needed = cut + float(ndtri(threshold)) / math.sqrt(precision)
    return posterior.probability_above(needed)


def _infos(pool: Pool, cut: float, used: frozenset[str], n: int) -> FloatArray:
    free = np.array([i not in used for i in pool.ids], dtype=bool)
    infos = np.sort(information(cut, a=pool.a[free], b=pool.b[free]))[::-1]
    return infos[: max(n, 0)]


def start_state(
    cuts: Mapping[str, float], priors: Mapping[str, Prior], *, grid: AbilityGrid | None = None
) -> CatState:
    """A fresh diagnostic whose competencies start from their own priors (neutral if absent)."""
    if not cuts:
        return CatState.start(cuts)  # raises the diagnostic's own error
    tracks = []
    for competency, cut in cuts.items():
        p = priors.get(competency, NEUTRAL)
        tracks.append(
            CompetencyPosterior(competency, float(cut), Posterior.prior(grid, mean=p.mean, sd=p.sd))
        )
    return CatState(tuple(tracks))


def expected_items(state: CatState, competency: str, bank: ItemBank, *, config: CatConfig) -> int:
    """Items the diagnostic would probably still ask on one competency."""
    track = state.track(competency)
    alone = CatState((track,), tuple(x for x in state.answers if x.competency == competency))
    return expected_remaining(alone, bank, config=config)


def worth_asking(*, minutes: float, chance: float, items: float) -> bool:
    """The skip rule: ask when minutes x chance of exemption >= items x 30 s."""
    return minutes * chance >= items * SECONDS_PER_ITEM / 60.0


def still_worth_asking(
    state: CatState,
    competency: str,
    minutes: float,
    bank: ItemBank,
    *,
    config: CatConfig,
    threshold: float,
) -> bool:
    """The skip rule for one competency of a diagnostic, at its start or after any answer."""
    track = state.track(competency)
    left = config.max_items - state.items_used(competency)
    infos = _infos(bank.pool(competency), track.cut, state.administered, left)
    if infos.size == 0:
        return False
    chance = chance_of_exemption(track.posterior, track.cut, infos, threshold=threshold)
    items = max(expected_items(state, competency, bank, config=config), 1)
    return worth_asking(minutes=minutes, chance=chance, items=items)


def exemptable_minutes(path: Path) -> dict[str, int]:
    """Minutes per competency of the path's modules an exemption would remove.

    Required modules stay whatever the learner knows, so they do not count.
    """
    minutes: dict[str, int] = {}
    for step in path.steps:
        if step.actionable and not step.required:
            for comp in step.competencies:
                minutes[comp] = minutes.get(comp, 0) + step.minutes
    return minutes


def plan_intake(
    cuts: Mapping[str, float],
    priors: Mapping[str, Prior],
    minutes: Mapping[str, int],
    bank: ItemBank,
    *,
    config: CatConfig,
    threshold: float,
) -> IntakePlan:
    """Apply the skip rule to every competency before the first question (may skip all).

    Args:
        cuts: Candidate competencies -> cut score, in presentation order.
        priors: The learner's role prior per competency (neutral when absent).
        minutes: Exemptable minutes per competency on the learner's full path.
        bank: The items the quiz would draw from.
        config: The intake quiz's diagnostic settings.
        threshold: Probability of mastery an exemption needs.
    """
    fresh = start_state(cuts, priors) if cuts else None
    asked = {
        c: cut
        for c, cut in cuts.items()
        if fresh is not None
        and still_worth_asking(
            fresh, c, minutes.get(c, 0), bank, config=config, threshold=threshold
        )
    }
    skipped = tuple(c for c in cuts if c not in asked)
    return IntakePlan(
        asked=asked, skipped=skipped, priors={c: priors.get(c, NEUTRAL) for c in asked}
    )


def closed_competencies(
    state: CatState,
    minutes: Mapping[str, int],
    bank: ItemBank,
    *,
    config: CatConfig,
    threshold: float,
    planner_threshold: float,
) -> frozenset[str]:
    """Competencies no longer worth a question: an exemption became too unlikely to pay.

    A competency whose probability of mastery sits between the planner's threshold (where
    the path already drops its modules) and the intake's `threshold` stays open: more
    evidence comes before such an exemption, not less.
    """
    return frozenset(
        t.competency
        for t in state.competencies
        if t.posterior.probability_above(t.cut) < min(threshold, planner_threshold)
        and not still_worth_asking(
            state,
            t.competency,
            minutes.get(t.competency, 0),
            bank,
            config=config,
            threshold=threshold,
        )
    )


def without(bank: ItemBank, competencies: frozenset[str]) -> ItemBank:
    """The bank minus some competencies' items (closed ones get no more questions)."""
    if not competencies:
        return bank
    return ItemBank(tuple(i for i in bank.items if i.competency not in competencies))


def drop_competency(state: CatState, competency: str) -> CatState | None:
    """The diagnostic without one competency ("I'm new to this"); None if none is left."""
    tracks = tuple(t for t in state.competencies if t.competency != competency)
    if not tracks:
        return None
    answers = tuple(a for a in state.answers if a.competency != competency)
    return CatState(tracks, answers)
