"""The two embedding backends on real handbook text: shape, normalisation and ONNX parity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import EMBEDDING_DIMENSION, TorchEmbedder
from retrieval.onnx_embedder import ONNX_FILE_NAME, OnnxEmbedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def handbook_texts(shared_data: Path) -> list[str]:
    """Paragraphs of a few handbook pages, one long text past the token limit, short queries."""
    pages = sorted((shared_data / "handbook-18f" / "corpus" / "pages").rglob("*.md"))[:6]
    paragraphs = [p for page in pages for p in page.read_text().split("\n\n") if len(p) > 40]
    long_text = " ".join(paragraphs)[:6000]
    return [*paragraphs[:40], long_text, "How do I book travel?", "Tock", "é"]


def test_onnx_matches_torch(
    torch_embedder: TorchEmbedder, onnx_embedder: OnnxEmbedder, handbook_texts: list[str]
) -> None:
    reference = torch_embedder.embed_documents(handbook_texts)
    candidate = onnx_embedder.embed_documents(handbook_texts)
    assert candidate.shape == reference.shape == (len(handbook_texts), EMBEDDING_DIMENSION)
    assert candidate.dtype == np.float32
    cosines = np.sum(reference * candidate, axis=1)
    assert cosines.min() >= 0.9999


def test_vectors_are_unit_length_and_queries_match_documents(
    onnx_embedder: OnnxEmbedder, torch_embedder: TorchEmbedder
) -> None:
    texts = ["Where do I submit my timesheet?", "Vacation and sick leave rules"]
    for embedder in (onnx_embedder, torch_embedder):
        documents = embedder.embed_documents(texts)
        np.testing.assert_allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(embedder.embed_query(texts[0]), documents[0], atol=1e-5)
        assert embedder.embed_documents([]).shape == (0, EMBEDDING_DIMENSION)


def test_similar_texts_are_closer_than_unrelated_ones(onnx_embedder: OnnxEmbedder) -> None:
    query = onnx_embedder.embed_query("How do I request time off?")
    leave, pasta = onnx_embedder.embed_documents(
        ["Request annual leave from your supervisor.", "Boil the pasta for nine minutes."]
    )
    assert float(query @ leave) > float(query @ pasta) + 0.2


def test_the_onnx_export_is_reused(onnx_embedder: OnnxEmbedder, onnx_cache: Path) -> None:
    onnx_embedder.embed_query("warm up")
    exported = onnx_cache / ONNX_FILE_NAME
    stamp = exported.stat().st_mtime_ns
    again = OnnxEmbedder(onnx_cache)
    np.testing.assert_allclose(
        again.embed_query("reuse"), onnx_embedder.embed_query("reuse"), atol=1e-6
    )
    assert exported.stat().st_mtime_ns == stamp


def test_threads_embedding_the_first_query_at_once_share_one_export(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    embedder = OnnxEmbedder(tmp_path / "fresh-cache")
    with ThreadPoolExecutor(max_workers=4) as pool:
        vectors = list(pool.map(embedder.embed_query, ["leave", "leave", "badge", "badge"]))
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)
    assert list((tmp_path / "fresh-cache").glob("*.tmp")) == []
    assert len(list((tmp_path / "fresh-cache").glob("*.onnx"))) == 1
