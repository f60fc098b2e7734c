"""Mastery verdicts: what a probability of mastery allows us to say, honestly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["mastered", "not mastered", "undetermined"]


@dataclass(frozen=True)
class MasteryVerdict:
    """A decision about one competency and how sure it is.

    Attributes:
        verdict: "mastered" when P(mastery) reaches the threshold, "not mastered" when
            P(non-mastery) does, otherwise "undetermined".
        p_mastery: The probability the verdict rests on.
    """

    verdict: Verdict
    p_mastery: float

    @property
    def sure_percent(self) -> int:
        """How sure the verdict is, in whole percent, never rounded up and never 100.

        For "mastered" and "undetermined" this is the chance of mastery itself, the same
        number every other screen shows (`mastery_percent`).
        """
        p = self.p_mastery if self.verdict != "not mastered" else 1.0 - self.p_mastery
        return mastery_percent(p)


def mastery_percent(p: float) -> int:
    """P(mastery) in whole percent, as every screen shows it (quiz results, path, checks,
    progress, team reports, the home tab).

    Floored, never rounded up: 79.6% under an 80% threshold reads 79%, not a passing 80%;
    and never 100, since no finite evidence is certain.
    """
    # The epsilon keeps float noise (0.29 * 100 = 28.999...) from losing a whole percent.
    return min(99, max(0, math.floor(p * 100 + 1e-9)))


def mastery_text(p: float) -> str:
    """P(mastery) as shown in text: "35%"."""
    return f"{mastery_percent(p)}%"


def mastery_fraction(p: float) -> float:
    """P(mastery) for a progress bar, so the bar's own percentage shows `mastery_percent`."""
    return mastery_percent(p) / 100


def judge(p_mastery: float, *, threshold: float) -> MasteryVerdict:
    """The verdict for a probability of mastery under a mastery threshold in (0.5, 1).

    Raises:
        ValueError: The probability is outside [0, 1] or the threshold outside (0.5, 1).
    """
    if not 0.0 <= p_mastery <= 1.0:
        raise ValueError(f"probability of mastery must be in [0, 1], got {p_mastery}")
    if not 0.5 < threshold < 1.0:
        raise ValueError(f"mastery threshold must be in (0.5, 1), got {threshold}")
    if p_mastery >= threshold:
        return MasteryVerdict("mastered", p_mastery)
    if 1.0 - p_mastery >= threshold:
        return MasteryVerdict("not mastered", p_mastery)
    return MasteryVerdict("undetermined", p_mastery)
