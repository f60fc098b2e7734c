"""Rank fusion, module-level aggregation and near-duplicate removal for hybrid retrieval."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[T]],
    *,
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> dict[T, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank) to its items (rank from 1).

    Args:
        rankings: Ranked lists of item keys, best first.
        k: The RRF constant; 60 is the value of Cormack et al. (2009).
        weights: One weight per list (default 1.0 each).

    Returns:
        Fused score per item (unordered).
    """
    weights = weights if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[T, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            fused[key] += weight / (k + rank)
    return dict(fused)


def max_normalise(scores: Mapping[T, float]) -> dict[T, float]:
    """Divide scores by the largest one (an empty or all-zero mapping stays as is)."""
    top = max(scores.values(), default=0.0)
    return dict(scores) if top <= 0 else {key: value / top for key, value in scores.items()}


def weighted_score_fusion(
    score_maps: Sequence[Mapping[T, float]],
    *,
    weights: Sequence[float],
    normalisers: Sequence[Callable[[Mapping[T, float]], Mapping[T, float]]] | None = None,
) -> dict[T, float]:
    """Weighted sum of per-list scores after normalising each list (default: by its maximum).

    Items missing from a list get 0 from it.
    """
    if len(weights) != len(score_maps):
        raise ValueError(f"{len(weights)} weights for {len(score_maps)} score lists")
    normalisers = normalisers or [max_normalise] * len(score_maps)
    fused: dict[T, float] = defaultdict(float)
    for scores, weight, normalise in zip(score_maps, weights, normalisers, strict=True):
        for key, value in normalise(scores).items():
            fused[key] += weight * value
    return dict(fused)


def aggregate_by_group(
    scores: Mapping[T, float],
    group_of: Callable[[T], str],
    *,
    top_m: int = 3,
) -> dict[str, float]:
    """Group score = sum of the `top_m` best item scores in the group (top_m=1 is max-pooling)."""
    members: dict[str, list[float]] = defaultdict(list)
    for key, value in scores.items():
        members[group_of(key)].append(value)
    return {group: sum(sorted(values, reverse=True)[:top_m]) for group, values in members.items()}


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def drop_near_duplicates(
    ranked: Sequence[T],
    terms_of: Callable[[T], frozenset[str]],
    *,
    threshold: float = 0.9,
) -> list[T]:
    """Keep ranked items whose term set is not `threshold`-similar to a better-ranked kept one."""
    kept: list[T] = []
    kept_terms: list[frozenset[str]] = []
    for item in ranked:
        terms = terms_of(item)
        if all(jaccard(terms, seen) < threshold for seen in kept_terms):
            kept.append(item)
            kept_terms.append(terms)
    return kept


def diversify_by_group(
    scores: Mapping[T, float],
    group_of: Callable[[T], str],
    *,
    decay: float,
    limit: int,
    is_duplicate: Callable[[T, Sequence[T]], bool] | None = None,
) -> list[tuple[T, float]]:
    """Greedy re-ranking that discounts items from groups already listed.

    Each pick takes the item with the best `score * decay ** (items already picked from its
    group)`; the adjusted scores of successive picks never increase. decay=1 keeps the plain
    order, decay=0 lists one item per group before any second one.

    Args:
        scores: Score per item.
        group_of: The item's group (e.g. its module).
        decay: Factor per item already picked from the same group, in [0, 1].
        limit: Number of items to return.
        is_duplicate: Called with a candidate and the items picked so far; True skips it.

    Returns:
        (item, adjusted score) pairs, best first.
    """
    remaining = dict(sorted(scores.items(), key=lambda item: (-item[1], str(item[0]))))
    counts: dict[str, int] = defaultdict(int)
    picked: list[tuple[T, float]] = []
    while remaining and len(picked) < limit:
        best = max(remaining, key=lambda key: remaining[key] * decay ** counts[group_of(key)])
        adjusted = remaining.pop(best) * decay ** counts[group_of(best)]
        if is_duplicate is not None and is_duplicate(best, [key for key, _ in picked]):
            continue
        picked.append((best, adjusted))
        counts[group_of(best)] += 1
    return picked
