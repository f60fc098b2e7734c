"""Quiz items: the value objects shared by importers, the item bank and the adaptive engine."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

ItemKind = Literal["single", "multiple", "true_false"]
Difficulty = Literal["foundation", "intermediate", "advanced"]

DIFFICULTIES: tuple[Difficulty, ...] = ("foundation", "intermediate", "advanced")

# Starting 2PL parameters for an uncalibrated item, from its difficulty label. The spread of
# one logit per level matches what calibrated workplace quizzes typically show; calibration
# replaces these as soon as response data exists.
PRIOR_B: dict[Difficulty, float] = {"foundation": -1.0, "intermediate": 0.0, "advanced": 1.0}
PRIOR_A = 1.0


@dataclass(frozen=True)
class Option:
    """One answer option.

    Attributes:
        id: Stable option id within the item ("a", "b", ... or "true"/"false").
        text: What the learner sees.
        correct: Whether choosing it is (part of) the right answer.
        feedback: Shown after the learner picks it; may be empty.
    """

    id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Item:
    """A multiple-choice or true/false question with its 2PL parameters.

    Attributes:
        id: Unique item id in the bank.
        stem: The question text.
        kind: "single" (one correct option), "multiple" (several) or "true_false".
        options: The options, in display order.
        competency: The competency the item measures.
        module_id: The content module it belongs to, if any.
        difficulty: The author's difficulty label.
        explanation: General feedback shown after any answer.
        a: Discrimination on the logistic scale.
        b: Difficulty on the logistic scale.
        tags: Free-form tags from the source file.
        source_line: Line in the imported file where the item starts (0 if unknown).
    """

    id: str
    stem: str
    kind: ItemKind
    options: tuple[Option, ...]
    competency: str
    module_id: str | None = None
    difficulty: Difficulty = "intermediate"
    explanation: str = ""
    a: float = PRIOR_A
    b: float = PRIOR_B["intermediate"]
    tags: tuple[str, ...] = field(default_factory=tuple)
    source_line: int = 0

    @property
    def correct_ids(self) -> frozenset[str]:
        """The ids of the options that make up the right answer."""
        return frozenset(o.id for o in self.options if o.correct)

    def is_correct(self, chosen: frozenset[str]) -> bool:
        """Whether a set of chosen option ids is exactly the right answer."""
        return bool(chosen) and chosen == self.correct_ids

    def with_params(self, *, a: float, b: float) -> Item:
        """A copy of the item with calibrated parameters."""
        return replace(self, a=a, b=b)


def prior_params(difficulty: Difficulty) -> tuple[float, float]:
    """The starting (a, b) for an uncalibrated item with this label."""
    return PRIOR_A, PRIOR_B[difficulty]
