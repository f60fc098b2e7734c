"""L2-regularised logistic regression fitted by Newton's method (IRLS), with explanations.

Pure numpy: features are standardised with the training means and spreads (a constant feature
gets spread 1 and so a zero coefficient under the penalty), the intercept is not penalised,
and the penalty keeps the fit finite on separable data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Logistic:
    """A fitted model on standardised features.

    Attributes:
        names: Feature names, in column order.
        intercept: The intercept (log-odds of the mean learner).
        coef: One coefficient per standardised feature.
        means: Training mean of each feature.
        scales: Training standard deviation of each feature (1 for a constant one).
        iterations: Newton steps taken.
        converged: Whether the step fell below the tolerance.
    """

    names: tuple[str, ...]
    intercept: float
    coef: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    iterations: int = 0
    converged: bool = True

    def raw_coefficients(self) -> tuple[float, tuple[float, ...]]:
        """(intercept, coefficients) on the original, unstandardised feature scale."""
        raw = tuple(c / s for c, s in zip(self.coef, self.scales, strict=True))
        shift = sum(r * m for r, m in zip(raw, self.means, strict=True))
        return self.intercept - shift, raw

    def contributions(self, x: Sequence[float]) -> dict[str, float]:
        """Each feature's share of the log-odds, relative to the training mean learner."""
        return {
            n: c * (v - m) / s
            for n, c, v, m, s in zip(self.names, self.coef, x, self.means, self.scales, strict=True)
        }

    def predict(self, x: Sequence[float]) -> float:
        """The probability of the outcome for one feature vector."""
        return _sigmoid(self.intercept + sum(self.contributions(x).values()))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    *,
    names: Sequence[str],
    l2: float = 1.0,
    max_iter: int = 50,
    tol: float = 1e-8,
) -> Logistic:
    """Fit by Newton-Raphson on the penalised log-likelihood.

    Args:
        rows: One feature vector per example.
        labels: 0 or 1 per example.
        names: The feature names.
        l2: Ridge penalty on the standardised coefficients (not the intercept); > 0.
        max_iter: Newton steps at most.
        tol: Stop when the largest parameter change is below this.

    Raises:
        ValueError: no rows, mismatched lengths, labels other than 0/1, or l2 <= 0.
    """
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != len(names) or y.shape != (x.shape[0],):
        raise ValueError("rows, labels and names must agree and not be empty")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    if l2 <= 0:
        raise ValueError("l2 must be positive")
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-12] = 1.0
    design = np.column_stack([np.ones(len(y)), (x - means) / scales])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    converged, steps = False, 0
    while steps < max_iter:
        steps += 1
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -35, 35)))
        gradient = design.T @ (y - p) - penalty * beta
        # A tiny ridge on the intercept keeps the Hessian invertible when every label agrees.
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < tol:
            converged = True
            break
    return Logistic(
        names=tuple(names),
        intercept=float(beta[0]),
        coef=tuple(float(b) for b in beta[1:]),
        means=tuple(float(m) for m in means),
        scales=tuple(float(s) for s in scales),
        iterations=steps,
        converged=converged,
    )


def brier(predicted: Sequence[float], observed: Sequence[int]) -> float:
    """Mean squared difference between predicted probabilities and 0/1 outcomes."""
    if not predicted or len(predicted) != len(observed):
        raise ValueError("predictions and outcomes must agree and not be empty")
    return sum((p - o) ** 2 for p, o in zip(predicted, observed, strict=True)) / len(predicted)


@dataclass(frozen=True)
class Bin:
    """One calibration bin: how many, mean predicted, share observed."""

    count: int
    predicted: float
    observed: float


def calibration_table(
    predicted: Sequence[float], observed: Sequence[int], *, bins: int = 10
) -> list[Bin]:
    """Equal-count bins (deciles by default) of predictions sorted ascending."""
    pairs = sorted(zip(predicted, observed, strict=True))
    out = []
    for b in range(bins):
        chunk = pairs[b * len(pairs) // bins : (b + 1) * len(pairs) // bins]
        if chunk:
            out.append(
                Bin(
                    len(chunk),
                    sum(p for p, _ in chunk) / len(chunk),
                    sum(o for _, o in chunk) / len(chunk),
                )
            )
    return out
