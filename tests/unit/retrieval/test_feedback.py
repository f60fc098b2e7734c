"""The feedback adjustment's bounds and decay (pure maths; the model-backed tests are in
tests/integration/test_feedback_loop.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retrieval.clusters import merged, nearest
from retrieval.feedback import HALF_LIFE, Adjustment, adjusted, decay, factors
from retrieval.hybrid import Hit

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _hit(chunk: str, module: str, section: str, score: float) -> Hit:
    return Hit(chunk, module, section, "", 0, 0, "text", score, None, None)


def test_decay_halves_every_half_life_and_never_exceeds_one() -> None:
    assert decay(timedelta(0)) == 1.0
    assert decay(HALF_LIFE) == pytest.approx(0.5)
    assert decay(HALF_LIFE * 3) == pytest.approx(0.125)
    assert decay(-HALF_LIFE) == 1.0, "a clock that moved back counts as new, never more"


@pytest.mark.parametrize("count", [1, 10, 10_000])
def test_no_number_of_adjustments_pushes_a_score_below_zero_or_above_its_own(count: int) -> None:
    adjustments = [Adjustment("m", "s", (1.0, 0.0), NOW) for _ in range(count)]
    factor = factors((1.0, 0.0), adjustments, now=NOW)
    hits = [_hit("a", "m", "s", 0.8), _hit("b", "n", "s", 0.3), _hit("c", "m", "s", -0.1)]
    out = {h.chunk_id: h.score for h in adjusted(hits, factor)}
    assert 0 < out["a"] < 0.8
    assert out["b"] == 0.3
    assert out["c"] == 0.0, "never below zero"
    assert all(out[h.chunk_id] <= max(h.score, 0.0) for h in hits), "never above its own"


def test_a_factor_out_of_range_is_clamped() -> None:
    hits = [_hit("a", "m", "s", 0.5)]
    assert adjusted(hits, {("m", "s"): 3.0})[0].score == 0.5
    assert adjusted(hits, {("m", "s"): -2.0})[0].score == 0.0


def test_only_similar_questions_are_adjusted() -> None:
    adjustments = [Adjustment("m", "s", (1.0, 0.0), NOW)]
    assert factors((0.0, 1.0), adjustments, now=NOW) == {}
    assert factors((1.0, 0.1), adjustments, now=NOW) == {("m", "s"): pytest.approx(0.5)}


def test_threshold_clustering_joins_near_vectors_and_keeps_far_ones_apart() -> None:
    centroid = [1.0, 0.0]
    assert nearest([0.9, 0.2], [centroid]) == 0
    assert nearest([0.2, 0.9], [centroid]) is None
    assert nearest([1.0, 0.0], []) is None
    joined = merged(centroid, 1, [0.0, 1.0])
    assert joined == pytest.approx([2**-0.5, 2**-0.5])
