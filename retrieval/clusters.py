"""Threshold clustering of question vectors on cosine similarity (content-gap groups).

Questions arrive one at a time and groups must not shift between calls, so this is the
incremental ("leader") form of threshold agglomeration: a question joins the group whose
centroid it is most similar to when that similarity reaches `GROUP_SIMILARITY`, else it
starts a group of its own. A centroid is the normalised mean of its members' vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# all-MiniLM-L6-v2 puts "When is payday?" and "what day do we get paid" at 0.76 and unrelated
# workplace questions below 0.35; 0.6 keeps rewordings together and topics apart.
GROUP_SIMILARITY = 0.6


def unit(vector: Sequence[float] | np.ndarray) -> np.ndarray:
    """The vector scaled to length 1 (a zero vector stays zero)."""
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def cosine(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Cosine similarity of two vectors."""
    return float(np.dot(unit(a), unit(b)))


def nearest(
    vector: Sequence[float] | np.ndarray,
    centroids: Sequence[Sequence[float]],
    *,
    threshold: float = GROUP_SIMILARITY,
) -> int | None:
    """The index of the centroid `vector` belongs to, or None when none is similar enough."""
    if not centroids:
        return None
    sims = np.asarray(centroids, dtype=np.float32) @ unit(vector)
    best = int(np.argmax(sims))
    return best if float(sims[best]) >= threshold else None


def merged(
    centroid: Sequence[float], size: int, vector: Sequence[float] | np.ndarray
) -> list[float]:
    """The centroid of a group of `size` members after `vector` joins it."""
    total = np.asarray(centroid, dtype=np.float32) * size + unit(vector)
    return [float(x) for x in unit(total)]
