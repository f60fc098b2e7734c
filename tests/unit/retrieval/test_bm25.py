"""BM25: score arithmetic, ranking, masks, title weighting and persistence."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from retrieval.bm25 import BM25Index, BM25Params
from retrieval.errors import IndexMismatchError

DOCS = {
    "a": "cat dog",
    "b": "cat cat bird",
    "c": "bird fish frog",
}


def _index(params: BM25Params | None = None) -> BM25Index:
    return BM25Index.build(ids=list(DOCS), bodies=list(DOCS.values()), params=params)


def test_scores_follow_the_okapi_formula() -> None:
    k1, b = 1.2, 0.75
    index = _index(BM25Params(k1=k1, b=b))
    lengths = {"a": 2, "b": 3, "c": 3}
    average = sum(lengths.values()) / 3
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))  # "cat" is in two of three documents

    def expected(tf: int, length: int) -> float:
        return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))

    scores = index.scores("cat")
    assert scores == pytest.approx([expected(1, 2), expected(2, 3), 0.0], rel=1e-5)


def test_rare_terms_weigh_more_than_common_ones() -> None:
    index = _index()
    top = index.top("dog bird", 3)
    # "dog" occurs once in the corpus, "bird" twice: the dog document wins.
    assert next(index.ids[i] for i, _ in top) == "a"


def test_top_returns_only_matching_documents_best_first() -> None:
    index = _index()
    top = index.top("frog", 10)
    assert [index.ids[i] for i, _ in top] == ["c"]
    assert index.top("unicorn", 10) == []


def test_mask_excludes_documents() -> None:
    index = _index()
    mask = np.array([True, False, True])
    ranked = [index.ids[i] for i, _ in index.top("cat", 10, mask=mask)]
    assert ranked == ["a"]
    assert index.scores("cat", mask=mask)[1] == -np.inf


def test_repeated_query_terms_count_twice() -> None:
    index = _index()
    assert index.scores("frog frog")[2] == pytest.approx(2 * index.scores("frog")[2])


def test_stemming_matches_inflected_query() -> None:
    bodies = ["Submit travel vouchers promptly.", "Parking rules."]
    stemmed = BM25Index.build(ids=["v", "p"], bodies=bodies)
    plain = BM25Index.build(ids=["v", "p"], bodies=bodies, params=BM25Params(use_stemming=False))
    assert stemmed.top("voucher", 1)[0][0] == 0
    assert plain.top("voucher", 1) == []


def test_title_terms_weigh_by_title_weight() -> None:
    bodies = ["Rules for meals.", "Rules for meals."]
    titles = ["Per diem", ""]
    weighted = BM25Index.build(
        ids=["t", "u"], bodies=bodies, titles=titles, params=BM25Params(title_weight=3.0)
    )
    ranked = weighted.top("per diem meals", 2)
    assert [weighted.ids[i] for i, _ in ranked] == ["t", "u"]
    unweighted = BM25Index.build(
        ids=["t", "u"], bodies=bodies, titles=titles, params=BM25Params(title_weight=0.0)
    )
    assert unweighted.scores("diem")[0] == 0.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = _index(BM25Params(k1=1.5, b=0.6))
    path = tmp_path / "idx" / "bm25.npz"
    index.save(path)
    loaded = BM25Index.load(path, expected_version=index.version)
    assert loaded.ids == index.ids
    assert loaded.params == index.params
    np.testing.assert_allclose(loaded.scores("cat bird"), index.scores("cat bird"))


def test_load_rejects_other_content(tmp_path: Path) -> None:
    path = tmp_path / "bm25.npz"
    _index().save(path)
    other = BM25Index.version_for(ids=["a"], bodies=["something else"])
    with pytest.raises(IndexMismatchError, match=r"bm25\.npz"):
        BM25Index.load(path, expected_version=other)


def test_version_depends_on_ids_and_text() -> None:
    base = BM25Index.version_for(ids=["a", "b"], bodies=["x", "y"])
    assert base == _version(["a", "b"], ["x", "y"])
    assert base != _version(["a", "c"], ["x", "y"])
    assert base != _version(["a", "b"], ["x", "z"])


def _version(ids: list[str], bodies: list[str]) -> str:
    return BM25Index.build(ids=ids, bodies=bodies).version


def test_unknown_share_counts_terms_the_library_never_uses() -> None:
    bodies = [f"policy number{n} leave request approval" for n in range(1200)]
    index = BM25Index.build(ids=[str(n) for n in range(1200)], bodies=bodies)
    assert index.unknown_share("leave request") == 0.0
    assert index.unknown_share("wifi password leave request") == 0.5
    assert index.unknown_share("") == 0.0


def test_unknown_share_is_silent_for_a_small_library() -> None:
    index = BM25Index.build(ids=["a"], bodies=["claim expenses in Ledger"])
    assert index.unknown_share("how long to file my expenses") == 0.0
