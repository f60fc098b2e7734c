"""The state of an adaptive diagnostic, as immutable values that round-trip through JSON."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from learning.irt import AbilityGrid, Posterior

STATE_VERSION = 1


class CatStateError(ValueError):
    """A diagnostic state or answer that cannot be used; the message names the problem."""


@dataclass(frozen=True)
class Answer:
    """One answered item.

    Attributes:
        item_id: The item asked.
        competency: The competency it counted towards.
        response: True (correct), False (wrong) or None ("I don't know", scored as wrong).
    """

    item_id: str
    competency: str
    response: bool | None


@dataclass(frozen=True)
class CompetencyPosterior:
    """The ability posterior for one competency under test.

    Attributes:
        competency: The competency.
        cut: Ability (logits) above which the competency counts as mastered.
        posterior: The grid posterior after the answers so far.
    """

    competency: str
    cut: float
    posterior: Posterior


@dataclass(frozen=True)
class CatState:
    """An adaptive diagnostic in progress.

    Attributes:
        competencies: One posterior per competency under test, in presentation order.
        answers: Every answer so far, in the order given.
    """

    competencies: tuple[CompetencyPosterior, ...]
    answers: tuple[Answer, ...] = ()

    @classmethod
    def start(
        cls,
        cut_scores: Mapping[str, float],
        *,
        grid: AbilityGrid | None = None,
        prior_mean: float = 0.0,
        prior_sd: float = 1.0,
    ) -> CatState:
        """A fresh diagnostic over the competencies in ``cut_scores`` (competency -> cut)."""
        if not cut_scores:
            raise CatStateError("a diagnostic needs at least one competency")
        prior = Posterior.prior(grid, mean=prior_mean, sd=prior_sd)
        return cls(
            tuple(CompetencyPosterior(c, float(cut), prior) for c, cut in cut_scores.items())
        )

    @cached_property
    def administered(self) -> frozenset[str]:
        """Ids of the items asked so far."""
        return frozenset(a.item_id for a in self.answers)

    @cached_property
    def _counts(self) -> Counter[str]:
        return Counter(a.competency for a in self.answers)

    def items_used(self, competency: str) -> int:
        """Number of items answered for one competency."""
        return self._counts[competency]

    def track(self, competency: str) -> CompetencyPosterior:
        """The posterior of one competency.

        Raises:
            CatStateError: The competency is not part of this diagnostic.
        """
        for t in self.competencies:
            if t.competency == competency:
                return t
        raise CatStateError(f"competency {competency!r} is not part of this diagnostic")

    def with_answer(self, answer: Answer, posterior: Posterior) -> CatState:
        """A new state with one more answer and its competency's updated posterior."""
        tracks = tuple(
            replace(t, posterior=posterior) if t.competency == answer.competency else t
            for t in self.competencies
        )
        return CatState(tracks, (*self.answers, answer))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `from_dict` restores an equal state."""
        grid = self.competencies[0].posterior.grid
        return {
            "version": STATE_VERSION,
            "grid": {"lower": grid.lower, "upper": grid.upper, "points": grid.points},
            "competencies": [
                {
                    "competency": t.competency,
                    "cut": t.cut,
                    "log_posterior": list(t.posterior.log_density),
                }
                for t in self.competencies
            ],
            "answers": [[a.item_id, a.competency, a.response] for a in self.answers],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CatState:
        """Rebuild a state from `to_dict` output (for example after a JSON round trip).

        Raises:
            CatStateError: The data is not a valid saved diagnostic; the message says which
                field is wrong.
        """
        try:
            if data["version"] != STATE_VERSION:
                raise CatStateError(f"unsupported diagnostic state version {data['version']!r}")
            g = data["grid"]
            grid = AbilityGrid(float(g["lower"]), float(g["upper"]), int(g["points"]))
            tracks = tuple(_track_from_dict(t, grid) for t in data["competencies"])
            answers = tuple(_answer_from_list(a) for a in data["answers"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, CatStateError):
                raise
            raise CatStateError(f"saved diagnostic state is invalid: {exc!r}") from exc
        return _validated(cls(tracks, answers))


def _track_from_dict(data: Mapping[str, Any], grid: AbilityGrid) -> CompetencyPosterior:
    cut = float(data["cut"])
    if not math.isfinite(cut):
        raise CatStateError(f"cut score of {data['competency']!r} is not a finite number")
    posterior = Posterior(tuple(float(v) for v in data["log_posterior"]), grid)
    return CompetencyPosterior(str(data["competency"]), cut, posterior)


def _answer_from_list(data: Any) -> Answer:
    item_id, competency, response = data
    if response is not None and not isinstance(response, bool):
        raise CatStateError(f"answer to item {item_id!r} must be true, false or null")
    return Answer(str(item_id), str(competency), response)


def _validated(state: CatState) -> CatState:
    names = [t.competency for t in state.competencies]
    if not names:
        raise CatStateError("saved diagnostic state has no competencies")
    if len(set(names)) != len(names):
        raise CatStateError("saved diagnostic state lists a competency twice")
    if len(state.administered) != len(state.answers):
        raise CatStateError("saved diagnostic state lists an item twice")
    unknown = {a.competency for a in state.answers} - set(names)
    if unknown:
        raise CatStateError(f"saved answers refer to unknown competencies {sorted(unknown)}")
    return state
