"""The two-parameter logistic (2PL) model and grid-based Bayesian ability estimation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | Sequence[float] | FloatArray


def probability(theta: ArrayLike, *, a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Probability of a correct answer under the 2PL model, broadcasting over all arguments.

    Args:
        theta: Ability (logistic scale, population N(0, 1)).
        a: Discrimination.
        b: Difficulty.

    Returns:
        ``1 / (1 + exp(-a (theta - b)))`` with the broadcast shape of the inputs.
    """
    z = np.asarray(a, dtype=np.float64) * (
        np.asarray(theta, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    )
    # 0.5 * (1 + tanh(z / 2)) is the logistic function without overflow for large |z|.
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def information(theta: ArrayLike, *, a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Fisher information of a 2PL item, ``a^2 P (1 - P)``, broadcasting over all arguments."""
    p = probability(theta, a=a, b=b)
    return np.asarray(np.asarray(a, dtype=np.float64) ** 2 * p * (1.0 - p), dtype=np.float64)


def log_likelihood_terms(
    theta: ArrayLike, *, a: ArrayLike, b: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """``(log P, log(1 - P))`` computed stably, broadcasting over all arguments."""
    z = np.asarray(a, dtype=np.float64) * (
        np.asarray(theta, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    )
    return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)


@dataclass(frozen=True)
class AbilityGrid:
    """Evenly spaced quadrature nodes on which ability posteriors are held.

    Attributes:
        lower: Lowest node (logits).
        upper: Highest node (logits).
        points: Number of nodes; 81 on [-4, 4] gives a 0.1-logit spacing, which integrates
            the smooth 2PL posteriors to about four decimals.
    """

    lower: float = -4.0
    upper: float = 4.0
    points: int = 81

    def __post_init__(self) -> None:
        if self.points < 11 or not self.lower < self.upper:
            raise ValueError(
                f"ability grid needs at least 11 points and lower < upper, got "
                f"{self.points} points on [{self.lower}, {self.upper}]"
            )

    @cached_property
    def nodes(self) -> FloatArray:
        """The node positions, lowest first."""
        return np.linspace(self.lower, self.upper, self.points)

    @property
    def spacing(self) -> float:
        """Distance between neighbouring nodes."""
        return (self.upper - self.lower) / (self.points - 1)


@dataclass(frozen=True)
class AbilityEstimate:
    """A point estimate of ability with its uncertainty.

    Attributes:
        theta: Posterior mean (EAP) in logits.
        se: Posterior standard deviation, used as the standard error.
    """

    theta: float
    se: float


@dataclass(frozen=True)
class Posterior:
    """An ability posterior over a fixed grid, updated one answer at a time.

    The log density is kept unnormalised but shifted so its maximum is 0, which keeps the
    numbers small and lets a dialog store it as a plain list of floats in JSON.

    Attributes:
        log_density: Log posterior density at each grid node (up to a constant).
        grid: The grid the densities refer to.
    """

    log_density: tuple[float, ...]
    grid: AbilityGrid = AbilityGrid()

    def __post_init__(self) -> None:
        if len(self.log_density) != self.grid.points:
            raise ValueError(
                f"posterior has {len(self.log_density)} values but the grid has "
                f"{self.grid.points} points"
            )
        if not all(math.isfinite(v) for v in self.log_density):
            raise ValueError("posterior log density must be finite at every grid node")

    @classmethod
    def prior(
        cls, grid: AbilityGrid | None = None, *, mean: float = 0.0, sd: float = 1.0
    ) -> Posterior:
        """A normal prior N(mean, sd^2) over the grid."""
        g = grid or AbilityGrid()
        if sd <= 0:
            raise ValueError(f"prior standard deviation must be positive, got {sd}")
        return cls._from_array(-0.5 * ((g.nodes - mean) / sd) ** 2, g)

    @classmethod
    def _from_array(cls, log_density: FloatArray, grid: AbilityGrid) -> Posterior:
        shifted = log_density - float(np.max(log_density))
        return cls(tuple(float(v) for v in shifted), grid)

    @cached_property
    def array(self) -> FloatArray:
        """The log density as a numpy array."""
        return np.asarray(self.log_density, dtype=np.float64)

    @cached_property
    def weights(self) -> FloatArray:
        """Normalised posterior probabilities of the grid nodes (they sum to 1)."""
        w = np.exp(self.array)
        return np.asarray(w / w.sum(), dtype=np.float64)

    def update(self, *, a: float, b: float, correct: bool, weight: float = 1.0) -> Posterior:
        """The posterior after one more scored answer to an item with parameters (a, b).

        `weight` below 1 counts the answer as part of one (a tempered likelihood).
        """
        log_p, log_q = log_likelihood_terms(self.grid.nodes, a=a, b=b)
        return Posterior._from_array(self.array + weight * (log_p if correct else log_q), self.grid)

    def estimate(self) -> AbilityEstimate:
        """The EAP estimate and posterior standard deviation."""
        w, x = self.weights, self.grid.nodes
        mean = float(w @ x)
        return AbilityEstimate(theta=mean, se=math.sqrt(max(float(w @ (x - mean) ** 2), 0.0)))

    def probability_above(self, cut: float) -> float:
        """Posterior probability that ability exceeds ``cut`` (the mastery probability).

        Each node stands for the cell of one grid spacing around it, so the node whose cell
        contains the cut contributes the fraction of its cell that lies above it; this keeps
        the answer continuous in ``cut``.
        """
        h = self.grid.spacing
        above = np.clip((self.grid.nodes + h / 2 - cut) / h, 0.0, 1.0)
        return float(np.clip(self.weights @ above, 0.0, 1.0))
