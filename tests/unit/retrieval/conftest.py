"""Fixtures for retrieval tests: a tiny library of chunks, a hashing embedder, the real models."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from content_index.model import Chunk, ModuleMeta
from retrieval.embedding import TorchEmbedder, l2_normalise
from retrieval.onnx_embedder import OnnxEmbedder
from retrieval.text import tokenize


class HashingEmbedder:
    """A cheap bag-of-stems embedder (feature hashing), so search tests need no model."""

    dimension = 384

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for term in tokenize(text):
            slot = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big")
            vector[slot % self.dimension] += 1.0
        return vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return l2_normalise(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


LIBRARY: dict[str, tuple[ModuleMeta, list[tuple[str, str]]]] = {
    "travel": (
        ModuleMeta(id="travel", title="Travel guide", source="pages/travel.md"),
        [
            ("Booking", "Book flights and hotels in Concur. Lodging must be booked early."),
            ("Vouchers", "File a travel voucher within five days after your trip ends."),
        ],
    ),
    "leave": (
        ModuleMeta(id="leave", title="Leave policies", source="pages/leave.md"),
        [
            ("Sick leave", "Request sick leave in the payroll system when you are ill."),
            ("Parental leave", "Parental leave gives twelve weeks of paid leave after a birth."),
        ],
    ),
    "sales-playbook": (
        ModuleMeta(
            id="sales-playbook",
            title="Sales playbook",
            audience=("sales",),
            source="pages/sales.md",
            url="https://example.org/sales",
        ),
        [
            (
                "Discounts",
                "Sales staff may approve discounts on hotel contracts up to ten percent.",
            ),
            ("Pipeline", "Update the pipeline every Friday before the review."),
        ],
    ),
    "security": (
        ModuleMeta(id="security", title="Security basics", audience=("engineering", "support")),
        [("Passwords", "Use a password manager and never reuse a password.")],
    ),
}


def library_chunks() -> tuple[list[Chunk], dict[str, ModuleMeta]]:
    """Chunks (one per section) and module metadata of `LIBRARY`."""
    chunks: list[Chunk] = []
    modules: dict[str, ModuleMeta] = {}
    for module_id, (meta, sections) in LIBRARY.items():
        modules[module_id] = meta
        for ordinal, (section, text) in enumerate(sections):
            chunks.append(
                Chunk(
                    id=f"{module_id}::{ordinal}",
                    module_id=module_id,
                    ordinal=ordinal,
                    section=section,
                    anchor=section.lower().replace(" ", "-"),
                    text=text,
                    line_start=1 + 10 * ordinal,
                    line_end=9 + 10 * ordinal,
                    context=f"{meta.title} > {section}",
                )
            )
    return chunks, modules


@pytest.fixture
def library() -> tuple[list[Chunk], dict[str, ModuleMeta]]:
    """The small test library."""
    return library_chunks()


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    """A model-free embedder."""
    return HashingEmbedder()


@pytest.fixture(scope="session")
def torch_embedder() -> TorchEmbedder:
    """The reference sentence-transformers embedder (loaded once per test session)."""
    return TorchEmbedder()


@pytest.fixture(scope="session")
def onnx_cache(shared_models_dir: Path) -> Path:
    """The model cache folder shared by the session's ONNX tests."""
    return shared_models_dir


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache: Path) -> OnnxEmbedder:
    """The ONNX Runtime embedder (exports the model once per test session)."""
    return OnnxEmbedder(onnx_cache)
