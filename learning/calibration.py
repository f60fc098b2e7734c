"""Marginal maximum-likelihood calibration of 2PL item parameters from response matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from learning.irt import FloatArray
from learning.items import Item

# Slope and intercept bounds keep near-degenerate items (answered by few learners, almost
# all right) from running off to infinity; real items sit far inside them.
_A_BOUNDS = (-5.0, 10.0)
_D_BOUNDS = (-25.0, 25.0)
MIN_ITEMS = 3
# Fewer learners than this cannot separate an item's slope from its difficulty: refused.
MIN_LEARNERS = 20
# Below this the estimates are rough (2PL calibration wants a few hundred): a warning.
WARN_LEARNERS = 200


class CalibrationError(ValueError):
    """Response data that cannot be calibrated; the message names the item or problem."""


@dataclass(frozen=True)
class CalibrationResult:
    """Estimated 2PL parameters.

    Attributes:
        items: Item id -> (a, b) on the logistic scale with ability ~ N(0, 1).
        log_likelihood: Marginal log-likelihood of the data at the estimates.
        converged: Whether the optimiser met its convergence criterion.
        iterations: EM cycles plus quasi-Newton iterations used.
        excluded: Item id -> reason, for items left out (everyone right or everyone wrong).
        learners: Learners with at least one answer.
        warnings: What makes the estimates less trustworthy (a small sample).
    """

    items: Mapping[str, tuple[float, float]]
    log_likelihood: float
    converged: bool
    iterations: int
    excluded: Mapping[str, str]
    learners: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Data:
    right: FloatArray  # patterns x items: count-weighted indicator of a right answer
    wrong: FloatArray  # patterns x items: count-weighted indicator of a wrong answer
    counts: FloatArray  # learners per pattern
    nodes: FloatArray
    log_weights: FloatArray


def calibrate(
    responses: FloatArray,
    item_ids: Sequence[str],
    *,
    quadrature_points: int = 61,
    em_cycles: int = 200,
    tolerance: float = 1e-8,
) -> CalibrationResult:
    """Fit the 2PL model by marginal maximum likelihood with Gauss-Hermite quadrature.

    Bock-Aitkin EM cycles get close to the optimum robustly; L-BFGS on the marginal
    likelihood, with its exact gradient, then converges tightly (plain EM crawls on items
    with extreme difficulty such as LSAT6 item 1).

    Args:
        responses: Learners x items matrix of 1.0, 0.0 and NaN (not answered).
        item_ids: Ids of the columns.
        quadrature_points: Gauss-Hermite nodes for the N(0, 1) ability distribution.
        em_cycles: EM cycles at most before switching to L-BFGS.
        tolerance: Convergence tolerance (relative change of the log-likelihood).

    Raises:
        CalibrationError: Wrong shapes, values other than 0/1/NaN, duplicate ids, an item
            nobody answered, fewer than three items that can be calibrated, or answers from
            fewer than MIN_LEARNERS learners.
    """
    matrix = _validated(responses, item_ids)
    keep, excluded = _split_constant(matrix, item_ids)
    learners = int((~np.isnan(matrix)).any(axis=1).sum())
    if learners < MIN_LEARNERS:
        raise CalibrationError(
            f"answers from {learners} learners; calibration needs at least {MIN_LEARNERS} "
            f"(and {WARN_LEARNERS} or more for stable estimates), so nothing was estimated"
        )
    warnings: tuple[str, ...] = ()
    if learners < WARN_LEARNERS:
        warnings = (
            f"only {learners} learners answered: the estimates are rough; "
            f"{WARN_LEARNERS} or more are recommended",
        )
    data = _patterns(matrix[:, keep], quadrature_points)
    params = _initial(matrix[:, keep])
    params, cycles = _em(params, data, em_cycles, tolerance)
    result = minimize(
        lambda x: _objective(x, data),
        params.ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[_A_BOUNDS, _D_BOUNDS] * len(keep),
        options={"maxiter": 2000, "ftol": tolerance * 1e-2, "gtol": 1e-7},
    )
    slopes, intercepts = np.asarray(result.x, dtype=np.float64).reshape(-1, 2).T
    items = {
        item_ids[j]: (float(a), float(-d / a))
        for j, a, d in zip(keep, slopes, intercepts, strict=True)
    }
    return CalibrationResult(
        items=items,
        log_likelihood=-float(result.fun),
        converged=bool(result.success),
        iterations=cycles + int(result.nit),
        excluded=excluded,
        learners=learners,
        warnings=warnings,
    )


def apply_calibration(items: Sequence[Item], result: CalibrationResult) -> tuple[Item, ...]:
    """The items with calibrated (a, b) where the result has them, unchanged otherwise."""
    return tuple(
        item.with_params(a=result.items[item.id][0], b=result.items[item.id][1])
        if item.id in result.items
        else item
        for item in items
    )


def _validated(responses: FloatArray, item_ids: Sequence[str]) -> FloatArray:
    matrix = np.asarray(responses, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(item_ids):
        raise CalibrationError(
            f"responses must be a learners x items matrix with {len(item_ids)} columns, "
            f"got shape {matrix.shape}"
        )
    if len(set(item_ids)) != len(item_ids):
        raise CalibrationError("item ids must be unique")
    bad = ~(np.isnan(matrix) | (matrix == 0.0) | (matrix == 1.0))
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        value = float(matrix[row, col])
        raise CalibrationError(
            f"learner {row + 1}, item {item_ids[col]!r}: value {value!r} is not 1, 0 or missing"
        )
    for empty in np.flatnonzero(np.isnan(matrix).all(axis=0)):
        raise CalibrationError(
            f"item {item_ids[int(empty)]!r} has no answers and cannot be calibrated"
        )
    return matrix


def _split_constant(
    matrix: FloatArray, item_ids: Sequence[str]
) -> tuple[list[int], dict[str, str]]:
    keep: list[int] = []
    excluded: dict[str, str] = {}
    for j, item_id in enumerate(item_ids):
        seen = matrix[~np.isnan(matrix[:, j]), j]
        if seen.min() == seen.max():
            who = (
                "everyone answered it correctly" if seen[0] == 1 else "nobody answered it correctly"
            )
            excluded[item_id] = (
                f"{who} ({seen.size} answers), so its difficulty has no finite estimate"
            )
        else:
            keep.append(j)
    if len(keep) < MIN_ITEMS:
        raise CalibrationError(
            f"at least {MIN_ITEMS} items with both right and wrong answers are needed, found "
            f"{len(keep)}"
        )
    return keep, excluded


def _patterns(matrix: FloatArray, points: int) -> _Data:
    """Collapse identical response patterns; likelihoods are computed once per pattern."""
    coded = np.where(np.isnan(matrix), 2, matrix).astype(np.int8)
    unique, counts = np.unique(coded, axis=0, return_counts=True)
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    return _Data(
        right=(unique == 1).astype(np.float64),
        wrong=(unique == 0).astype(np.float64),
        counts=counts.astype(np.float64),
        nodes=np.asarray(nodes, dtype=np.float64),
        log_weights=np.log(weights / weights.sum()),
    )


def _initial(matrix: FloatArray) -> FloatArray:
    p = np.clip(np.nanmean(matrix, axis=0), 0.01, 0.99)
    # For a = 1 and ability ~ N(0, 1), the marginal logit is about the intercept / 1.2.
    return np.column_stack([np.ones_like(p), 1.2 * np.log(p / (1 - p))])


def _e_step(params: FloatArray, data: _Data) -> tuple[float, FloatArray, FloatArray]:
    """Marginal log-likelihood, expected right answers r and answers n at each node, per item."""
    z = params[:, :1] * data.nodes[None, :] + params[:, 1:]
    log_p, log_q = -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)
    log_joint = data.right @ log_p + data.wrong @ log_q + data.log_weights
    peak = log_joint.max(axis=1, keepdims=True)
    joint = np.exp(log_joint - peak)
    marginal = joint.sum(axis=1, keepdims=True)
    post = joint / marginal * data.counts[:, None]
    log_lik = float(data.counts @ (np.log(marginal[:, 0]) + peak[:, 0]))
    return log_lik, data.right.T @ post, (data.right + data.wrong).T @ post


def _objective(flat: FloatArray, data: _Data) -> tuple[float, FloatArray]:
    """Negative marginal log-likelihood and its gradient (Fisher's identity)."""
    params = flat.reshape(-1, 2)
    log_lik, r, n = _e_step(params, data)
    resid = r - n / (1.0 + np.exp(-(params[:, :1] * data.nodes + params[:, 1:])))
    grad = np.column_stack([resid @ data.nodes, resid.sum(axis=1)])
    return -log_lik, -grad.ravel()


def _em(params: FloatArray, data: _Data, cycles: int, tolerance: float) -> tuple[FloatArray, int]:
    previous = -np.inf
    for cycle in range(1, cycles + 1):
        log_lik, r, n = _e_step(params, data)
        params = _m_step(params, r=r, n=n, nodes=data.nodes)
        if abs(log_lik - previous) < tolerance * abs(log_lik):
            return params, cycle
        previous = log_lik
    return params, cycles


def _m_step(params: FloatArray, *, r: FloatArray, n: FloatArray, nodes: FloatArray) -> FloatArray:
    """One Newton step per item on the expected complete-data log-likelihood (concave in a, d)."""
    p = 1.0 / (1.0 + np.exp(-(params[:, :1] * nodes + params[:, 1:])))
    resid, w = r - n * p, n * p * (1 - p)
    g = np.column_stack([resid @ nodes, resid.sum(axis=1)])
    h11, h12, h22 = w @ nodes**2, w @ nodes, w.sum(axis=1)
    det = np.maximum(h11 * h22 - h12**2, 1e-12)
    step = np.column_stack(
        [(h22 * g[:, 0] - h12 * g[:, 1]) / det, (h11 * g[:, 1] - h12 * g[:, 0]) / det]
    )
    new = params + np.clip(step, -1.0, 1.0)
    return np.column_stack([np.clip(new[:, 0], *_A_BOUNDS), np.clip(new[:, 1], *_D_BOUNDS)])
