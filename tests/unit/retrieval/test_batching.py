"""Batch planning for the ONNX embedder: longest first, under count and token budgets."""

from __future__ import annotations

from retrieval.onnx_embedder import plan_batches


def test_batches_respect_both_budgets_and_cover_every_text() -> None:
    lengths = [256, 10, 256, 12, 200, 11, 256, 9]
    batches = plan_batches(lengths, batch_size=3, max_batch_tokens=600)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) * max(lengths[i] for i in batch) <= 600
    # longest first: the three 256-token texts lead, two per run under 600 tokens
    assert batches[0] == [0, 2]
    assert batches[1] == [6, 4]


def test_short_texts_fill_a_batch_up_to_the_count_limit() -> None:
    batches = plan_batches([5] * 10, batch_size=4, max_batch_tokens=2048)
    assert [len(b) for b in batches] == [4, 4, 2]


def test_a_text_longer_than_the_token_budget_runs_alone() -> None:
    assert plan_batches([300, 300], batch_size=8, max_batch_tokens=256) == [[0], [1]]
