"""Rank fusion arithmetic, module aggregation and near-duplicate removal."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retrieval.fusion import (
    aggregate_by_group,
    diversify_by_group,
    drop_near_duplicates,
    jaccard,
    max_normalise,
    reciprocal_rank_fusion,
    weighted_score_fusion,
)


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert max(fused, key=fused.__getitem__) == "b"


def test_rrf_weights_scale_each_list() -> None:
    fused = reciprocal_rank_fusion([["a"], ["b"]], k=10, weights=[1.0, 3.0])
    assert fused == pytest.approx({"a": 1 / 11, "b": 3 / 11})


def test_rrf_rejects_mismatched_weights() -> None:
    with pytest.raises(ValueError, match="2 weights for 1 rankings"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_weighted_fusion_normalises_each_list_by_its_maximum() -> None:
    dense = {"a": 0.8, "b": 0.4}
    lexical = {"b": 10.0, "c": 5.0}
    fused = weighted_score_fusion([dense, lexical], weights=[0.5, 1.0])
    assert fused == pytest.approx({"a": 0.5, "b": 0.25 + 1.0, "c": 0.5})


def test_max_normalise_leaves_all_zero_scores() -> None:
    assert max_normalise({"a": 0.0}) == {"a": 0.0}
    assert max_normalise({"a": 2.0, "b": 1.0}) == {"a": 1.0, "b": 0.5}


def test_aggregate_sums_best_members_per_group() -> None:
    scores = {"m1::0": 0.5, "m1::1": 0.3, "m1::2": 0.1, "m2::0": 0.6}
    grouped = aggregate_by_group(scores, lambda key: key.split("::")[0], top_m=2)
    assert grouped == pytest.approx({"m1": 0.8, "m2": 0.6})
    assert aggregate_by_group(scores, lambda key: key.split("::")[0], top_m=1)["m1"] == 0.5


def test_jaccard() -> None:
    assert jaccard(frozenset("ab"), frozenset("bc")) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset()) == 1.0


def test_near_duplicates_keep_the_better_ranked_copy() -> None:
    terms = {
        "x": frozenset({"book", "hotel", "early", "concur"}),
        "y": frozenset({"book", "hotel", "early", "concur"}),
        "z": frozenset({"book", "flight"}),
    }
    assert drop_near_duplicates(["y", "x", "z"], terms.__getitem__) == ["y", "z"]
    # jaccard(x, z) = 1/5: kept below a 0.25 threshold, dropped at 0.2.
    assert drop_near_duplicates(["x", "z"], terms.__getitem__, threshold=0.25) == ["x", "z"]
    assert drop_near_duplicates(["x", "z"], terms.__getitem__, threshold=0.2) == ["x"]


SCORES = {"a1": 1.0, "a2": 0.9, "b1": 0.8, "c1": 0.5}


def _group(key: str) -> str:
    return key[0]


def test_diversify_without_decay_keeps_the_score_order() -> None:
    picked = diversify_by_group(SCORES, _group, decay=1.0, limit=10)
    assert picked == [("a1", 1.0), ("a2", 0.9), ("b1", 0.8), ("c1", 0.5)]


def test_diversify_discounts_a_groups_later_items() -> None:
    picked = diversify_by_group(SCORES, _group, decay=0.8, limit=10)
    # a2 drops to 0.9 * 0.8 = 0.72: below b1 (0.8), still above c1 (0.5).
    assert [key for key, _ in picked] == ["a1", "b1", "a2", "c1"]
    assert [score for _, score in picked] == pytest.approx([1.0, 0.8, 0.72, 0.5])


def test_diversify_with_zero_decay_lists_one_item_per_group_first() -> None:
    picked = diversify_by_group(SCORES, _group, decay=0.0, limit=3)
    assert [key for key, _ in picked] == ["a1", "b1", "c1"]


def test_diversify_skips_duplicates_without_counting_them() -> None:
    def same_letter_twice(key: str, picked: Sequence[str]) -> bool:
        return key == "a2" and "a1" in picked

    picked = diversify_by_group(SCORES, _group, decay=1.0, limit=3, is_duplicate=same_letter_twice)
    assert [key for key, _ in picked] == ["a1", "b1", "c1"]
