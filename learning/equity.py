"""Equity of recommendations: rates per group of learners, and the gaps between groups.

Each learner counts once, whatever the length of their path: a group's rate is the mean of
its learners' rates. Groups smaller than `min_group` are listed as too small, without rates,
so a report never reveals one person's results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Metric = Literal["recommendation_rate", "exemption_rate", "completion_rate"]
METRICS: tuple[Metric, ...] = ("recommendation_rate", "exemption_rate", "completion_rate")
MIN_GROUP = 3


@dataclass(frozen=True)
class LearnerOutcome:
    """What was recommended to one learner, and what they did.

    Attributes:
        group: The learner's value of the attribute compared.
        considered: Steps of their latest recommended path.
        recommended: Of those, steps still to study when it was recommended.
        exempt: Of those, steps left out because of mastery, an exemption or a waiver.
        ever_recommended: Modules ever recommended to them as steps to study.
        completed: Of those, modules they completed.
    """

    group: str
    considered: int
    recommended: int
    exempt: int
    ever_recommended: int
    completed: int

    def rate(self, metric: Metric) -> float | None:
        """One of the learner's rates, None when it is undefined (nothing to divide by)."""
        if metric == "completion_rate":
            return self.completed / self.ever_recommended if self.ever_recommended else None
        if not self.considered:
            return None
        part = self.recommended if metric == "recommendation_rate" else self.exempt
        return part / self.considered


@dataclass(frozen=True)
class GroupRates:
    """One group's rates (None for a group too small to report, or with no data)."""

    group: str
    learners: int
    too_small: bool
    recommendation_rate: float | None
    exemption_rate: float | None
    completion_rate: float | None


@dataclass(frozen=True)
class Gap:
    """The spread of one rate across the groups large enough to compare."""

    metric: Metric
    highest: str
    lowest: str
    gap: float
    flagged: bool


@dataclass(frozen=True)
class EquityReport:
    """Rates per group and the gaps between them."""

    attribute: str
    threshold: float
    min_group: int
    groups: tuple[GroupRates, ...]
    gaps: tuple[Gap, ...]

    @property
    def flagged(self) -> bool:
        """Whether any gap exceeds the threshold."""
        return any(g.flagged for g in self.gaps)

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "attribute": self.attribute,
            "threshold": self.threshold,
            "min_group": self.min_group,
            "groups": [_round(vars(g)) for g in self.groups],
            "gaps": [_round(vars(g)) for g in self.gaps],
            "flagged": self.flagged,
        }


def _round(values: dict[str, object]) -> dict[str, object]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}


def equity_report(
    outcomes: Iterable[LearnerOutcome],
    *,
    attribute: str,
    threshold: float = 0.1,
    min_group: int = MIN_GROUP,
) -> EquityReport:
    """Compare recommendation, exemption and completion rates across groups.

    Args:
        outcomes: One per learner.
        attribute: The name of the attribute the groups are values of (for the report).
        threshold: A gap above this (0.1 = ten percentage points) is flagged.
        min_group: Groups with fewer learners are reported as too small and not compared.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the threshold must be between 0 and 1, got {threshold}")
    by_group: dict[str, _Tally] = {}
    for o in outcomes:  # one pass, a running tally per group: memory does not grow with learners
        by_group.setdefault(o.group, _Tally()).add(o)
    groups = tuple(by_group[name].rates(name, min_group) for name in sorted(by_group))
    gaps = tuple(g for m in METRICS if (g := _gap(m, groups, threshold)) is not None)
    return EquityReport(attribute, threshold, min_group, groups, gaps)


class _Tally:
    """A group's learners counted and each rate summed, as outcomes stream past."""

    def __init__(self) -> None:
        self.learners = 0
        self.sums = dict.fromkeys(METRICS, 0.0)
        self.counts = dict.fromkeys(METRICS, 0)

    def add(self, outcome: LearnerOutcome) -> None:
        self.learners += 1
        for m in METRICS:
            if (r := outcome.rate(m)) is not None:
                self.sums[m] += r
                self.counts[m] += 1

    def rates(self, name: str, min_group: int) -> GroupRates:
        if self.learners < min_group:
            return GroupRates(name, self.learners, True, None, None, None)
        rates = {m: self.sums[m] / self.counts[m] if self.counts[m] else None for m in METRICS}
        return GroupRates(
            name,
            self.learners,
            False,
            rates["recommendation_rate"],
            rates["exemption_rate"],
            rates["completion_rate"],
        )


def _gap(metric: Metric, groups: Sequence[GroupRates], threshold: float) -> Gap | None:
    rated = [(value, g.group) for g in groups if (value := getattr(g, metric)) is not None]
    if len(rated) < 2:
        return None
    (low, low_name), (high, high_name) = min(rated), max(rated)
    spread = high - low
    return Gap(metric, high_name, low_name, spread, spread > threshold + 1e-12)
