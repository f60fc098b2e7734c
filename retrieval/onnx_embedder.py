"""ONNX Runtime embedding backend: the exported encoder, the fast tokenizer, numpy pooling."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedding import (
    BATCH_SIZE,
    EMBEDDING_DIMENSION,
    MAX_TOKENS,
    default_thread_counts,
    l2_normalise,
    packaged_model_path,
)
from retrieval.onnx_export import ONNX_FILE_NAME, ensure_onnx_model, model_fingerprint

__all__ = ["ONNX_FILE_NAME", "OnnxEmbedder", "model_fingerprint"]

# Padded tokens per run. Long texts then go 8 to a run, short ones up to `batch_size`: on CPU,
# 32 texts of 256 tokens make attention matrices that spill the cache and measured ~25%
# slower per text than 8 (bench/bench_embed.py).
MAX_BATCH_TOKENS = 2048


def plan_batches(
    lengths: Sequence[int], *, batch_size: int, max_batch_tokens: int
) -> list[list[int]]:
    """Group text positions, longest first, into runs under both the count and token budgets."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for position in order:
        current = batches[-1] if batches else None
        # Sorted longest first, so the first text of a run sets its padded width.
        if (
            current is not None
            and len(current) < batch_size
            and (len(current) + 1) * lengths[current[0]] <= max_batch_tokens
        ):
            current.append(position)
        else:
            batches.append([position])
    return batches


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime (fp32, CPU) with the `tokenizers` fast tokenizer.

    Texts are sorted by token length and batched under a token budget, so little time goes
    into padding. Queries run on one session with `query_threads` intra-op threads; documents
    run as single-threaded batches on `bulk_workers` threads at once, which measured faster
    than one multi-threaded run at a time.

    Args:
        cache_dir: Folder for the exported model (e.g. `<home>/models`).
        model_path: Model folder; defaults to `packaged_model_path()`.
        query_threads: Intra-op threads for `embed_query` (1 keeps a server responsive).
        bulk_workers: Batches embedded concurrently by `embed_documents` (None: all cores).
        batch_size: Most texts per run.
        max_batch_tokens: Most padded tokens per run.
        max_tokens: Longer texts are truncated.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        model_path: Path | None = None,
        query_threads: int = 1,
        bulk_workers: int | None = None,
        batch_size: int = BATCH_SIZE,
        max_batch_tokens: int = MAX_BATCH_TOKENS,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self._cache_dir = cache_dir
        self._model_path = model_path
        self._query_threads = query_threads
        self._workers = bulk_workers or default_thread_counts()[1]
        self._batch_size = batch_size
        self._max_batch_tokens = max(max_batch_tokens, max_tokens)
        self._max_tokens = max_tokens
        self._sessions: dict[int, Any] = {}
        self._tokenizer: Any = None
        self._onnx_path: Path | None = None
        # Several request threads may embed the first question at once: one export, one
        # session per thread count.
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        """Length of each vector (384)."""
        return EMBEDDING_DIMENSION

    def _prepare(self) -> Path:
        with self._lock:
            return self._prepare_locked()

    def _prepare_locked(self) -> Path:
        if self._onnx_path is None:
            from tokenizers import Tokenizer

            model_path = self._model_path or packaged_model_path()
            onnx_path = ensure_onnx_model(model_path, self._cache_dir)
            tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
            tokenizer.no_padding()  # padding is per batch, to the longest text in it
            tokenizer.enable_truncation(max_length=self._max_tokens)
            self._tokenizer = tokenizer
            self._onnx_path = onnx_path  # last: other threads take a set path as ready
        return self._onnx_path

    def _session(self, threads: int) -> Any:
        path = self._prepare()
        with self._lock:
            return self._session_locked(threads, path)

    def _session_locked(self, threads: int, path: Path) -> Any:
        if threads not in self._sessions:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._sessions[threads] = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        return self._sessions[threads]

    def _run_batch(self, session: Any, encodings: Sequence[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(["last_hidden_state"], feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return l2_normalise(pooled)

    def _embed(self, texts: Sequence[str], *, threads: int, workers: int) -> np.ndarray:
        session = self._session(threads)
        encodings = self._tokenizer.encode_batch(list(texts))
        batches = plan_batches(
            [len(e.ids) for e in encodings],
            batch_size=self._batch_size,
            max_batch_tokens=self._max_batch_tokens,
        )

        def run(batch: list[int]) -> np.ndarray:
            return self._run_batch(session, [encodings[i] for i in batch])

        out = np.empty((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        if workers > 1 and len(batches) > 1:
            # onnxruntime releases the GIL and its sessions accept concurrent runs.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(run, batches))
        else:
            results = [run(batch) for batch in batches]
        for batch, vectors in zip(batches, results, strict=True):
            out[batch] = vectors
        return out

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts for indexing, `bulk_workers` batches at a time."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        return self._embed(texts, threads=1, workers=self._workers)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query with `query_threads` intra-op threads."""
        vector: np.ndarray = self._embed([text], threads=self._query_threads, workers=1)[0]
        return vector
